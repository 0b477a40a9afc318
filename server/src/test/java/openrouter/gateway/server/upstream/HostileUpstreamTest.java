package openrouter.gateway.server.upstream;

import static openrouter.gateway.server.testing.Requests.chat;
import static openrouter.gateway.server.testing.Requests.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import openrouter.gateway.simulator.RecordedRequest;
import openrouter.gateway.simulator.SimulatorKeys;
import openrouter.gateway.simulator.testing.Eventually;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.StreamCollector;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.StreamChatResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A hostile upstream, through a real channel: answers that never end or are too large, redirects
 * and OkHttp's own follow-ups, JSON where an event stream was asked for. Each fails only its own
 * call, with a status that says why, and no request is sent that the retry policy did not decide.
 */
class HostileUpstreamTest {
  private static final int MAX_RETRIES = 2;
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private GatewayHarness simulator(String... settings) throws Exception {
    List<String> all = new ArrayList<>(List.of("OPENROUTER_MAX_RETRIES", Integer.toString(MAX_RETRIES)));
    all.addAll(List.of(settings));
    GatewayHarness h = GatewayHarness.inProcess().withSimulator(all.toArray(String[]::new));
    open.add(h);
    return h;
  }

  private static StatusRuntimeException streamFailure(GatewayHarness h, ChatRequest request) throws Exception {
    StreamCollector c = new StreamCollector();
    h.chatAsync().withDeadlineAfter(25, TimeUnit.SECONDS).streamChat(request, c);
    Status status = c.await();
    assertThat(status.isOk()).as("the stream must fail").isFalse();
    return (StatusRuntimeException) c.error();
  }

  private static StatusRuntimeException unaryFailure(GatewayHarness h, ChatRequest request) {
    return catchThrowableOfType(StatusRuntimeException.class,
        () -> h.chat().withDeadlineAfter(25, TimeUnit.SECONDS).chat(request));
  }

  private static RecordedRequest lastChatRequest(GatewayHarness h) {
    List<RecordedRequest> chats = h.simulator.requests().stream()
        .filter(r -> r.path().equals("/chat/completions")).toList();
    return chats.get(chats.size() - 1);
  }

  // ---- 1. every read bounded ----

  @Test
  void anSseLineThatNeverEndsFailsOnlyItsCallAndClosesItsConnection() throws Exception {
    GatewayHarness h = simulator("OPENROUTER_MAX_SSE_LINE_BYTES", "1048576");
    StatusRuntimeException e = streamFailure(h, chat("sim/endless-line", "never ends"));
    assertThat(e.getStatus().getCode()).isEqualTo(Code.UNAVAILABLE);
    assertThat(errorInfo(e).getReason()).isEqualTo("UPSTREAM_MALFORMED_RESPONSE");
    assertThat(e.getStatus().getDescription()).contains("1048576 bytes", "OPENROUTER_MAX_SSE_LINE_BYTES");
    assertThat(h.simulator.requestCount("/chat/completions")).as("not retried").isEqualTo(1);
    RecordedRequest upstream = lastChatRequest(h);
    upstream.closedAtNanos().get(Eventually.DEADLINE.toSeconds(), TimeUnit.SECONDS);
    assertThat(upstream.clientDisconnected()).as("the endless answer's connection is closed").isTrue();

    // Nothing else is affected.
    List<StreamChatResponse> out = new ArrayList<>();
    h.chat().streamChat(chat("sim/echo", "still here")).forEachRemaining(out::add);
    assertThat(out.get(out.size() - 1).getSummary().getFinishReason()).isEqualTo("stop");
  }

