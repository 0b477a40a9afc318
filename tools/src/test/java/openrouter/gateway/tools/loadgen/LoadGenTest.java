package openrouter.gateway.tools.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import openrouter.gateway.client.testing.TestGateway;
import openrouter.gateway.simulator.SimulatorKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load generator against a real gateway and the simulator behind it, briefly. */
class LoadGenTest {
  private static TestGateway gw;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() throws Exception {
    gw = TestGateway.start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private String run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit = LoadGen.run(args, new PrintStream(out, true, StandardCharsets.UTF_8));
    assertThat(exit).isZero();
    return out.toString(StandardCharsets.UTF_8);
  }

  // The closed-loop runs stop at their request count; their --duration (120 s) is only a cap a
  // busy machine cannot reach (at 20 s, a slow enough machine would stop short of the count).
  @Test
  void closedLoopStopsAtTheRequestCountAndReportsEveryOutcome() throws Exception {
    Path json = dir.resolve("unary.json");
    int before = gw.simulator.requestCount("/chat/completions");
    String table = run("--target", gw.target(), "--scenario", "unary", "--concurrency", "4", "--requests", "40",
        "--warmup", "0", "--duration", "120", "--json", json.toString());
    assertThat(table).contains("ok 40, errors 0").contains("p99");
    assertThat(gw.simulator.requestCount("/chat/completions") - before).isEqualTo(40);
    String result = Files.readString(json);
    assertThat(result).contains("\"ok\":40").contains("\"errors\":0").contains("\"latencyMs\":{\"p50\":");
  }

  @Test
  void streamsRecordFirstChunkAndGapsAndCountEveryChunk() throws Exception {
    Path json = dir.resolve("stream.json");
    run("--target", gw.target(), "--scenario", "stream", "--concurrency", "2", "--requests", "6", "--warmup", "0",
        "--duration", "120", "--chunks", "10", "--chunk-delay-ms", "5", "--json", json.toString());
    String result = Files.readString(json);
    assertThat(result).contains("\"ok\":6").contains("\"chunks\":60").contains("\"firstChunkMs\":{\"p50\":");
    assertThat(result).contains("\"count\":54"); // 9 gaps in each of 6 streams
  }

  @Test
  void directStreamsAreTimedChunkByChunk() throws Exception {
    Path json = dir.resolve("direct.json");
    int before = gw.simulator.requestCount("/chat/completions");
    run("--direct", gw.simulator.baseUrl(), "--scenario", "stream", "--concurrency", "2", "--requests", "4",
        "--warmup", "0", "--duration", "120", "--chunks", "8", "--chunk-delay-ms", "50", "--json", json.toString());
    assertThat(gw.simulator.requestCount("/chat/completions") - before).isEqualTo(4);
    String result = Files.readString(json);
    assertThat(result).contains("\"ok\":4").contains("\"errors\":0").contains("\"chunks\":32");
    assertThat(field(result, "firstChunkMs")).contains("\"count\":4");
    assertThat(field(result, "chunkGapMs")).contains("\"count\":28"); // 7 gaps in each of 4 streams
    // 50 ms apart: the gaps are the simulator's pacing, not an artefact of buffering (which
    // would make most of them ~0). A busy machine stretches gaps or squeezes a few (a late read
    // takes two chunks at once), so the bound sits far below the pacing: it tells "timed chunk
    // by chunk" from "buffered", not how fast the machine is.
    assertThat(decimal(field(result, "chunkGapMs"), "p50")).isGreaterThanOrEqualTo(10.0);
  }

  @Test
  void directUnaryKeepsOneKeepAliveConnectionPerSlot() throws Exception {
    Path json = dir.resolve("direct-unary.json");
    int before = gw.simulator.requestCount("/chat/completions");
    String table = run("--direct", gw.simulator.baseUrl(), "--scenario", "unary", "--concurrency", "3", "--requests", "60",
        "--warmup", "0", "--duration", "120", "--chunks", "16", "--json", json.toString());
    assertThat(table).contains("ok 60, errors 0").contains("3 connection(s)");
    assertThat(gw.simulator.requestCount("/chat/completions") - before).isEqualTo(60);
    String result = Files.readString(json);
    assertThat(result).contains("\"connections\":3");
    assertThat(field(result, "latencyMs")).contains("\"count\":60");
    // Every body was read to its end: 60 completions of 16 chunks of 8 characters each.
    assertThat(number(result, "bodyBytes")).isGreaterThan(60 * 16 * 8);
    // The generator reports what it cost itself while measuring.
    assertThat(decimal(result, "generatorCpuUsPerRequest")).isPositive();
    assertThat(table).contains("generator   CPU");
  }

