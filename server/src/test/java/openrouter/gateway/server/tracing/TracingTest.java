package openrouter.gateway.server.tracing;

import static openrouter.gateway.server.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import openrouter.gateway.server.grpc.AccessLogInterceptor;
import openrouter.gateway.simulator.RecordedRequest;
import openrouter.gateway.simulator.SimulatorKeys;
import openrouter.gateway.simulator.testing.CapturedLogs;
import openrouter.gateway.simulator.testing.Eventually;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.OtlpReceiver;
import openrouter.gateway.server.testing.OtlpReceiver.Received;
import openrouter.gateway.server.testing.StreamCollector;
import openrouter.gateway.server.testing.TestKeys;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.ChatResponse;
import openrouter.gateway.v1.ChatServiceGrpc;
import openrouter.gateway.v1.StreamChatResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Spans from a real in-JVM gateway reach a real OTLP receiver (gRPC and HTTP): the caller's
 * trace is joined, the tree is server span then one client span per upstream attempt, GenAI
 * attributes are right, failures and cancellations end with their status, and no attribute
 * holds message content or a key.
 */
class TracingTest {
  private static OtlpReceiver receiver;
  private static GatewayHarness grpcExport;
  private static GatewayHarness httpExport;

  @BeforeAll
  static void start() throws Exception {
    receiver = new OtlpReceiver();
    grpcExport = GatewayHarness.inProcess().withSimulator(otel(receiver.grpcEndpoint(), "grpc"));
    httpExport = GatewayHarness.inProcess().withSimulator(otel(receiver.httpEndpoint(), "http/protobuf"));
  }

  @AfterAll
  static void stop() throws Exception {
    grpcExport.close();
    httpExport.close();
    receiver.close();
  }

  private static String[] otel(String endpoint, String protocol) {
    return new String[] {
        "OTEL_TRACES_EXPORTER", "otlp",
        "OTEL_EXPORTER_OTLP_ENDPOINT", endpoint,
        "OTEL_EXPORTER_OTLP_PROTOCOL", protocol,
        "OTEL_BSP_SCHEDULE_DELAY", "50",
        "OTEL_SERVICE_NAME", "gateway-under-test"};
  }

  /** A caller's traceparent: a random trace id and parent span id. */
  private record Caller(String traceId, String spanId) {
    static Caller random() {
      ThreadLocalRandom r = ThreadLocalRandom.current();
      return new Caller(String.format("%016x%016x", r.nextLong() | 1, r.nextLong()), String.format("%016x", r.nextLong() | 1));
    }