  @Test
  void aBodyThatNeverEndsFailsAChatCallAtTheBodyBound() throws Exception {
    GatewayHarness h = simulator("OPENROUTER_MAX_RESPONSE_BYTES", "1048576");
    StatusRuntimeException e = unaryFailure(h, chat("sim/endless-line", "never ends"));
    assertThat(e.getStatus().getCode()).isEqualTo(Code.UNAVAILABLE);
    assertThat(errorInfo(e).getReason()).isEqualTo("UPSTREAM_MALFORMED_RESPONSE");
    assertThat(e.getStatus().getDescription()).contains("OPENROUTER_MAX_RESPONSE_BYTES");
    assertThat(h.simulator.requestCount("/chat/completions")).isEqualTo(1);
    lastChatRequest(h).closedAtNanos().get(Eventually.DEADLINE.toSeconds(), TimeUnit.SECONDS);
    assertThat(lastChatRequest(h).clientDisconnected()).isTrue();
    assertThat(h.chat().chat(chat("sim/echo", "fine")).getMessage().getContent()).isEqualTo("fine");
  }

  @Test
  void aHugeEventAndAHugeBodyAreCutAtTheirBounds() throws Exception {
    GatewayHarness h = simulator("OPENROUTER_MAX_SSE_LINE_BYTES", "4194304",
        "OPENROUTER_MAX_SSE_EVENT_BYTES", "1048576", "OPENROUTER_MAX_RESPONSE_BYTES", "1048576");
    ChatRequest huge = chat("sim/huge", "big", Map.of("sim_huge_bytes", Integer.toString(2 << 20)));
    StatusRuntimeException streamed = streamFailure(h, huge);
    assertThat(errorInfo(streamed).getReason()).isEqualTo("UPSTREAM_MALFORMED_RESPONSE");
    assertThat(streamed.getStatus().getDescription()).contains("OPENROUTER_MAX_SSE_EVENT_BYTES");
    StatusRuntimeException unary = unaryFailure(h, huge);
    assertThat(errorInfo(unary).getReason()).isEqualTo("UPSTREAM_MALFORMED_RESPONSE");
    assertThat(unary.getStatus().getDescription()).contains("OPENROUTER_MAX_RESPONSE_BYTES");

    // Under the bounds the same model is a well-formed answer.
    ChatRequest small = chat("sim/huge", "small", Map.of("sim_huge_bytes", "100000"));
    assertThat(h.chat().chat(small).getMessage().getContent()).hasSize(100_000);
    List<StreamChatResponse> out = new ArrayList<>();
    h.chat().streamChat(small).forEachRemaining(out::add);
    assertThat(out.get(out.size() - 1).getSummary().getFinishReason()).isEqualTo("stop");
  }

  // ---- 3. no request the retry policy did not decide ----

  @Test
  void aRedirectIsNeverFollowedAndNamesItsLocation() throws Exception {
    GatewayHarness h = simulator();
    for (String model : List.of("sim/redirect", "sim/redirect-loop")) {
      for (boolean streaming : new boolean[] {true, false}) {
        int before = h.simulator.requests().size();
        StatusRuntimeException e = streaming ? streamFailure(h, chat(model, "go")) : unaryFailure(h, chat(model, "go"));
        assertThat(e.getStatus().getCode()).as(model).isEqualTo(Code.FAILED_PRECONDITION);
        assertThat(errorInfo(e).getReason()).isEqualTo("UPSTREAM_BASE_URL_WRONG");
        assertThat(e.getStatus().getDescription()).contains("/chat/completions", "OPENROUTER_BASE_URL");
        assertThat(h.simulator.requests().size() - before).as("%s streaming=%s: one request", model, streaming)
            .isEqualTo(1);
      }
    }
  }

