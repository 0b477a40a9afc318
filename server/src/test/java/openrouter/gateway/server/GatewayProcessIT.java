package openrouter.gateway.server;

import static openrouter.gateway.server.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import openrouter.gateway.simulator.OpenRouterSimulator;
import openrouter.gateway.simulator.testing.Eventually;
import openrouter.gateway.server.testing.OtlpReceiver;
import openrouter.gateway.server.testing.StreamCollector;
import openrouter.gateway.server.testing.TestKeys;
import openrouter.gateway.v1.ChatServiceGrpc;
import openrouter.gateway.v1.StreamChatResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar as a real process ({@code java -jar gateway.jar}): SIGTERM drains, refuses,
 * reports NOT_SERVING first and exits 0; JSON logs at DEBUG carry request ids and never the key.
 * Runs in Maven's integration-test phase, after {@code package} built the jar.
 */
class GatewayProcessIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir
  Path dir;
  private Process process;
  private Path output;
  private final List<ManagedChannel> channels = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Starts the jar with exactly these settings (the inherited GATEWAY_* and OPENROUTER_* dropped). */
  private int start(Map<String, String> settings, String... flags) throws Exception {
    Path jar = Path.of(System.getProperty("gateway.jar", "target/gateway.jar"));
    assertThat(jar).as("the packaged jar (mvn verify builds it before this test)").exists();
    int port = freePort();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-jar", jar.toString()));
    command.addAll(List.of(flags));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().keySet().removeIf(k -> k.startsWith("GATEWAY_") || k.startsWith("OPENROUTER_") || k.startsWith("OTEL_"));
    pb.environment().put("GATEWAY_HOST", "127.0.0.1");
    pb.environment().put("GATEWAY_PORT", Integer.toString(port));
    pb.environment().putIfAbsent("GATEWAY_METRICS_PORT", "off");
    pb.environment().putAll(settings);
    output = dir.resolve("gateway.out");
    pb.redirectErrorStream(true).redirectOutput(output.toFile());
    process = pb.start();
    ManagedChannel probe = channel(port);
    // Bounded in time, not in rounds: 120 s for a cold JVM on a busy machine (300 rounds of
    // 100 ms were about 30 s, which a start-up beside other builds could exceed).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      assertThat(process.isAlive()).as("the gateway exited early:\n" + log()).isTrue();
      try {
        if (HealthGrpc.newBlockingStub(probe).withDeadlineAfter(1, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()).getStatus() == ServingStatus.SERVING) {
          return port;
        }
      } catch (StatusRuntimeException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the gateway did not become SERVING:\n" + log());
  }

  private ManagedChannel channel(int port) {
    ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    channels.add(c);
    return c;
  }

  private String log() throws IOException {
    return Files.readString(output, StandardCharsets.UTF_8);
  }

  /** Health Watch on "": every status lands in the queue with the time it arrived. */
  private static BlockingQueue<Object[]> watchServer(ManagedChannel channel) {
    BlockingQueue<Object[]> statuses = new LinkedBlockingQueue<>();
    HealthGrpc.newStub(channel).watch(HealthCheckRequest.getDefaultInstance(), new StreamObserver<>() {
      @Override
      public void onNext(HealthCheckResponse value) {
        statuses.add(new Object[] {value.getStatus(), System.nanoTime()});
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    });
    return statuses;
  }

  private static final class TimedCollector extends StreamCollector {
    volatile long endedAt;

    @Override
    public void onError(Throwable t) {
      endedAt = System.nanoTime();
      super.onError(t);
    }

    @Override
    public void onCompleted() {
      endedAt = System.nanoTime();
      super.onCompleted();
    }
  }

  @Test
  void sigtermGoesNotServingRefusesNewCallsDrainsTheStreamInFlightAndExitsZero() throws Exception {
    int port = start(Map.of("GATEWAY_SHUTDOWN_GRACE_MS", "60000"));
    ManagedChannel channel = channel(port);
    BlockingQueue<Object[]> health = watchServer(channel);
    assertThat(health.poll(30, TimeUnit.SECONDS)[0]).isEqualTo(ServingStatus.SERVING);

    // About 22 s of answer at two seconds a word: the checks below, made while it still runs,
    // have 20 s to spare on a busy machine (11 s was the margin before), and it still ends well
    // within the 60 s grace.
    String words = "one two three four five six seven eight nine ten eleven twelve";
    TimedCollector inFlight = new TimedCollector();
    ChatServiceGrpc.newStub(channel).streamChat(chat("sim/slow", words, Map.of("sim_chunk_delay_ms", "2000")),
        inFlight);
    assertThat(inFlight.firstMessage.await(30, TimeUnit.SECONDS)).isTrue();

    long sigtermAt = System.nanoTime();
    process.destroy(); // SIGTERM

    Object[] notServing = health.poll(30, TimeUnit.SECONDS);
    assertThat(notServing).as("health Watch after SIGTERM").isNotNull();
    assertThat(notServing[0]).isEqualTo(ServingStatus.NOT_SERVING);

    // A new call, on a new connection, is refused while the stream is still draining.
    Status.Code refused = null;
    for (int i = 0; i < 50 && refused != Status.Code.UNAVAILABLE; i++) {
      try {
        ChatServiceGrpc.newBlockingStub(channel(port)).withDeadlineAfter(2, TimeUnit.SECONDS)
            .chat(chat("sim/echo", "too late"));
        refused = Status.Code.OK;
      } catch (StatusRuntimeException e) {
        refused = e.getStatus().getCode();
      }
      Thread.sleep(20);
    }
    assertThat(refused).isEqualTo(Status.Code.UNAVAILABLE);
    long refusedAt = System.nanoTime();

    assertThat(inFlight.await().isOk()).as("the stream in flight at SIGTERM ends OK").isTrue();
    assertThat(inFlight.content()).isEqualTo(words);
    assertThat(inFlight.messages.get(inFlight.messages.size() - 1).hasSummary()).isTrue();
    assertThat((long) notServing[1]).as("NOT_SERVING came first").isLessThan(inFlight.endedAt);
    assertThat(refusedAt).as("new calls were refused while the stream still ran").isLessThan(inFlight.endedAt);

    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exits within the grace").isTrue();
    assertThat(process.exitValue()).isZero();
    String log = log();
    assertThat(log).contains("shutdown: health NOT_SERVING, new calls refused; draining 1 call(s)")
        .contains("stopped").doesNotContainPattern("sk-or-[A-Za-z0-9]");
  }

  @Test
  void aStreamLongerThanTheGraceIsCancelledAndTheProcessStillExitsZeroPromptly() throws Exception {
    int port = start(Map.of("GATEWAY_SHUTDOWN_GRACE_MS", "500"));
    ManagedChannel channel = channel(port);
    TimedCollector endless = new TimedCollector();
    // Endless: only the gateway's cancellation at the end of the grace can end it.
    ChatServiceGrpc.newStub(channel).streamChat(chat("sim/stall", "hang"), endless);
    assertThat(endless.firstMessage.await(30, TimeUnit.SECONDS)).isTrue();

    long sigtermAt = System.nanoTime();
    process.destroy();
    Status end = endless.await();
    assertThat(end.isOk()).isFalse();
    assertThat(end.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(openrouter.gateway.server.testing.Requests.errorInfo((StatusRuntimeException) endless.error())
        .getReason()).isEqualTo("GATEWAY_SHUTTING_DOWN");
    assertThat(TimeUnit.NANOSECONDS.toMillis(endless.endedAt - sigtermAt)).as("not before the grace").isGreaterThanOrEqualTo(300L);
    assertThat(endless.messages).noneMatch(StreamChatResponse::hasSummary);

    // With the endless stream cancelled the process exits; had it waited for the stream, never.
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isZero();
    assertThat(log()).contains("shutdown grace of 500 ms passed; cancelling 1 call(s) still in flight");
  }

  @Test
  void jsonLogsAtDebugCarryAccessLinesAndRequestIdsAndNeverTheKey() throws Exception {
    try (OpenRouterSimulator sim = OpenRouterSimulator.start(0)) {
      int metricsPort = freePort();
      int port = start(Map.of("OPENROUTER_BASE_URL", sim.baseUrl(), "OPENROUTER_API_KEY", TestKeys.GATEWAY,
          "GATEWAY_LOG_FORMAT", "json", "GATEWAY_METRICS_PORT", Integer.toString(metricsPort)),
          "--gateway-log-level", "DEBUG"); // a flag, as the environment variable would do
      Metadata id = new Metadata();
      Metadata.Key<String> requestId = Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
      id.put(requestId, "it-request-42");
      AtomicReference<Metadata> headers = new AtomicReference<>();
      AtomicReference<Metadata> trailers = new AtomicReference<>();
      var reply = ChatServiceGrpc.newBlockingStub(channel(port)).withDeadlineAfter(30, TimeUnit.SECONDS)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(id),
              MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
          .chat(chat("sim/echo", "json please"));
      assertThat(reply.getMessage().getContent()).isEqualTo("json please");
      assertThat(headers.get().get(requestId)).isEqualTo("it-request-42");

      // Awaited: the server records the call when its stream has closed, which can come after
      // the client already has the answer.
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> metrics = Eventually.await("the call's duration metric", () -> {
        try {
          return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
          throw new AssertionError(e);
        }
      }, r -> r.body().contains("grpc_server_call_duration_seconds_count{grpc_method=\"openrouter.gateway.v1.ChatService/Chat\""));
      assertThat(metrics.body()).contains("grpc_server_call_duration_seconds_count{grpc_method=\"openrouter.gateway.v1.ChatService/Chat\"")
          .contains("process_cpu_usage").contains("jvm_memory_used_bytes");

      process.destroy();
      assertThat(process.waitFor(15, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).isZero();

      String log = log();
      List<JsonNode> lines = new ArrayList<>();
      for (String line : log.split("\n")) {
        if (!line.isBlank()) {
          lines.add(JSON.readTree(line)); // throws if any line is not one JSON object
        }
      }
      assertThat(lines).allMatch(JsonNode::isObject);
      JsonNode access = lines.stream()
          .filter(l -> l.path("logger_name").asText().equals("openrouter.gateway.access"))
          .filter(l -> l.path("request_id").asText().equals("it-request-42"))
          .findFirst().orElseThrow(() -> new AssertionError("no access line for it-request-42 in\n" + log));
      assertThat(access.path("method").asText()).isEqualTo("openrouter.gateway.v1.ChatService/Chat");
      assertThat(access.path("code").asText()).isEqualTo("OK");
      assertThat(access.path("model").asText()).isEqualTo("sim/echo");
      assertThat(access.path("provider").asText()).isNotEmpty();
      assertThat(access.path("attempts").asInt()).isEqualTo(1);
      assertThat(access.path("prompt_tokens").asInt()).isPositive();
      assertThat(access.path("completion_tokens").asInt()).isEqualTo(2);
      assertThat(access.path("cost_usd").asText()).isNotEmpty();
      assertThat(access.path("duration_ms").isNumber()).isTrue();
      assertThat(access.path("level").asText()).isEqualTo("INFO");

      JsonNode upstream = lines.stream()
          .filter(l -> l.path("level").asText().equals("DEBUG"))
          .filter(l -> l.path("message").asText().startsWith("--> POST"))
          .findFirst().orElseThrow(() -> new AssertionError("no DEBUG upstream request line in\n" + log));
      assertThat(upstream.path("message").asText()).contains("Authorization: <redacted>").contains("json please");
      assertThat(upstream.path("request_id").asText()).as("MDC on the worker").isEqualTo("it-request-42");

      assertThat(log).doesNotContain(TestKeys.GATEWAY).doesNotContain(TestKeys.GATEWAY.substring(9))
          .doesNotContainPattern("sk-or-[A-Za-z0-9]");
    }
  }

  /** operations.md's tracing example (its variables, read from the doc): only OTEL_*, against a real OTLP/gRPC receiver. */
  @Test
  void otelVariablesAloneTurnTracingOnAndTheLogsNameTheCallersTrace() throws Exception {
    try (OtlpReceiver receiver = new OtlpReceiver()) {
      // The variables of operations.md's example, the collector's address replaced by the receiver's.
      Map<String, String> example = operationsTracingExample();
      assertThat(example).containsKeys("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME");
      Map<String, String> settings = new java.util.HashMap<>(example);
      settings.put("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.grpcEndpoint());
      settings.putAll(Map.of("OTEL_BSP_SCHEDULE_DELAY", "100", "GATEWAY_LOG_FORMAT", "json", "GATEWAY_LOG_LEVEL", "DEBUG"));
      int port = start(settings);
      String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
      Metadata parent = new Metadata();
      parent.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), "00-" + traceId + "-00f067aa0ba902b7-01");
      parent.put(Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER), "it-traced-json");
      var reply = ChatServiceGrpc.newBlockingStub(channel(port)).withDeadlineAfter(10, TimeUnit.SECONDS)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(parent))
          .chat(chat("sim/echo", "traced please"));

      OtlpReceiver.Received server = receiver.await(r -> r.traceId().equals(traceId)
          && r.span().getKind() == io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER);
      assertThat(server.parentSpanId()).isEqualTo("00f067aa0ba902b7");
      assertThat(server.resourceString("service.name")).isEqualTo(example.get("OTEL_SERVICE_NAME"));
      assertThat(server.string("gen_ai.response.id")).isEqualTo(reply.getSummary().getGenerationId());
      receiver.await(r -> r.traceId().equals(traceId) && r.parentSpanId().equals(server.spanId())
          && "/chat/completions".equals(r.string("url.template")));

      process.destroy();
      assertThat(process.waitFor(15, TimeUnit.SECONDS)).isTrue();
      JsonNode access = null;
      for (String line : log().split("\n")) {
        JsonNode l = line.isBlank() ? null : JSON.readTree(line);
        if (l != null && l.path("logger_name").asText().equals("openrouter.gateway.access")
            && l.path("method").asText().endsWith("ChatService/Chat")) {
          access = l;
        }
      }
      assertThat(access).as("the access line of the chat call in\n" + log()).isNotNull();
      assertThat(access.path("trace_id").asText()).isEqualTo(traceId);
      assertThat(access.path("span_id").asText()).isEqualTo(server.spanId());
      // Every line of the call (the DEBUG upstream lines on other threads included) names the trace.
      List<JsonNode> ofTheCall = new ArrayList<>();
      for (String line : log().split("\n")) {
        JsonNode l = line.isBlank() ? null : JSON.readTree(line);
        if (l != null && l.path("request_id").asText().equals("it-traced-json")) {
          ofTheCall.add(l);
        }
      }
      assertThat(ofTheCall).as("the lines of the call in\n" + log()).hasSizeGreaterThan(1)
          .anyMatch(l -> l.path("message").asText().startsWith("--> POST"))
          .allMatch(l -> l.path("trace_id").asText().equals(traceId) && !l.path("span_id").asText().isEmpty());
    }
  }

  /** The VAR=value lines of the shell block after "to send spans to a collector" in docs/operations.md. */
  private static Map<String, String> operationsTracingExample() throws IOException {
    String doc = Files.readString(Path.of("..", "docs", "operations.md"));
    int at = doc.indexOf("to send spans to a collector");
    assertThat(at).as("operations.md's tracing example").isPositive();
    int open = doc.indexOf("```sh\n", at);
    String block = doc.substring(open + 6, doc.indexOf("```", open + 6));
    Map<String, String> vars = new java.util.LinkedHashMap<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^(OTEL_[A-Z_]+)=(\\S+) \\\\$").matcher(block);
    while (m.find()) {
      vars.put(m.group(1), m.group(2));
    }
    assertThat(block).contains("java -jar server/target/gateway.jar");
    return vars;
  }

  /** The text format names the trace too: every line of a traced call shows trace_id= and span_id=. */
  @Test
  void textLogsOfATracedCallNameItsTraceOnEveryLine() throws Exception {
    try (OtlpReceiver receiver = new OtlpReceiver()) {
      int port = start(Map.of("OTEL_TRACES_EXPORTER", "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.grpcEndpoint(),
          "OTEL_BSP_SCHEDULE_DELAY", "100", "GATEWAY_LOG_FORMAT", "text", "GATEWAY_LOG_LEVEL", "DEBUG"));
      String traceId = "0af7651916cd43dd8448eb211c80319c";
      Metadata parent = new Metadata();
      parent.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), "00-" + traceId + "-b7ad6b7169203331-01");
      parent.put(Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER), "it-traced-text");
      ChatServiceGrpc.newBlockingStub(channel(port)).withDeadlineAfter(10, TimeUnit.SECONDS)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(parent))
          .chat(chat("sim/echo", "traced text please"));
      OtlpReceiver.Received server = receiver.await(r -> r.traceId().equals(traceId)
          && r.span().getKind() == io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER);

      process.destroy();
      assertThat(process.waitFor(15, TimeUnit.SECONDS)).isTrue();
      List<String> ofTheCall = log().lines().filter(l -> l.contains(" [it-traced-text] ")).toList();
      assertThat(ofTheCall).as("the lines of the call in\n" + log()).hasSizeGreaterThan(1)
          .anyMatch(l -> l.contains("openrouter.gateway.access") || l.contains("o.gateway.access"))
          .anyMatch(l -> l.contains(" - --> POST"))
          .allMatch(l -> l.contains(" [it-traced-text] trace_id=" + traceId + " span_id="));
      assertThat(ofTheCall).anyMatch(l -> l.contains("span_id=" + server.spanId() + " - "));
    }
  }

  @Test
  void aBadSettingStopsStartUpWithOneLineAndExitCode2() throws Exception {
    Path jar = Path.of(System.getProperty("gateway.jar", "target/gateway.jar"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-jar", jar.toString()).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("GATEWAY_") || k.startsWith("OPENROUTER_"));
    pb.environment().put("GATEWAY_TLS_CERT", dir.resolve("absent.pem").toString());
    pb.environment().put("GATEWAY_TLS_KEY", dir.resolve("absent.key").toString());
    process = pb.start();
    String out;
    try (InputStream in = process.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(out.strip()).startsWith("configuration error: GATEWAY_TLS_CERT names no file: ");
  }

  /** Runs gateway.jar with {@code env} (and nothing of ours inherited); returns exit code and output. */
  private Object[] runJar(Map<String, String> env, String... args) throws Exception {
    Path jar = Path.of(System.getProperty("gateway.jar", "target/gateway.jar"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new java.util.ArrayList<>(List.of(java, "-jar", jar.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("GATEWAY_") || k.startsWith("OPENROUTER_"));
    pb.environment().putAll(env);
    process = pb.start();
    String out;
    try (InputStream in = process.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Object[] {process.exitValue(), out};
  }

  /**
   * rediss:// speaks TLS to a real redis-server that only listens with TLS, trusting the CA the
   * JVM is told to trust (JAVA_TOOL_OPTIONS, as an operator with a private CA would). In closed
   * mode a chat call is served only if the gateway really reached Redis.
   */
  @Test
  void aRedissUrlReachesARedisThatOnlySpeaksTls() throws Exception {
    var ca = openrouter.gateway.server.testing.TestCertificates.ca(dir, "redis-ca");
    var leaf = openrouter.gateway.server.testing.TestCertificates.leaf(dir, "redis", ca);
    java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("redis-ca", ca.certificate());
    Path trustStore = dir.resolve("trust.p12");
    try (var out = Files.newOutputStream(trustStore)) {
      trust.store(out, "changeit".toCharArray());
    }
    int tlsPort = freePort();
    Process redis = new ProcessBuilder(openrouter.gateway.server.testing.RedisServer.binary(), "--port", "0",
        "--tls-port", Integer.toString(tlsPort), "--bind", "127.0.0.1", "--tls-cert-file", leaf.certFile().toString(),
        "--tls-key-file", leaf.keyFile().toString(), "--tls-ca-cert-file", ca.certFile().toString(),
        "--tls-auth-clients", "no", "--save", "", "--appendonly", "no", "--dir", dir.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
    try {
      for (int i = 0; ; i++) { // bounded: until it accepts connections, 20 s at most
        assertThat(redis.isAlive()).as("redis-server with TLS:\n" + Files.readString(dir.resolve("redis.log"))).isTrue();
        try (java.net.Socket probe = new java.net.Socket("127.0.0.1", tlsPort)) {
          break;
        } catch (IOException notYet) {
          assertThat(i).as("redis-server listening").isLessThan(200);
          Thread.sleep(100);
        }
      }
      try (OpenRouterSimulator sim = OpenRouterSimulator.start(0)) {
        int metricsPort = freePort();
        int port = start(Map.of("OPENROUTER_BASE_URL", sim.baseUrl(), "OPENROUTER_API_KEY", TestKeys.GATEWAY,
            "GATEWAY_REDIS_URL", "rediss://127.0.0.1:" + tlsPort + "/0", "GATEWAY_REDIS_FAILURE_MODE", "closed",
            "GATEWAY_BUDGET", "25/1d", "GATEWAY_METRICS_PORT", Integer.toString(metricsPort),
            "JAVA_TOOL_OPTIONS", "-Djavax.net.ssl.trustStore=" + trustStore + " -Djavax.net.ssl.trustStorePassword=changeit"
                + " -Djavax.net.ssl.trustStoreType=PKCS12"));
        var reply = ChatServiceGrpc.newBlockingStub(channel(port)).withDeadlineAfter(30, TimeUnit.SECONDS)
            .chat(chat("sim/echo", "over rediss"));
        assertThat(reply.getMessage().getContent()).isEqualTo("over rediss");
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).contains("gateway_shared_state_up 1.0")
            .doesNotContainPattern("gateway_redis_duration_seconds_count\\{error=\"true\"");
      }
    } finally {
      redis.destroy();
      redis.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aBadRedisUrlStopsStartUpWithOneLineExitCode2AndNoPassword() throws Exception {
    Object[] r = runJar(Map.of("GATEWAY_REDIS_URL", "http://:hunter2pass@redis.internal:6379/0"));
    assertThat(r[0]).isEqualTo(2);
    String out = ((String) r[1]).strip();
    assertThat(out).hasLineCount(1).startsWith("configuration error: GATEWAY_REDIS_URL must be redis://")
        .doesNotContain("hunter2pass");
  }

  @Test
  void versionPrintsTheVersionAndExits() throws Exception {
    Object[] r = runJar(Map.of(), "--version");
    assertThat(r[0]).isEqualTo(0);
    assertThat((String) r[1]).startsWith("openrouter-grpc-gateway ").hasLineCount(1);
  }

  @Test
  void everyBadSettingIsReportedAtOnceWithoutLoggingNoise() throws Exception {
    Object[] r = runJar(Map.of("GATEWAY_LOG_FORMAT", "yaml", "GATEWAY_PORT", "99999",
        "OPENROUTER_RETRY_MULTIPLIER", "lots"));
    assertThat(r[0]).isEqualTo(2);
    List<String> lines = ((String) r[1]).strip().lines().toList();
    assertThat(lines).hasSize(3).allMatch(l -> l.startsWith("configuration error: "));
    assertThat(lines).anyMatch(l -> l.contains("GATEWAY_LOG_FORMAT"))
        .anyMatch(l -> l.contains("GATEWAY_PORT")).anyMatch(l -> l.contains("OPENROUTER_RETRY_MULTIPLIER"));
  }

  @Test
  void aBusyPortIsAConfigurationErrorNotAStackTrace() throws Exception {
    try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Object[] r = runJar(Map.of("GATEWAY_HOST", "127.0.0.1", "GATEWAY_PORT", Integer.toString(busy.getLocalPort()),
          "GATEWAY_METRICS_PORT", "off"));
      assertThat(r[0]).isEqualTo(2);
      String out = (String) r[1];
      assertThat(out.lines()).anyMatch(l -> l.startsWith(
          "configuration error: GATEWAY_PORT " + busy.getLocalPort() + " cannot be used on 127.0.0.1"));
      assertThat(out).as("no stack trace").doesNotContain("\tat ");
    }
  }
}
