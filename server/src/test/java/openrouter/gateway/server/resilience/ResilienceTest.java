package openrouter.gateway.server.resilience;

import static openrouter.gateway.server.testing.Requests.chat;
import static openrouter.gateway.server.testing.Requests.detail;
import static openrouter.gateway.server.testing.Requests.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.rpc.RetryInfo;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import openrouter.gateway.server.json.OpenRouterJson;
import openrouter.gateway.simulator.RecordedRequest;
import openrouter.gateway.simulator.SimulatorKeys;
import openrouter.gateway.simulator.testing.Eventually;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.StreamCollector;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.ChatResponse;
import openrouter.gateway.v1.StreamChatResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retries, fallback chains and stream timeouts, against MockWebServer and the simulator. */
class ResilienceTest {
  private static final String SSE_OK = ": OPENROUTER PROCESSING\n\n"
      + "data: {\"id\":\"gen-1\",\"model\":\"m/ok\",\"provider\":\"P\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}\n\n"
      + "data: {\"id\":\"gen-1\",\"model\":\"m/ok\",\"provider\":\"P\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
      + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2,\"cost\":0.00001}}\n\n"
      + "data: [DONE]\n\n";
  private static final String ERROR_503 = "{\"error\":{\"code\":503,\"message\":\"overloaded\",\"metadata\":{\"error_type\":\"provider_overloaded\"}}}";

