package openrouter.gateway.server.metrics;

import static openrouter.gateway.server.testing.Prometheus.value;
import static openrouter.gateway.server.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import openrouter.gateway.simulator.testing.Eventually;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.RawBytes;
import openrouter.gateway.server.testing.StreamCollector;
import openrouter.gateway.server.testing.TestKeys;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.StreamChatResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Prometheus endpoint, scraped over real HTTP after real calls. */
class MetricsEndpointTest {
  private static final String STREAM_CHAT = "openrouter.gateway.v1.ChatService/StreamChat";
  private static final String CHAT = "openrouter.gateway.v1.ChatService/Chat";
  private static GatewayHarness h;

  @BeforeAll
  static void start() throws Exception {
    h = GatewayHarness.withSimulator("GATEWAY_HEALTH_PROBE_INTERVAL_MS", "30000");
  }

  @AfterAll
  static void stop() throws Exception {
    h.close();
  }

  /**
   * A scrape once {@code recorded} holds of it: the server records a call's duration when its
   * stream has closed, which can come after the client already has the status (a test that
   * scraped at once could miss the last call on a busy machine).
   */
  private static String scrapeWhen(java.util.function.Predicate<String> recorded) throws InterruptedException {
    return Eventually.await("the server's record of the calls", () -> {
      try {
        return h.scrape();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, recorded);
  }

  private static void drain(ChatRequest request) {
    Iterator<StreamChatResponse> it = h.chat().streamChat(request);
    it.forEachRemaining(m -> {});
  }

  @Test
  void callsUpstreamRequestsRetriesFallbacksLatenciesTokensAndCostAreExposed() throws Exception {
    drain(chat("sim/echo", "four words of text"));
    h.chat().chat(chat("sim/echo", "unary call"));
    StatusRuntimeException invalid = catchThrowableOfType(StatusRuntimeException.class,
        () -> h.chat().chat(ChatRequest.newBuilder().setModel("sim/echo").build()));
    assertThat(invalid.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    StatusRuntimeException noCredits = catchThrowableOfType(StatusRuntimeException.class,
        () -> h.chat().chat(chat("sim/error-402", "x")));
    assertThat(noCredits.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    // A first slice of four failing models (the last, whose status counts, a retryable 502),
    // retried twice, then the chain moves on to sim/echo: attempts 3 + 1, retries 2, a fallback.
    h.chat().chat(chat("sim/error-500", "falls back").toBuilder()
        .addAllModels(List.of("sim/error-504", "sim/error-529", "sim/error-502", "sim/echo")).build());

    String m = scrapeWhen(s -> value(s, "grpc_server_call_duration_seconds_count", "grpc_method", CHAT,
        "grpc_status", "OK") >= 2);
    assertThat(value(m, "grpc_server_call_duration_seconds_count", "grpc_method", STREAM_CHAT, "grpc_status", "OK"))
        .isGreaterThanOrEqualTo(1);
    assertThat(value(m, "grpc_server_call_duration_seconds_count", "grpc_method", CHAT, "grpc_status", "OK"))
        .isGreaterThanOrEqualTo(2);
    assertThat(value(m, "grpc_server_call_duration_seconds_count", "grpc_method", CHAT,
        "grpc_service", "openrouter.gateway.v1.ChatService", "grpc_status", "INVALID_ARGUMENT")).isEqualTo(1);
    assertThat(value(m, "grpc_server_call_duration_seconds_count", "grpc_method", CHAT,
        "grpc_status", "FAILED_PRECONDITION")).isEqualTo(1);
    assertThat(value(m, "grpc_server_call_duration_seconds_bucket", "grpc_method", CHAT, "grpc_status", "OK",
        "le", "+Inf")).isGreaterThanOrEqualTo(2);
    assertThat(value(m, "grpc_server_call_started_total", "grpc_method", CHAT)).isGreaterThanOrEqualTo(4);

    assertThat(value(m, "http_client_request_duration_seconds_count", "url_template", "/chat/completions",
        "http_response_status_code", "200")).isGreaterThanOrEqualTo(3);
    assertThat(value(m, "http_client_request_duration_seconds_count", "url_template", "/chat/completions",
        "http_response_status_code", "502", "error_type", "502")).isEqualTo(3);
    assertThat(value(m, "http_client_request_duration_seconds_count", "url_template", "/chat/completions",
        "http_response_status_code", "402")).isEqualTo(1);
    assertThat(value(m, "http_client_request_duration_seconds_count", "url_template", "/key"))
        .as("the background probe").isGreaterThanOrEqualTo(1);

    assertThat(value(m, "gateway_upstream_attempts_total")).isGreaterThanOrEqualTo(7);
    assertThat(value(m, "gateway_upstream_retries_total", "error_type", "http_502")).isEqualTo(2);
    assertThat(value(m, "gateway_upstream_fallbacks_total")).isEqualTo(1);

    assertThat(value(m, "gen_ai_client_operation_time_to_first_chunk_seconds_count",
        "gen_ai_response_model", "sim/echo")).isEqualTo(1);
    assertThat(value(m, "gen_ai_client_operation_time_per_output_chunk_seconds_count"))
        .as("four words, so at least three gaps").isGreaterThanOrEqualTo(3);
    assertThat(value(m, "gen_ai_client_operation_duration_seconds_count", "gen_ai_response_model", "sim/echo",
        "error_type", "none")).isEqualTo(3);
    assertThat(value(m, "gen_ai_client_operation_duration_seconds_count", "error_type", "http_402")).isEqualTo(1);
    assertThat(value(m, "gen_ai_client_token_usage_sum", "gen_ai_response_model", "sim/echo",
        "gen_ai_token_type", "input")).isPositive();
    assertThat(value(m, "gen_ai_client_token_usage_sum", "gen_ai_response_model", "sim/echo",
        "gen_ai_token_type", "output")).isGreaterThanOrEqualTo(4 + 2 + 2);
    assertThat(value(m, "gateway_chat_cost_usd_total", "gen_ai_response_model", "sim/echo")).isPositive();

    assertThat(value(m, "gateway_rate_limited_calls_total", "grpc_service", "openrouter.gateway.v1.ChatService"))
        .isZero();
    assertThat(value(m, "grpc_server_connections")).isGreaterThanOrEqualTo(1);
    assertThat(value(m, "jvm_memory_used_bytes")).isPositive();
    assertThat(value(m, "jvm_threads_live_threads")).isPositive();
    assertThat(value(m, "process_uptime_seconds")).isPositive();
    assertThat(value(m, "process_cpu_usage")).isNotNaN();
    assertThat(m).doesNotContain("sk-or-").doesNotContain(TestKeys.GATEWAY.substring(9));
  }

  @Test
  void theActiveCallsGaugeReturnsToZeroAfterCancellationsAndErrors() throws Exception {
    StreamCollector slow = new StreamCollector();
    var call = h.channel.newCall(openrouter.gateway.v1.ChatServiceGrpc.getStreamChatMethod(), CallOptions.DEFAULT);
    // 3 s between chunks: still running at the scrape and the cancel, however slow the machine.
    ClientCalls.asyncServerStreamingCall(call, chat("sim/slow", "a b c d e f g h i j k l",
        Map.of("sim_chunk_delay_ms", "3000")), slow);
    assertThat(slow.firstMessage.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(value(h.scrape(), "grpc_server_active_calls", "grpc_method", STREAM_CHAT)).isEqualTo(1);

    call.cancel("the test cancels", null);
    assertThat(slow.await().getCode()).isEqualTo(Status.Code.CANCELLED);
    StreamCollector failing = new StreamCollector();
    h.chatAsync().streamChat(chat("sim/error-midstream", "fails midway"), failing);
    assertThat(failing.await().getCode()).isEqualTo(Status.Code.UNAVAILABLE);

    Eventually.await("no active StreamChat calls", () -> {
      try {
        return value(h.scrape(), "grpc_server_active_calls", "grpc_method", STREAM_CHAT) == 0;
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    String m = h.scrape();
    assertThat(value(m, "grpc_server_call_duration_seconds_count", "grpc_method", STREAM_CHAT,
        "grpc_status", "CANCELLED")).isGreaterThanOrEqualTo(1);
    assertThat(value(m, "grpc_server_call_duration_seconds_count", "grpc_method", STREAM_CHAT,
        "grpc_status", "UNAVAILABLE")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void callsNoServiceKnowsAreCountedUnderABoundedLabel() throws Exception {
    String madeUp = "evil.Service/Method" + System.nanoTime();
    MethodDescriptor<byte[], byte[]> method = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(madeUp)
        .setRequestMarshaller(RawBytes.MARSHALLER).setResponseMarshaller(RawBytes.MARSHALLER).build();
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
        h.channel, method, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), new byte[0]));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);

    String m = scrapeWhen(s -> value(s, "grpc_server_call_duration_seconds_count", "grpc_method", "other",
        "grpc_status", "UNIMPLEMENTED") >= 1);
    assertThat(value(m, "grpc_server_call_duration_seconds_count", "grpc_method", "other",
        "grpc_status", "UNIMPLEMENTED")).isGreaterThanOrEqualTo(1);
    assertThat(m).doesNotContain(madeUp);
  }

  @Test
  void cachesRegisteredThroughTheHookShowHitsAndMisses() throws Exception {
    Cache<String, String> cache = Caffeine.newBuilder().maximumSize(10).recordStats().build();
    h.gateway.metrics().monitorCache("test-cache", cache);
    cache.get("a", k -> "loaded");
    cache.getIfPresent("a");
    cache.getIfPresent("a");
    String m = h.scrape();
    assertThat(value(m, "cache_gets_total", "cache", "test-cache", "result", "hit")).isEqualTo(2);
    assertThat(value(m, "cache_gets_total", "cache", "test-cache", "result", "miss")).isEqualTo(1);
    assertThat(value(m, "cache_size", "cache", "test-cache")).isEqualTo(1);
  }

  @Test
  void onlyMetricsIsServed() throws Exception {
    int port = h.gateway.metricsPort().orElseThrow();
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> other = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(other.statusCode()).isEqualTo(404);
    HttpResponse<String> metrics = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    assertThat(metrics.body()).contains("# TYPE grpc_server_call_duration_seconds histogram");
  }

  @Test
  void offMeansNoEndpoint() throws Exception {
    try (GatewayHarness off = GatewayHarness.withSimulator("GATEWAY_METRICS_PORT", "off")) {
      assertThat(off.gateway.metricsPort()).isEmpty();
    }
  }
}
