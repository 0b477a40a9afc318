package openrouter.gateway.tools.loadgen;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.Message;
import openrouter.gateway.v1.Role;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The gateway's load generator: closed loop at a fixed concurrency, or open loop at a fixed
 * rate with latency measured from each request's scheduled start (so a stalled generator or
 * server cannot hide queueing: coordinated omission is corrected). Bounded by a request count
 * and a duration, whichever comes first. With {@code --direct} the same requests go straight
 * to the upstream's HTTP endpoint, for "gateway minus direct" comparisons.
 *
 * <pre>
 * java -cp tools/target/gateway-cli.jar openrouter.gateway.tools.loadgen.LoadGen \
 *   --scenario unary --concurrency 1 --requests 20000 --duration 20
 * </pre>
 */
@Command(name = "loadgen", mixinStandardHelpOptions = true,
    description = "Load generator for openrouter-grpc-gateway (and, with --direct, its upstream).")
public final class LoadGen implements Callable<Integer> {
  @Option(names = "--target", description = "Gateway host:port (default: ${DEFAULT-VALUE}).")
  String target = "127.0.0.1:50051";

  @Option(names = "--direct", description = "Upstream base URL, e.g. http://127.0.0.1:8090/api/v1: send the requests there instead of through the gateway.")
  String direct;

  @Option(names = "--api-key", description = "Key for --direct requests (default: the simulator's).")
  String apiKey = "sk-or-v1-" + "0".repeat(64);

  @Option(names = "--scenario", description = "unary, stream, models, embed or health (gateway only) (default: ${DEFAULT-VALUE}).")
  Scenario scenario = Scenario.UNARY;

  @Option(names = "--concurrency", description = "Closed loop: requests in flight (default: ${DEFAULT-VALUE}).")
  int concurrency = 1;

  @Option(names = "--rate", description = "Open loop: requests per second (0 = closed loop; default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--max-in-flight", description = "Open loop: most requests in flight before new ones count as DROPPED (with --direct, also the most connections; default: ${DEFAULT-VALUE}).")
  int maxInFlight = 20_000;

  @Option(names = "--requests", description = "Most requests, warm-up included (default: ${DEFAULT-VALUE}).")
  long requests = 100_000;

  @Option(names = "--duration", description = "Most seconds of measurement (default: ${DEFAULT-VALUE}).")
  double durationSeconds = 20;

  @Option(names = "--warmup", description = "Seconds before measuring starts (default: ${DEFAULT-VALUE}).")
  double warmupSeconds = 3;

  @Option(names = "--connections", description = "gRPC connections to the gateway (default: ${DEFAULT-VALUE}).")
  int connections = 1;

  @Option(names = "--io-threads", description = "Event loop threads for the generator's connections (default: ${DEFAULT-VALUE}).")
  int ioThreads = 1;

  @Option(names = "--model", description = "Model (default: ${DEFAULT-VALUE}).")
  String model = "sim/fixed";

  @Option(names = "--chunks", description = "sim/fixed chunks (default: ${DEFAULT-VALUE}).")
  int chunks = 64;

  @Option(names = "--chunk-chars", description = "sim/fixed characters per chunk (default: ${DEFAULT-VALUE}).")
  int chunkChars = 8;

  @Option(names = "--chunk-delay-ms", description = "sim/fixed pause between chunks (default: ${DEFAULT-VALUE}).")
  int chunkDelayMs;

  @Option(names = "--deadline", description = "Per-request deadline in seconds (default: ${DEFAULT-VALUE}).")
  long deadlineSeconds = 120;

  @Option(names = "--label", description = "Name of this run in the report.")
  String label;

  @Option(names = "--json", description = "Also write the result as JSON to this file.")
  Path json;

  @Option(names = "--gateway-key", description = "Gateway API key, sent as authorization: Bearer, for a gateway with GATEWAY_API_KEYS_FILE (default: none).")
  String gatewayKey;

  @Spec
  CommandSpec spec;

  private final PrintStream out;