  private MockWebServer upstream;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = new MockWebServer();
    upstream.start(java.net.InetAddress.getLoopbackAddress(), 0);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    upstream.close();
  }

  private GatewayHarness gatewayOnMock(String... settings) throws Exception {
    GatewayHarness h = GatewayHarness.inProcess().withUpstream(upstream.url("/api/v1").uri(), SimulatorKeys.DEFAULT, settings);
    open.add(h);
    return h;
  }

  private GatewayHarness gatewayOnSimulator(String... settings) throws Exception {
    GatewayHarness h = GatewayHarness.inProcess().withSimulator(settings);
    open.add(h);
    return h;
  }

  private static MockResponse sse(String body) {
    return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream").body(body).build();
  }

  private static MockResponse error(int code, String body, String... headers) {
    MockResponse.Builder b = new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json").body(body);
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.addHeader(headers[i], headers[i + 1]);
    }
    return b.build();
  }

  @Test
  void retriesA503ThenSucceedsAndCountsTheAttempts() throws Exception {
    GatewayHarness h = gatewayOnMock();
    upstream.enqueue(error(503, ERROR_503));
    upstream.enqueue(sse(SSE_OK));
    List<StreamChatResponse> out = new ArrayList<>();
    h.chat().streamChat(chat("m/ok", "hi")).forEachRemaining(out::add);
    assertThat(out.get(out.size() - 1).getSummary().getAttempts()).isEqualTo(2);
    assertThat(upstream.getRequestCount()).isEqualTo(2);
  }

  @Test
  void retriesExhaustedEndsWithTheLastErrorAndAttemptMetadata() throws Exception {
    GatewayHarness h = gatewayOnMock("OPENROUTER_MAX_RETRIES", "2");
    for (int i = 0; i < 3; i++) {
      upstream.enqueue(error(503, ERROR_503));
    }
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> h.chat().chat(chat("m/ok", "hi")));
    assertThat(e.getStatus().getCode()).isEqualTo(Code.UNAVAILABLE);
    assertThat(errorInfo(e).getMetadataMap())
        .containsEntry("attempts", "3")
        .containsEntry("lastAttemptCause", "HTTP 503 provider_overloaded");
    assertThat(upstream.getRequestCount()).isEqualTo(3);
  }

  @Test
  void neverRetriesAfterTheFirstTokenReachedTheCaller() throws Exception {
    GatewayHarness h = gatewayOnMock();
    String cut = "data: {\"id\":\"gen-2\",\"model\":\"m/ok\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"partial\"},\"finish_reason\":null}]}\n\n";
    upstream.enqueue(sse(cut)); // ends without finish reason or [DONE]
    upstream.enqueue(sse(SSE_OK));
    StreamCollector c = new StreamCollector();
    h.chatAsync().streamChat(chat("m/ok", "hi"), c);
    assertThat(c.await().getCode()).isEqualTo(Code.UNAVAILABLE);
    assertThat(c.content()).isEqualTo("partial");
    assertThat(errorInfo((StatusRuntimeException) c.error()).getReason()).isEqualTo("STREAM_TRUNCATED");
    // Chat requests only: the cut generation's cost is looked up (GET /generation) a second
    // after the call, which a slow machine reaches before this line.
    int chats = 0;
    mockwebserver3.RecordedRequest sent;
    while ((sent = upstream.takeRequest(0, TimeUnit.SECONDS)) != null) {
      chats += sent.getUrl().encodedPath().endsWith("/chat/completions") ? 1 : 0;
    }
    assertThat(chats).isEqualTo(1);
  }

  @Test
  void aTruncatedStreamBeforeTheFirstTokenIsRetried() throws Exception {
    GatewayHarness h = gatewayOnMock();
    upstream.enqueue(sse(": OPENROUTER PROCESSING\n\n"));
    upstream.enqueue(sse(SSE_OK));
    StreamCollector c = new StreamCollector();
    h.chatAsync().streamChat(chat("m/ok", "hi"), c);
    assertThat(c.await().isOk()).isTrue();
    assertThat(c.content()).isEqualTo("hi");
    assertThat(upstream.getRequestCount()).isEqualTo(2);
  }

  @Test
  void a429WhoseRetryAfterExceedsTheDeadlineFailsAtOnce() throws Exception {
    GatewayHarness h = gatewayOnMock();
    upstream.enqueue(error(429, "{\"error\":{\"code\":429,\"message\":\"Rate limit exceeded\"}}", "Retry-After", "120"));
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> h.chat().withDeadlineAfter(30, TimeUnit.SECONDS).chat(chat("m/ok", "hi")));
    // No waiting for a retry that cannot fit: a gateway that waited would let the caller's
    // deadline expire (DEADLINE_EXCEEDED) instead of answering RESOURCE_EXHAUSTED.
    assertThat(e.getStatus().getCode()).isEqualTo(Code.RESOURCE_EXHAUSTED);
    assertThat(detail(e, RetryInfo.class).getRetryDelay().getSeconds()).isEqualTo(120);
    assertThat(upstream.getRequestCount()).isEqualTo(1);
  }

  @Test
  void a429WhoseRetryAfterExceedsTheMaximumDelayFailsAtOnceWithThatDelay() throws Exception {
    GatewayHarness h = gatewayOnMock("OPENROUTER_RETRY_MAX_DELAY_MS", "5000");
    upstream.enqueue(error(429, "{\"error\":{\"code\":429,\"message\":\"Rate limit exceeded\"}}", "Retry-After", "40"));
    upstream.enqueue(error(200, "{\"id\":\"gen-3\",\"model\":\"m/ok\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}"));
    // A deadline of 600 s would fit two 40 s waits: the maximum delay, not the deadline, decides.
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> h.chat().withDeadlineAfter(600, TimeUnit.SECONDS).chat(chat("m/ok", "hi")));
    assertThat(e.getStatus().getCode()).isEqualTo(Code.RESOURCE_EXHAUSTED);
    assertThat(detail(e, RetryInfo.class).getRetryDelay().getSeconds()).isEqualTo(40);
    assertThat(upstream.getRequestCount()).isEqualTo(1);
  }

  @Test
  void capacityExhaustedWithRetryAfter40sEndsTheStreamAtOnce() throws Exception {
    GatewayHarness h = gatewayOnSimulator("OPENROUTER_RETRY_MAX_DELAY_MS", "5000");
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> h.chat().withDeadlineAfter(600, TimeUnit.SECONDS)
            .streamChat(chat("sim/error-429-availability", "hi")).forEachRemaining(m -> { }));
    assertThat(e.getStatus().getCode()).isEqualTo(Code.RESOURCE_EXHAUSTED);
    assertThat(detail(e, RetryInfo.class).getRetryDelay().getSeconds()).isEqualTo(40);
    assertThat(h.simulator.requestCount("/chat/completions")).isEqualTo(1);
  }

  @Test
  void a429WhoseRetryAfterFitsIsRetriedAfterThatWait() throws Exception {
    GatewayHarness h = gatewayOnMock();
    upstream.enqueue(error(429, "{\"error\":{\"code\":429,\"message\":\"Rate limit exceeded\"}}", "Retry-After", "0.3"));
    upstream.enqueue(error(200, "{\"id\":\"gen-3\",\"model\":\"m/ok\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}"));
    long start = System.nanoTime();
    ChatResponse r = h.chat().chat(chat("m/ok", "hi"));
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(300);
    assertThat(r.getMessage().getContent()).isEqualTo("ok");
    assertThat(r.getSummary().getAttempts()).isEqualTo(2);
  }

  @Test
  void nonRetryableStatusesAreNotRetried() throws Exception {
    GatewayHarness h = gatewayOnMock();
    for (int status : new int[] {400, 401, 402, 403, 404, 500}) {
      int before = upstream.getRequestCount();
      upstream.enqueue(error(status, "{\"error\":{\"code\":" + status + ",\"message\":\"no\"}}"));
      upstream.enqueue(sse(SSE_OK)); // would succeed if (wrongly) retried
      catchThrowableOfType(StatusRuntimeException.class, () -> h.chat().chat(chat("m/ok", "hi")));
      assertThat(upstream.getRequestCount() - before).as("HTTP %d", status).isEqualTo(1);
      upstream.takeRequest(1, TimeUnit.SECONDS);
      // drain the unused success response so the next iteration starts clean
      h.chat().streamChat(chat("m/ok", "drain")).forEachRemaining(m -> { });
    }
  }

  @Test
  void connectionFailuresAreUnavailableUpstreamUnreachable() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    GatewayHarness refused = GatewayHarness.inProcess().withUpstream(URI.create("http://127.0.0.1:" + closedPort + "/api/v1"), SimulatorKeys.DEFAULT);
    open.add(refused);
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> refused.chat().chat(chat("m/ok", "hi")));
    assertThat(e.getStatus().getCode()).isEqualTo(Code.UNAVAILABLE);
    assertThat(errorInfo(e).getReason()).isEqualTo("UPSTREAM_UNREACHABLE");
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("attempts", "3");

    // A peer that answers a TLS hello with plain text: the handshake fails.
    ServerSocket notTls = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
    open.add(notTls);
    Thread peer = new Thread(() -> {
      try (var socket = notTls.accept()) {
        socket.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      } catch (java.io.IOException ignored) {
        // the test only needs the handshake to fail
      }
    });
    peer.setDaemon(true);
    peer.start();
    GatewayHarness tls = GatewayHarness.inProcess().withUpstream(URI.create("https://127.0.0.1:" + notTls.getLocalPort() + "/api/v1"), SimulatorKeys.DEFAULT,
        "OPENROUTER_MAX_RETRIES", "0");
    open.add(tls);
    StatusRuntimeException tlsFailure = catchThrowableOfType(StatusRuntimeException.class, () -> tls.chat().chat(chat("m/ok", "hi")));
    assertThat(tlsFailure.getStatus().getCode()).isEqualTo(Code.UNAVAILABLE);
    assertThat(errorInfo(tlsFailure).getReason()).as(tlsFailure.getStatus().getDescription()).isEqualTo("UPSTREAM_UNREACHABLE");

    GatewayHarness reset = gatewayOnMock("OPENROUTER_MAX_RETRIES", "0");
    upstream.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build());
    StatusRuntimeException resetFailure = catchThrowableOfType(StatusRuntimeException.class, () -> reset.chat().chat(chat("m/ok", "hi")));
    assertThat(resetFailure.getStatus().getCode()).isEqualTo(Code.UNAVAILABLE);
    assertThat(errorInfo(resetFailure).getReason()).as(resetFailure.getStatus().getDescription()).isEqualTo("UPSTREAM_UNREACHABLE");
  }

  /**
   * Ten models, nine failing before any output: the gateway walks them in upstream attempts of
   * four (OpenRouter takes three fallbacks besides the primary) and the tenth serves.
   */
  @Test
  void aChainOfTenIsWalkedInSlicesOfFour() throws Exception {
    GatewayHarness h = gatewayOnSimulator();
    List<String> chain = List.of("sim/error-400", "sim/error-403", "sim/error-404", "sim/error-408",
        "sim/error-409", "sim/error-413", "sim/error-422", "sim/error-500", "sim/error-504", "sim/echo");
    ChatRequest request = chat(chain.get(0), "walk the chain").toBuilder().addAllModels(chain.subList(1, 10)).build();
    List<StreamChatResponse> out = new ArrayList<>();
    h.chat().streamChat(request).forEachRemaining(out::add);

    var summary = out.get(out.size() - 1).getSummary();
    assertThat(summary.getModel()).isEqualTo("sim/echo");
    assertThat(summary.getAttempts()).isEqualTo(3);
    List<RecordedRequest> sent = h.simulator.requests().stream().filter(r -> r.path().equals("/chat/completions")).toList();
    assertThat(sent).hasSize(3);
    List<List<String>> slices = new ArrayList<>();
    for (RecordedRequest r : sent) {
      JsonNode body = OpenRouterJson.mapper().readTree(r.body());
      List<String> slice = new ArrayList<>(List.of(body.path("model").asText()));
      body.path("models").forEach(m -> slice.add(m.asText()));
      slices.add(slice);
    }
    assertThat(slices).containsExactly(chain.subList(0, 4), chain.subList(4, 8), chain.subList(8, 10));
  }

  @Test
  void aChainStopsAtAnInsufficientCreditsError() throws Exception {
    GatewayHarness h = gatewayOnSimulator();
    // The first slice ends on the 402: another model would not help, so sim/echo is not tried.
    ChatRequest request = chat("sim/error-400", "no money").toBuilder()
        .addAllModels(List.of("sim/error-403", "sim/error-404", "sim/error-402", "sim/echo")).build();
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> h.chat().chat(request));
    assertThat(e.getStatus().getCode()).isEqualTo(Code.FAILED_PRECONDITION);
    assertThat(errorInfo(e).getReason()).isEqualTo("INSUFFICIENT_CREDITS");
    assertThat(h.simulator.requestCount("/chat/completions")).isEqualTo(1);
  }

  @Test
  void ttftTimeoutMovesAlongTheChainBeforeTheFirstToken() throws Exception {
    // The limit also applies to sim/echo's attempt, whose first token must come within it: 5 s
    // bounds a loopback round trip on any machine (at 300 ms a busy machine missed it too).
    GatewayHarness h = gatewayOnSimulator("OPENROUTER_TTFT_TIMEOUT_MS", "5000");
    ChatRequest request = chat("sim/stall-first", "first stalls").toBuilder()
        .addAllModels(List.of("sim/error-400", "sim/error-403", "sim/error-404", "sim/echo")).build();
    List<StreamChatResponse> out = new ArrayList<>();
    h.chat().streamChat(request).forEachRemaining(out::add);
    assertThat(out.get(out.size() - 1).getSummary().getModel()).isEqualTo("sim/echo");
    assertThat(out.get(out.size() - 1).getSummary().getAttempts()).isEqualTo(2);
  }

  @Test
  void ttftTimeoutWithoutAChainEndsDeadlineExceeded() throws Exception {
    GatewayHarness h = gatewayOnSimulator("OPENROUTER_TTFT_TIMEOUT_MS", "300");
    StreamCollector c = new StreamCollector();
    long start = System.nanoTime();
    h.chatAsync().streamChat(chat("sim/stall-first", "never answers"), c);
    assertThat(c.await().getCode()).isEqualTo(Code.DEADLINE_EXCEEDED);
    assertThat(errorInfo((StatusRuntimeException) c.error()).getReason()).isEqualTo("TTFT_TIMEOUT");
    // Never before the TTFT timeout; how long after depends on the machine (the reason says why it ended).
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(250L);
    // The last chat request, not the last request: the generation's cost is looked up (GET
    // /generation) a second after the call, which a slow machine reaches before this line.
    List<RecordedRequest> chats = h.simulator.requests().stream()
        .filter(sent -> sent.path().equals("/chat/completions")).toList();
    RecordedRequest r = chats.get(chats.size() - 1);
    r.closedAtNanos().get(Eventually.DEADLINE.toSeconds(), TimeUnit.SECONDS);
    assertThat(r.clientDisconnected()).isTrue();
  }

  @Test
  void idleTimeoutAfterTheFirstTokenEndsTheStream() throws Exception {
    GatewayHarness h = gatewayOnSimulator("OPENROUTER_STREAM_IDLE_TIMEOUT_MS", "300");
    StreamCollector c = new StreamCollector();
    h.chatAsync().streamChat(chat("sim/stall", "one chunk then silence"), c);
    assertThat(c.await().getCode()).isEqualTo(Code.DEADLINE_EXCEEDED);
    assertThat(c.content()).isNotEmpty();
    assertThat(errorInfo((StatusRuntimeException) c.error()).getReason()).isEqualTo("STREAM_IDLE_TIMEOUT");
    assertThat(h.simulator.requestCount("/chat/completions")).as("no switch after the first token").isEqualTo(1);
  }
}