    Metadata headers() {
      Metadata m = new Metadata();
      m.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), "00-" + traceId + "-" + spanId + "-01");
      return m;
    }
  }

  private static ChatServiceGrpc.ChatServiceStub async(GatewayHarness h, Caller caller) {
    return h.chatAsync().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(caller.headers()));
  }

  private static Received serverSpan(Caller caller) throws InterruptedException {
    return receiver.await(s -> s.traceId().equals(caller.traceId) && s.span().getKind() == Span.SpanKind.SPAN_KIND_SERVER);
  }

  private static List<Received> attemptSpans(Received server, int count) throws InterruptedException {
    return receiver.awaitAll(s -> s.traceId().equals(server.traceId())
        && s.span().getKind() == Span.SpanKind.SPAN_KIND_CLIENT && s.parentSpanId().equals(server.spanId()), count);
  }

  @Test
  void aStreamJoinsTheCallersTraceWithGenAiAttributesAndAnAttemptSpan() throws Exception {
    Caller caller = Caller.random();
    String secretWords = "confidential-" + UUID.randomUUID();
    StreamCollector c = new StreamCollector();
    CapturedLogs access = new CapturedLogs(AccessLogInterceptor.LOGGER, Level.INFO);
    ChatRequest request = chat("sim/echo", secretWords + " alpha beta").toBuilder().setTemperature(0.5).setMaxTokens(100).build();
    try (access) {
      String requestId = "trace-stream-" + UUID.randomUUID();
      Metadata id = new Metadata();
      id.put(AccessLogInterceptor.REQUEST_ID, requestId);
      async(grpcExport, caller).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(id)).streamChat(request, c);
      assertThat(c.await().getCode()).isEqualTo(Status.Code.OK);
      var summary = c.messages.get(c.messages.size() - 1).getSummary();

      Received server = serverSpan(caller);
      assertThat(server.parentSpanId()).isEqualTo(caller.spanId);
      assertThat(server.span().getName()).isEqualTo("openrouter.gateway.v1.ChatService/StreamChat");
      assertThat(server.resourceString("service.name")).isEqualTo("gateway-under-test");
      assertThat(server.string("rpc.system")).isEqualTo("grpc");
      assertThat(server.string("rpc.service")).isEqualTo("openrouter.gateway.v1.ChatService");
      assertThat(server.string("rpc.method")).isEqualTo("StreamChat");
      assertThat(server.integer("rpc.grpc.status_code")).isEqualTo(0L);
      assertThat(server.string("gen_ai.operation.name")).isEqualTo("chat");
      assertThat(server.string("gen_ai.provider.name")).isEqualTo("openrouter");
      assertThat(server.string("gen_ai.request.model")).isEqualTo("sim/echo");
      assertThat(server.attribute("gen_ai.request.temperature").orElseThrow().getDoubleValue()).isEqualTo(0.5);
      assertThat(server.integer("gen_ai.request.max_tokens")).isEqualTo(100L);
      assertThat(server.string("gen_ai.response.model")).isEqualTo(summary.getModel());
      assertThat(server.string("gen_ai.response.id")).isEqualTo(summary.getGenerationId());
      assertThat(server.attribute("gen_ai.response.finish_reasons").orElseThrow().getArrayValue().getValues(0).getStringValue())
          .isEqualTo("stop");
      assertThat(server.integer("gen_ai.usage.input_tokens")).isEqualTo((long) summary.getUsage().getPromptTokens());
      assertThat(server.integer("gen_ai.usage.output_tokens")).isEqualTo((long) summary.getUsage().getCompletionTokens());
      assertThat(server.attribute("openrouter.cost_usd").orElseThrow().getDoubleValue())
          .isEqualTo(Double.parseDouble(summary.getUsage().getCost()));

      Received attempt = attemptSpans(server, 1).get(0);
      assertThat(attempt.span().getName()).isEqualTo("POST /chat/completions");
      assertThat(attempt.string("http.request.method")).isEqualTo("POST");
      assertThat(attempt.string("url.template")).isEqualTo("/chat/completions");
      assertThat(attempt.integer("http.response.status_code")).isEqualTo(200L);
      // The stream's attempt span lasts until the body was read.
      assertThat(attempt.span().getEndTimeUnixNano()).isLessThanOrEqualTo(server.span().getEndTimeUnixNano());

      // The upstream request carried the attempt's trace context.
      RecordedRequest upstream = grpcExport.simulator.requests().stream()
          .filter(r -> r.body().contains(secretWords)).findFirst().orElseThrow();
      assertThat(upstream.header("traceparent")).isEqualTo("00-" + caller.traceId + "-" + attempt.spanId() + "-01");

      // The call's access line names the trace and the server span.
      // This call's line (by its request id: another test's stream may end meanwhile).
      access.await("request_id=" + requestId, 1);
      Map<String, String> mdc = access.mdcOf("request_id=" + requestId);
      assertThat(mdc).containsEntry("trace_id", caller.traceId).containsEntry("span_id", server.spanId());
    }
    assertNothingSecretIn(receiver.spans(), secretWords);
  }

  @Test
  void aUnaryCallOverOtlpHttpStartsItsOwnTraceWithoutACaller() throws Exception {
    String secretWords = "private-" + UUID.randomUUID();
    String requestId = "trace-unary-" + UUID.randomUUID();
    Metadata m = new Metadata();
    m.put(AccessLogInterceptor.REQUEST_ID, requestId);
    ChatResponse response = httpExport.chat().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m))
        .chat(chat("sim/echo", secretWords));
    Received server = receiver.await(s -> s.span().getKind() == Span.SpanKind.SPAN_KIND_SERVER
        && response.getSummary().getGenerationId().equals(s.string("gen_ai.response.id")));
    assertThat(server.span().getParentSpanId().isEmpty()).isTrue();
    assertThat(server.string("rpc.method")).isEqualTo("Chat");
    assertThat(server.string("gen_ai.operation.name")).isEqualTo("chat");
    assertThat(server.integer("gen_ai.usage.output_tokens")).isEqualTo((long) response.getSummary().getUsage().getCompletionTokens());
    assertThat(server.attribute("gen_ai.request.temperature")).isEmpty(); // not set, not sent
    assertThat(attemptSpans(server, 1).get(0).integer("http.response.status_code")).isEqualTo(200L);
    assertNothingSecretIn(receiver.spans(), secretWords);
  }

  @Test
  void aMidStreamFailureEndsTheServerSpanWithItsStatusAndReason() throws Exception {
    Caller caller = Caller.random();
    StreamCollector c = new StreamCollector();
    async(grpcExport, caller).streamChat(chat("sim/error-midstream", "x y z"), c);
    assertThat(c.await().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    Received server = serverSpan(caller);
    assertThat(server.span().getStatus().getCode()).isEqualTo(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR);
    assertThat(server.integer("rpc.grpc.status_code")).isEqualTo((long) Status.Code.UNAVAILABLE.value());
    assertThat(server.string("error.type")).isEqualTo("PROVIDER_UNAVAILABLE");
    assertThat(server.string("gen_ai.response.id")).startsWith("gen-");
  }

  @Test
  void aCancelledStreamEndsItsSpansCancelled() throws Exception {
    Caller caller = Caller.random();
    AtomicReference<ClientCallStreamObserver<ChatRequest>> call = new AtomicReference<>();
    class Cancelling extends StreamCollector implements ClientResponseObserver<ChatRequest, StreamChatResponse> {
      @Override
      public void beforeStart(ClientCallStreamObserver<ChatRequest> requestStream) {
        call.set(requestStream);
      }
    }
    Cancelling c = new Cancelling();
    // 3 s between chunks: still running when cancelled, however slow the machine.
    async(grpcExport, caller).streamChat(chat("sim/slow", "a b c d e f g h i j", Map.of("sim_chunk_delay_ms", "3000")), c);
    assertThat(c.firstMessage.await(Eventually.DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
    call.get().cancel("the caller gives up", null);
    assertThat(c.await().getCode()).isEqualTo(Status.Code.CANCELLED);

    Received server = serverSpan(caller);
    assertThat(server.integer("rpc.grpc.status_code")).isEqualTo((long) Status.Code.CANCELLED.value());
    assertThat(server.span().getStatus().getCode()).isEqualTo(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR);
    assertThat(server.span().getEventsList()).anyMatch(e -> e.getName().equals("cancelled"));
    Received attempt = attemptSpans(server, 1).get(0);
    assertThat(attempt.string("error.type")).isEqualTo("cancelled");
  }

  @Test
  void aCallerDeadlineMidStreamEndsTheServerSpanDeadlineExceeded() throws Exception {
    Caller caller = Caller.random();
    StreamCollector c = new StreamCollector();
    async(grpcExport, caller).withDeadlineAfter(700, TimeUnit.MILLISECONDS)
        .streamChat(chat("sim/slow", "a b c d e f g h i j", Map.of("sim_chunk_delay_ms", "200")), c);
    assertThat(c.await().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);

    Received server = serverSpan(caller);
    assertThat(server.integer("rpc.grpc.status_code")).isEqualTo((long) Status.Code.DEADLINE_EXCEEDED.value());
    assertThat(server.span().getStatus().getCode()).isEqualTo(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR);
    assertThat(server.span().getEventsList()).anyMatch(e -> e.getName().equals("deadline_exceeded"));
    assertThat(attemptSpans(server, 1).get(0).string("error.type")).isNotEmpty();
  }

  @Test
  void aCallRefusedBeforeTheUpstreamEndsItsSpanWithTheReason() throws Exception {
    Caller caller = Caller.random();
    StatusRuntimeException e = org.assertj.core.api.Assertions.catchThrowableOfType(StatusRuntimeException.class,
        () -> grpcExport.chat().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(caller.headers()))
            .chat(ChatRequest.newBuilder().setModel("sim/echo").build())); // no messages
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    Received server = serverSpan(caller);
    assertThat(server.integer("rpc.grpc.status_code")).isEqualTo((long) Status.Code.INVALID_ARGUMENT.value());
    assertThat(server.span().getStatus().getCode()).isEqualTo(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR);
    assertThat(server.string("error.type")).isEqualTo(openrouter.gateway.server.testing.Requests.errorInfo(e).getReason());
  }

  @Test
  void eachRetryIsItsOwnAttemptSpanUnderTheServerSpan() throws Exception {
    try (MockWebServer upstream = new MockWebServer()) {
      upstream.start(java.net.InetAddress.getLoopbackAddress(), 0);
      MockResponse overloaded = new MockResponse.Builder().code(503).addHeader("Content-Type", "application/json")
          .body("{\"error\":{\"code\":503,\"message\":\"overloaded\"}}").build();
      upstream.enqueue(overloaded);
      upstream.enqueue(overloaded);
      upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(
          "{\"id\":\"gen-r\",\"model\":\"m/ok\",\"provider\":\"P\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
              + "\"content\":\"hi\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,"
              + "\"total_tokens\":2,\"cost\":0.00001}}").build());
      try (GatewayHarness h = GatewayHarness.inProcess().withUpstream(upstream.url("/api/v1").uri(), SimulatorKeys.DEFAULT,
          otel(receiver.grpcEndpoint(), "grpc"))) {
        Caller caller = Caller.random();
        h.chat().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(caller.headers())).chat(chat("m/ok", "hi"));
        Received server = serverSpan(caller);
        List<Received> attempts = attemptSpans(server, 3);
        assertThat(attempts).extracting(a -> a.integer("http.response.status_code")).containsExactlyInAnyOrder(503L, 503L, 200L);
        assertThat(attempts).filteredOn(a -> a.integer("http.response.status_code") == 503L)
            .allMatch(a -> "503".equals(a.string("error.type")));
        assertThat(server.span().getEventsList()).filteredOn(e -> e.getName().equals("retry")).hasSize(2);
        assertThat(server.integer("gateway.upstream.attempts")).isEqualTo(3L);
        assertThat(upstream.takeRequest().getHeaders().get("traceparent")).contains(caller.traceId);
      }
    }
  }

  @Test
  void theCallersTracestateIsKeptOnTheServerSpan() throws Exception {
    Caller caller = Caller.random();
    Metadata headers = caller.headers();
    headers.put(Metadata.Key.of("tracestate", Metadata.ASCII_STRING_MARSHALLER), "vendor1=opaque1,vendor2=opaque2");
    grpcExport.chat().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)).chat(chat("sim/echo", "state"));
    Received server = serverSpan(caller);
    assertThat(server.parentSpanId()).isEqualTo(caller.spanId);
    assertThat(server.span().getTraceState()).isEqualTo("vendor1=opaque1,vendor2=opaque2");
  }

  @Test
  void aTtftWatchdogAndTheFallbackItCausesAreEventsOfTheServerSpan() throws Exception {
    try (GatewayHarness h = GatewayHarness.inProcess().withSimulator(
        concat(otel(receiver.grpcEndpoint(), "grpc"), "OPENROUTER_TTFT_TIMEOUT_MS", "1000"))) {
      Caller caller = Caller.random();
      ChatRequest request = chat("sim/stall-first", "first stalls").toBuilder()
          .addAllModels(List.of("sim/error-400", "sim/error-403", "sim/error-404", "sim/echo")).build();
      StreamCollector c = new StreamCollector();
      h.chatAsync().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(caller.headers())).streamChat(request, c);
      c.await();
      // Not asserted: whether sim/echo then answered within the TTFT limit (a busy machine may
      // make it miss too); the stalled first slice always fires the watchdog and falls back.
      Received server = serverSpan(caller);
      assertThat(server.span().getEventsList()).filteredOn(e -> e.getName().equals("watchdog_fired"))
          .isNotEmpty().first().satisfies(e -> assertThat(e.getAttributesList())
              .anyMatch(kv -> kv.getKey().equals("limit") && kv.getValue().getStringValue().equals("ttft")));
      assertThat(server.span().getEventsList()).filteredOn(e -> e.getName().equals("fallback"))
          .singleElement().satisfies(e -> assertThat(e.getAttributesList())
              .anyMatch(kv -> kv.getKey().equals("gen_ai.request.model") && kv.getValue().getStringValue().equals("sim/echo")));
      assertThat(server.integer("gateway.upstream.attempts")).isEqualTo(2L);
      assertThat(attemptSpans(server, 2)).extracting(a -> a.string("url.template")).containsOnly("/chat/completions");
    }
  }

  @Test
  void aKeyGivenAsTheModelNameIsInNoAttribute() throws Exception {
    Caller caller = Caller.random();
    String key = "sk-or-v1-" + "0123456789abcdef".repeat(4);
    try {
      grpcExport.chat().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(caller.headers()))
          .chat(chat(key, "which model?"));
    } catch (StatusRuntimeException refusedOrFailed) {
      // either way the span must not carry the key
    }
    Received server = serverSpan(caller);
    List<Received> trace = new ArrayList<>(receiver.spans().stream().filter(r -> r.traceId().equals(caller.traceId)).toList());
    assertThat(trace).contains(server);
    assertNothingSecretIn(trace, key.substring("sk-or-v1-".length()));
    assertThat(server.string("gen_ai.request.model")).isEqualTo("sk-or-<redacted>");
  }

  @Test
  void theCostOfAFailedStreamLearnedLaterIsLoggedWithTheCallsTraceAndItsLookupJoinsTheTrace() throws Exception {
    Caller caller = Caller.random();
    try (CapturedLogs costLines = new CapturedLogs(openrouter.gateway.server.chat.CallCosts.LOGGER, Level.INFO)) {
      StreamCollector c = new StreamCollector();
      async(grpcExport, caller).streamChat(chat("sim/error-midstream", "a b c d e"), c);
      assertThat(c.await().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      Received server = serverSpan(caller);
      String generationId = server.string("gen_ai.response.id");

      costLines.await("generation_id=" + generationId, 1);
      assertThat(costLines.mdcOf("generation_id=" + generationId))
          .containsEntry("trace_id", caller.traceId).containsEntry("span_id", server.spanId());
      Received lookup = receiver.await(s -> s.traceId().equals(caller.traceId) && "/generation".equals(s.string("url.template")));
      assertThat(lookup.span().getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
    }
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  @Test
  void theSamplerAndResourceAttributesComeFromTheirOtelVariables() throws Exception {
    try (GatewayHarness h = GatewayHarness.inProcess().withSimulator(concat(otel(receiver.grpcEndpoint(), "grpc"),
        "OTEL_TRACES_SAMPLER", "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG", "0",
        "OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=sampler-test"))) {
      // A sampled caller is followed (parent-based) and its span carries the resource attributes.
      Caller caller = Caller.random();
      h.chat().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(caller.headers())).chat(chat("sim/echo", "sampled"));
      assertThat(serverSpan(caller).resourceString("deployment.environment")).isEqualTo("sampler-test");
      // Without a caller, ratio 0 samples nothing: the upstream is told the trace is not sampled.
      String marker = "unsampled-" + UUID.randomUUID();
      h.chat().chat(chat("sim/echo", marker));
      RecordedRequest upstream = h.simulator.requests().stream().filter(r -> r.body().contains(marker)).findFirst().orElseThrow();
      String traceparent = upstream.header("traceparent");
      assertThat(traceparent).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
      assertThat(Integer.parseInt(traceparent.substring(53), 16) & 1).as("the sampled flag of " + traceparent).isZero();
    }
  }

  @Test
  void withTracingOffNoSpanIsMadeAndNoTraceparentIsSent() throws Exception {
    try (GatewayHarness h = GatewayHarness.inProcess().withSimulator()) {
      String marker = "untraced-" + UUID.randomUUID();
      Caller caller = Caller.random();
      h.chat().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(caller.headers())).chat(chat("sim/echo", marker));
      RecordedRequest upstream = h.simulator.requests().stream().filter(r -> r.body().contains(marker)).findFirst().orElseThrow();
      assertThat(upstream.header("traceparent")).isNull();
    }
  }

  /** No attribute or event attribute holds message text or anything key-like. */
  private static void assertNothingSecretIn(List<Received> spans, String content) {
    List<String> values = new ArrayList<>();
    for (Received r : spans) {
      values.add(r.span().getName());
      r.span().getAttributesList().forEach(kv -> values.add(kv.getKey() + "=" + text(kv.getValue())));
      r.span().getEventsList().forEach(e -> e.getAttributesList().forEach(kv -> values.add(kv.getKey() + "=" + text(kv.getValue()))));
    }
    assertThat(values).isNotEmpty().noneMatch(v -> v.contains(content))
        .noneMatch(v -> v.matches("(?s).*sk-or-[A-Za-z0-9].*")) // "sk-or-<redacted>" is the redactor's mark
        .noneMatch(v -> v.contains(TestKeys.GATEWAY))
        .noneMatch(v -> v.toLowerCase(java.util.Locale.ROOT).contains("bearer"));
  }

  private static String text(AnyValue v) {
    return v.toString();
  }


}