  @Test
  void directModelsDrainsTheCatalogue() throws Exception {
    Path json = dir.resolve("direct-models.json");
    int before = gw.simulator.requestCount("/models");
    run("--direct", gw.simulator.baseUrl(), "--scenario", "models", "--concurrency", "2", "--requests", "10",
        "--warmup", "0", "--duration", "120", "--json", json.toString());
    assertThat(gw.simulator.requestCount("/models") - before).isEqualTo(10);
    String result = Files.readString(json);
    assertThat(result).contains("\"ok\":10").contains("\"errors\":0");
    assertThat(number(result, "bodyBytes") / 10).isGreaterThan(1000);
  }

  @Test
  void directHttpErrorsAreCountedByStatus() throws Exception {
    Path json = dir.resolve("direct-401.json");
    run("--direct", gw.simulator.baseUrl(), "--api-key", SimulatorKeys.REJECTED, "--scenario", "stream",
        "--concurrency", "2", "--requests", "8", "--warmup", "0", "--duration", "120", "--json", json.toString());
    String result = Files.readString(json);
    assertThat(result).contains("\"ok\":0").contains("\"HTTP_401\":8").contains("\"chunks\":0");
    // An error answer is drained like any other and its connection kept.
    assertThat(result).contains("\"connections\":2");
  }

  @Test
  void directOpenLoopReusesIdleConnections() throws Exception {
    Path json = dir.resolve("direct-open.json");
    run("--direct", gw.simulator.baseUrl(), "--scenario", "unary", "--rate", "200", "--requests", "100",
        "--warmup", "0", "--duration", "5", "--json", json.toString());
    String result = Files.readString(json);
    assertThat(result).contains("\"ok\":100").contains("\"errors\":0");
    // A request takes an idle connection before it opens one, so there are never more
    // connections than requests were in flight at once, however slow the machine makes the
    // answers (a connection per request, 100, is what this guards against). The peak itself
    // depends on the machine's speed, so the bound is the measured peak, not a fixed number.
    long peakInFlight = number(result, "peakInFlight");
    assertThat(peakInFlight).isBetween(1L, 100L);
    assertThat(number(result, "connections")).isBetween(1L, peakInFlight);
  }

  @Test
  void directToAClosedPortIsAnIoError() throws Exception {
    Path json = dir.resolve("direct-refused.json");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    run("--direct", "http://127.0.0.1:" + port + "/api/v1", "--scenario", "unary", "--concurrency", "1", "--requests", "3",
        "--warmup", "0", "--duration", "10", "--json", json.toString());
    assertThat(Files.readString(json)).contains("\"ok\":0").contains("\"IO_ERROR\":3").contains("\"connections\":0");
  }

  @Test
  void modelsThroughTheGatewayAreDrainedUnparsed() throws Exception {
    Path json = dir.resolve("models.json");
    run("--target", gw.target(), "--scenario", "models", "--concurrency", "2", "--requests", "10", "--warmup", "0",
        "--duration", "120", "--json", json.toString());
    String result = Files.readString(json);
    assertThat(result).contains("\"ok\":10").contains("\"errors\":0");
    assertThat(number(result, "bodyBytes") / 10).isGreaterThan(1000);
  }

  @Test
  void healthChecksMeasureTheBareGrpcRoundTrip() throws Exception {
    Path json = dir.resolve("health.json");
    int before = gw.simulator.requestCount("/chat/completions");
    String table = run("--target", gw.target(), "--scenario", "health", "--concurrency", "2", "--requests", "30",
        "--warmup", "0", "--duration", "120", "--json", json.toString());
    assertThat(table).contains("health-gateway: health").contains("ok 30, errors 0");
    assertThat(field(Files.readString(json), "latencyMs")).contains("\"count\":30");
    assertThat(gw.simulator.requestCount("/chat/completions")).isEqualTo(before); // the upstream is not involved
  }

  @Test
  void healthIsRefusedInDirectMode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = LoadGen.run(new String[] {"--direct", gw.simulator.baseUrl(), "--scenario", "health", "--requests", "1"},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--scenario health").contains("--direct");
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  /** The JSON object of one field of the result, e.g. {@code {"p50":...,"count":4}}. */
  private static String field(String json, String name) {
    int from = json.indexOf("\"" + name + "\":{");
    assertThat(from).as(name).isNotNegative();
    return json.substring(json.indexOf('{', from), json.indexOf('}', from) + 1);
  }

  private static double decimal(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":(-?[0-9.]+)").matcher(json);
    assertThat(m.find()).as(name).isTrue();
    return Double.parseDouble(m.group(1));
  }

  private static long number(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":([0-9]+)").matcher(json);
    assertThat(m.find()).as(name).isTrue();
    return Long.parseLong(m.group(1));
  }

  @Test
  void openLoopOffersTheRateAndFailuresAreCountedByCode() throws Exception {
    Path json = dir.resolve("open.json");
    run("--target", gw.target(), "--scenario", "unary", "--model", "sim/error-503", "--rate", "50", "--requests", "20",
        "--warmup", "0", "--duration", "5", "--json", json.toString());
    assertThat(Files.readString(json)).contains("\"ok\":0").contains("\"UNAVAILABLE\":20");
  }
}