  /**
   * The invariant: per slice of the model chain, at most 1 + OPENROUTER_MAX_RETRIES requests
   * reach the upstream, whatever it answers, and the status's attempts count all of them.
   */
  @Test
  void neverMoreThanOnePlusMaxRetriesRequestsPerSlice() throws Exception {
    GatewayHarness h = simulator();
    for (String model : List.of("sim/error-503-retry-after-0", "sim/error-503", "sim/error-408",
        "sim/error-401", "sim/redirect-loop", "sim/truncated")) {
      for (boolean streaming : new boolean[] {true, false}) {
        int before = h.simulator.requestCount("/chat/completions");
        StatusRuntimeException e = streaming ? streamFailure(h, chat(model, "count")) : unaryFailure(h, chat(model, "count"));
        int sent = h.simulator.requestCount("/chat/completions") - before;
        assertThat(sent).as("%s streaming=%s", model, streaming).isBetween(1, 1 + MAX_RETRIES);
        assertThat(errorInfo(e).getMetadataMap().get("attempts")).as("%s attempts", model)
            .isEqualTo(Integer.toString(sent));
      }
    }
    // Two slices of a chain (4 models, then 1; variants of one model): at most 2 × (1 + retries).
    String m = "sim/error-503-retry-after-0";
    ChatRequest chain = chat(m, "chain").toBuilder()
        .addAllModels(List.of(m + ":nitro", m + ":floor", m + ":free", m + ":extended"))
        .build();
    int before = h.simulator.requestCount("/chat/completions");
    StatusRuntimeException e = unaryFailure(h, chain);
    int sent = h.simulator.requestCount("/chat/completions") - before;
    assertThat(sent).isEqualTo(2 * (1 + MAX_RETRIES));
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("attempts", Integer.toString(sent));
    assertThat(errorInfo(e).getReason()).isEqualTo("PROVIDER_OVERLOADED");
  }