  LoadGen(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out));
  }

  static int run(String[] args, PrintStream out) {
    return run(args, out, System.err);
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    return new CommandLine(new LoadGen(out)).setCaseInsensitiveEnumValuesAllowed(true)
        .setErr(new PrintWriter(err, true)).execute(args);
  }

  @Override
  public Integer call() throws Exception {
    if (direct != null && scenario == Scenario.HEALTH) {
      throw new ParameterException(spec.commandLine(),
          "--scenario health measures gRPC's own round trip through the gateway; the upstream has no equivalent, so it cannot be combined with --direct");
    }
    if (ioThreads < 1) {
      throw new ParameterException(spec.commandLine(), "--io-threads must be at least 1");
    }
    if (label == null) {
      label = scenario.name().toLowerCase(Locale.ROOT) + (direct != null ? "-direct" : "-gateway");
    }
    ChatRequest chat = ChatRequest.newBuilder()
        .setModel(model)
        .addMessages(Message.newBuilder().setRole(Role.ROLE_USER).setContent("benchmark prompt"))
        .putMetadata("sim_chunks", Integer.toString(chunks))
        .putMetadata("sim_chunk_chars", Integer.toString(chunkChars))
        .putMetadata("sim_chunk_delay_ms", Integer.toString(chunkDelayMs))
        .build();
    Stats warm = new Stats();
    Stats measured = new Stats();
    long measuredNanos;
    long connectionsOpened;
    try (Target t = direct != null
        ? new DirectTarget(direct, apiKey, scenario,
            scenario == Scenario.EMBED ? EmbedLoad.directBody() : body(false), body(true), deadlineSeconds, ioThreads)
        : new GrpcTarget(target, connections, scenario, chat, deadlineSeconds, ioThreads, gatewayKey)) {
      measuredNanos = rate > 0 ? openLoop(t, warm, measured) : closedLoop(t, warm, measured);
      connectionsOpened = t.connectionsOpened();
    }
    Result result = new Result(label, scenario, rate > 0 ? "open" : "closed", concurrency, rate, measuredNanos, connectionsOpened, measured);
    out.print(result.table());
    if (json != null) {
      Files.writeString(json, result.json(), StandardCharsets.UTF_8);
    }
    return 0;
  }

  /** The JSON the gateway would send upstream for the same request. */
  private String body(boolean stream) {
    return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"benchmark prompt\"}],"
        + "\"max_tokens\":4096,\"metadata\":{\"sim_chunks\":\"" + chunks + "\",\"sim_chunk_chars\":\"" + chunkChars
        + "\",\"sim_chunk_delay_ms\":\"" + chunkDelayMs + "\"},\"stream\":" + stream + "}";
  }

  private long closedLoop(Target t, Stats warm, Stats measured) throws InterruptedException {
    long start = System.nanoTime();
    long measureFrom = start + (long) (warmupSeconds * 1e9);
    long stopAt = measureFrom + (long) (durationSeconds * 1e9);
    AtomicLong issued = new AtomicLong();
    AtomicLong lastEnd = new AtomicLong(measureFrom);
    CountDownLatch slotsDone = new CountDownLatch(concurrency);
    for (int i = 0; i < concurrency; i++) {
      new Object() {
        void next() {
          long now = System.nanoTime();
          if (issued.incrementAndGet() > requests || now - stopAt >= 0) {
            slotsDone.countDown();
            return;
          }
          Stats s = now - measureFrom >= 0 ? measured : warm;
          t.start(now, s, () -> {
            lastEnd.accumulateAndGet(System.nanoTime(), Math::max);
            next();
          });
        }
      }.next();
    }
    while (System.nanoTime() - measureFrom < 0 && slotsDone.getCount() > 0) {
      LockSupport.parkNanos(Math.min(measureFrom - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(10)));
    }
    long cpuFrom = processCpuNanos();
    slotsDone.await(Math.round(warmupSeconds + durationSeconds + deadlineSeconds + 10), TimeUnit.SECONDS);
    measured.generatorCpuNanos = cpuUsedSince(cpuFrom);
    return Math.max(1, lastEnd.get() - measureFrom);
  }

  private long openLoop(Target t, Stats warm, Stats measured) throws InterruptedException {
    long start = System.nanoTime();
    long measureFrom = start + (long) (warmupSeconds * 1e9);
    long stopAt = measureFrom + (long) (durationSeconds * 1e9);
    double interval = 1e9 / rate;
    AtomicInteger inFlight = new AtomicInteger();
    long cpuFrom = -2; // not sampled yet
    for (long i = 0; i < requests; i++) {
      long intended = start + (long) (i * interval);
      if (intended - stopAt >= 0) {
        break;
      }
      long wait = intended - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      Stats s = intended - measureFrom >= 0 ? measured : warm;
      if (s == measured && cpuFrom == -2) {
        cpuFrom = processCpuNanos();
      }
      if (inFlight.get() >= maxInFlight) {
        s.outcome("DROPPED_GENERATOR_FULL");
        continue;
      }
      measured.peakInFlight = Math.max(measured.peakInFlight, inFlight.incrementAndGet());
      t.start(intended, s, inFlight::decrementAndGet);
    }
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(deadlineSeconds + 5);
    while (inFlight.get() > 0 && System.nanoTime() - until < 0) {
      Thread.sleep(5);
    }
    if (cpuFrom != -2) {
      measured.generatorCpuNanos = cpuUsedSince(cpuFrom);
    }
    return Math.max(1, Math.min(System.nanoTime(), stopAt) - measureFrom);
  }

  /** CPU time of this whole process so far (all threads, user and system), or -1. */
  private static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : -1;
  }

  private static long cpuUsedSince(long from) {
    long now = processCpuNanos();
    return from < 0 || now < 0 ? -1 : now - from;
  }

  /** The report: a readable table and a JSON document. */
  record Result(String label, Scenario scenario, String mode, int concurrency, double rate, long nanos, long connections, Stats stats) {
    double seconds() {
      return nanos / 1e9;
    }

    double throughput() {
      return stats.ok() / seconds();
    }

    /** The generator's own CPU per measured request (warm-up excluded): how much it measured itself. */
    double generatorCpuMicrosPerRequest() {
      long requests = stats.ok() + stats.errors();
      return stats.generatorCpuNanos < 0 || requests == 0 ? -1 : stats.generatorCpuNanos / 1e3 / requests;
    }

    double generatorCores() {
      return stats.generatorCpuNanos < 0 ? -1 : stats.generatorCpuNanos / (double) nanos;
    }

    String table() {
      StringBuilder sb = new StringBuilder();
      sb.append(String.format(Locale.ROOT, "%s: %s, %s loop, %s, %.1f s measured%n", label, scenario.name().toLowerCase(Locale.ROOT), mode,
          mode.equals("open") ? String.format(Locale.ROOT, "%.0f req/s offered", rate) : "concurrency " + concurrency, seconds()));
      sb.append(String.format(Locale.ROOT, "  ok %d, errors %d %s, throughput %.1f req/s, %d connection(s)%n", stats.ok(), stats.errors(),
          stats.outcomes(), throughput(), connections));
      sb.append(row("latency", stats.latency));
      if (stats.generatorCpuNanos >= 0 && stats.ok() + stats.errors() > 0) {
        sb.append(String.format(Locale.ROOT, "  generator   CPU %.1f us per request, %.2f cores%n", generatorCpuMicrosPerRequest(), generatorCores()));
      }
      if (stats.bytes.sum() > 0) {
        sb.append(String.format(Locale.ROOT, "  body bytes %d drained unparsed%n", stats.bytes.sum()));
      }
      if (stats.firstChunk.getTotalCount() > 0) {
        sb.append(row("first chunk", stats.firstChunk));
        sb.append(row("chunk gap", stats.chunkGap));
      }
      return sb.toString();
    }

    private static String row(String name, Histogram h) {
      return String.format(Locale.ROOT, "  %-12s ms  p50 %8.3f  p90 %8.3f  p99 %8.3f  p99.9 %8.3f  max %8.3f  (n=%d)%n", name,
          ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9), h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0, h.getTotalCount());
    }

    private static double ms(Histogram h, double percentile) {
      return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
    }

    String json() {
      StringBuilder sb = new StringBuilder("{");
      sb.append("\"label\":\"").append(label).append("\",");
      sb.append("\"scenario\":\"").append(scenario.name().toLowerCase(Locale.ROOT)).append("\",");
      sb.append("\"mode\":\"").append(mode).append("\",");
      sb.append("\"concurrency\":").append(concurrency).append(',');
      sb.append("\"offeredRate\":").append(rate).append(',');
      sb.append("\"seconds\":").append(String.format(Locale.ROOT, "%.3f", seconds())).append(',');
      sb.append("\"ok\":").append(stats.ok()).append(',');
      sb.append("\"errors\":").append(stats.errors()).append(',');
      sb.append("\"connections\":").append(connections).append(',');
      sb.append("\"peakInFlight\":").append(stats.peakInFlight).append(',');
      sb.append("\"throughput\":").append(String.format(Locale.ROOT, "%.1f", throughput())).append(',');
      sb.append("\"outcomes\":{");
      boolean first = true;
      for (Map.Entry<String, Long> e : stats.outcomes().entrySet()) {
        sb.append(first ? "" : ",").append('"').append(e.getKey()).append("\":").append(e.getValue());
        first = false;
      }
      sb.append("},");
      sb.append("\"latencyMs\":").append(percentiles(stats.latency)).append(',');
      sb.append("\"firstChunkMs\":").append(percentiles(stats.firstChunk)).append(',');
      sb.append("\"chunkGapMs\":").append(percentiles(stats.chunkGap)).append(',');
      sb.append("\"chunks\":").append(stats.chunks.sum()).append(',');
      sb.append("\"bodyBytes\":").append(stats.bytes.sum()).append(',');
      sb.append("\"generatorCpuUsPerRequest\":").append(String.format(Locale.ROOT, "%.1f", generatorCpuMicrosPerRequest())).append(',');
      sb.append("\"generatorCores\":").append(String.format(Locale.ROOT, "%.3f", generatorCores()));
      return sb.append("}\n").toString();
    }

    private static String percentiles(Histogram h) {
      return String.format(Locale.ROOT, "{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f,\"mean\":%.3f,\"count\":%d}",
          ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9), h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0,
          h.getTotalCount() == 0 ? 0 : h.getMean() / 1000.0, h.getTotalCount());
    }
  }
}