  /**
   * OkHttp's own follow-ups are off for reads too: a GET answered 503 with Retry-After: 0 or a
   * 408 is one request, and a redirect is not followed. (Reads have no retries; a 401 on
   * {@code /credits} is followed by the gateway's own, deliberate {@code /key} read.)
   */
  @Test
  void aGetIsNotReSentBehindTheGatewaysBack() throws Exception {
    try (MockWebServer upstream = new MockWebServer()) {
      upstream.start(java.net.InetAddress.getLoopbackAddress(), 0);
      GatewayHarness h = GatewayHarness.inProcess().withUpstream(upstream.url("/api/v1").uri(), SimulatorKeys.DEFAULT,
          "OPENROUTER_CACHE_MIN_REFRESH_INTERVAL_MS", "0"); // every force_refresh reads upstream
      open.add(h);
      var credits = openrouter.gateway.v1.CreditsServiceGrpc.newBlockingStub(h.channel);
      var request = openrouter.gateway.v1.GetCreditsRequest.newBuilder().setForceRefresh(true).build();
      String ok = "{\"data\":{\"total_credits\":10,\"total_usage\":1}}";
      String[][] answers = {
          {"503", "Retry-After", "0"}, {"408", "Retry-After", "0"}, {"307", "Location", "/api/v1/credits"}};
      for (String[] answer : answers) {
        int before = upstream.getRequestCount();
        upstream.enqueue(new MockResponse.Builder().code(Integer.parseInt(answer[0])).addHeader(answer[1], answer[2])
            .addHeader("Content-Type", "application/json")
            .body("{\"error\":{\"code\":" + answer[0] + ",\"message\":\"no\"}}").build());
        // What a hidden re-send would get instead:
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(ok).build());
        // The first round fails; later ones are served the last good balance, marked stale.
        catchThrowableOfType(StatusRuntimeException.class,
            () -> credits.withDeadlineAfter(30, TimeUnit.SECONDS).getCredits(request));
        assertThat(upstream.getRequestCount() - before).as("HTTP %s: one request", answer[0]).isEqualTo(1);
        // Take the unused success so the next round starts clean.
        upstream.takeRequest(Eventually.DEADLINE.toSeconds(), TimeUnit.SECONDS);
        credits.withDeadlineAfter(30, TimeUnit.SECONDS).getCredits(request);
        upstream.takeRequest(Eventually.DEADLINE.toSeconds(), TimeUnit.SECONDS);
      }
    }
  }

  // ---- 7. an upstream that echoes the key ----

  /** The simulator's sandbox for it: as sent, upper-cased, bare, and as the error_type. */
  @Test
  void theSimulatorsKeyEchoReachesNoStatus() throws Exception {
    String key = openrouter.gateway.server.testing.TestKeys.GATEWAY;
    String bare = key.substring("sk-or-v1-".length());
    GatewayHarness h = GatewayHarness.inProcess().withSimulatorKey(key);
    open.add(h);
    StatusRuntimeException streamed = streamFailure(h, chat("sim/error-echo-key", "echo"));
    StatusRuntimeException unary = unaryFailure(h, chat("sim/error-echo-key", "echo"));
    for (StatusRuntimeException e : List.of(streamed, unary)) {
      assertThat(e.getStatus().getCode()).isEqualTo(Code.INVALID_ARGUMENT);
      assertThat(errorInfo(e).getReason()).as("a key as error_type is no reason").isEqualTo("INVALID_REQUEST");
      assertThat(e.getStatus().getDescription()).contains("<redacted>");
      String everything = (e.getStatus() + "\n" + io.grpc.protobuf.StatusProto.fromThrowable(e) + "\n" + errorInfo(e))
          .toLowerCase(java.util.Locale.ROOT);
      assertThat(everything).doesNotContain(bare.substring(0, 16)).doesNotContain("sk-or-v1-7").doesNotContain("sk_or");
    }
  }

  // ---- 4. a JSON answer to a streaming request ----

  @Test
  void aJsonErrorAnsweringAStreamIsMappedLikeAUnaryOne() throws Exception {
    GatewayHarness h = simulator();
    StatusRuntimeException streamed = streamFailure(h, chat("sim/error-in-200-json", "json"));
    StatusRuntimeException unary = unaryFailure(h, chat("sim/error-in-200-json", "json"));
    for (StatusRuntimeException e : List.of(streamed, unary)) {
      assertThat(e.getStatus().getCode()).isEqualTo(Code.DEADLINE_EXCEEDED);
      assertThat(errorInfo(e).getReason()).isEqualTo("UPSTREAM_TIMEOUT");
      assertThat(errorInfo(e).getMetadataMap()).containsEntry("attempts", "1");
    }
    assertThat(h.simulator.requestCount("/chat/completions")).as("a 524 is not retried").isEqualTo(2);
  }

  @Test
  void aWholeJsonCompletionAnsweringAStreamIsHandedOnAsOneDelta() throws Exception {
    try (MockWebServer upstream = new MockWebServer()) {
      upstream.start(java.net.InetAddress.getLoopbackAddress(), 0);
      GatewayHarness h = GatewayHarness.inProcess().withUpstream(upstream.url("/api/v1").uri(), SimulatorKeys.DEFAULT);
      open.add(h);
      upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json; charset=utf-8")
          .body("{\"id\":\"gen-json\",\"model\":\"m/json\",\"provider\":\"P\",\"choices\":[{\"index\":0,"
              + "\"message\":{\"role\":\"assistant\",\"content\":\"whole answer\"},\"finish_reason\":\"stop\"}],"
              + "\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":2,\"total_tokens\":4}}")
          .build());
      List<StreamChatResponse> out = new ArrayList<>();
      h.chat().streamChat(chat("m/json", "hi")).forEachRemaining(out::add);
      assertThat(out).hasSize(2);
      assertThat(out.get(0).getDelta().getContent()).isEqualTo("whole answer");
      var summary = out.get(1).getSummary();
      assertThat(summary.getFinishReason()).isEqualTo("stop");
      assertThat(summary.getGenerationId()).isEqualTo("gen-json");
      assertThat(summary.getUsage().getTotalTokens()).isEqualTo(4);
      assertThat(upstream.getRequestCount()).isEqualTo(1);
    }
  }
}
