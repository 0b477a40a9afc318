package openrouter.gateway.server.grpc;

import static openrouter.gateway.server.testing.Requests.chat;
import static openrouter.gateway.server.testing.Requests.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import okhttp3.Protocol;
import openrouter.gateway.server.config.ConfigException;
import openrouter.gateway.server.simulator.RecordedRequest;
import openrouter.gateway.server.simulator.SimulatorKeys;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.StreamCollector;
import openrouter.gateway.server.upstream.OpenRouterClient;
import openrouter.gateway.server.upstream.UpstreamObserver;
import openrouter.gateway.server.upstream.UpstreamTarget;
import openrouter.gateway.v1.StreamChatResponse;
import org.junit.jupiter.api.Test;

/**
 * What HTTP/2 to the upstream changes: concurrent calls share a connection instead of taking
 * one each, and a stream reset mid-answer is a failure like a cut connection.
 */
class Http2UpstreamTest {

  /** Starts {@code count} paced streams at once; returns their collectors once all ended. */
  private static List<StreamCollector> concurrentStreams(GatewayHarness h, int count, String marker)
      throws InterruptedException {
    List<StreamCollector> collectors = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      StreamCollector c = new StreamCollector();
      collectors.add(c);
      // 5 chunks 200 ms apart: open for about 800 ms, long enough for all to overlap.
      h.chatAsync().withDeadlineAfter(30, TimeUnit.SECONDS).streamChat(chat("sim/fixed", marker + " " + i,
          Map.of("sim_chunks", "5", "sim_chunk_delay_ms", "200")), c);
    }
    for (StreamCollector c : collectors) {
      assertThat(c.await().isOk()).as("every stream completes OK").isTrue();
    }
    return collectors;
  }

  private static List<RecordedRequest> chatRequestsWith(GatewayHarness h, String marker) {
    return h.simulator.requests().stream()
        .filter(r -> r.path().equals("/chat/completions") && r.body().contains(marker))
        .toList();
  }

  /** True if every request was received before any of them finished: all were open at once. */
  private static boolean allOpenAtOnce(List<RecordedRequest> requests) throws Exception {
    long lastReceived = Long.MIN_VALUE;
    long firstClosed = Long.MAX_VALUE;
    for (RecordedRequest r : requests) {
      lastReceived = Math.max(lastReceived, r.receivedAtNanos());
      firstClosed = Math.min(firstClosed, r.closedAtNanos().get(5, TimeUnit.SECONDS));
    }
    return lastReceived - firstClosed < 0;
  }

  @Test
  void concurrentStreamsShareOneUpstreamConnection() throws Exception {
    int streams = 200;
    try (GatewayHarness h = GatewayHarness.withSimulator(Http2Upstream.SETTINGS)) {
      // The first call opens the connection; calls that start together before it exists may
      // each open one (OkHttp keeps one and closes the rest).
      h.chat().chat(chat("sim/echo", "warm up"));
      assertThat(h.simulator.connectionsAccepted()).isEqualTo(1);

      String marker = UUID.randomUUID().toString();
      concurrentStreams(h, streams, marker);

      List<RecordedRequest> upstream = chatRequestsWith(h, marker);
      assertThat(upstream).hasSize(streams).allMatch(r -> r.protocol().equals("HTTP/2"));
      assertThat(allOpenAtOnce(upstream)).as("all %d streams were open at once", streams).isTrue();
      assertThat(h.simulator.connectionsAccepted()).isEqualTo(1);
      assertThat(h.simulator.openConnections()).isEqualTo(1);
    }
  }

  /** The contrast that makes the test above mean something: HTTP/1.1 takes a connection each. */
  @Test
  void overHttp1EachConcurrentStreamTakesAConnection() throws Exception {
    int streams = 50;
    try (GatewayHarness h = GatewayHarness.withSimulator()) {
      String marker = UUID.randomUUID().toString();
      concurrentStreams(h, streams, marker);

      List<RecordedRequest> upstream = chatRequestsWith(h, marker);
      assertThat(upstream).hasSize(streams).allMatch(r -> r.protocol().equals("HTTP/1.1"));
      assertThat(allOpenAtOnce(upstream)).isTrue();
      assertThat(h.simulator.connectionsAccepted()).isGreaterThanOrEqualTo(streams);
    }
  }

  /**
   * An upstream that resets the stream half-way through the answer (RST_STREAM, the HTTP/2 form
   * of a cut connection): the caller gets what arrived, then an error, never OK.
   */
  @Test
  void aStreamResetMidAnswerIsNeverOk() throws Exception {
    String delta = "data: {\"id\":\"gen-1\",\"model\":\"m/ok\",\"choices\":[{\"index\":0,"
        + "\"delta\":{\"content\":\"partial\"},\"finish_reason\":null}]}\n\n";
    String end = "data: {\"id\":\"gen-1\",\"model\":\"m/ok\",\"choices\":[{\"index\":0,\"delta\":{},"
        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,"
        + "\"total_tokens\":2}}\n\ndata: [DONE]\n\n";
    // MockWebServer resets after half the body: inside the keep-alives, after the delta.
    String body = delta + ": OPENROUTER PROCESSING\n\n".repeat(40) + end;
    try (MockWebServer upstream = new MockWebServer()) {
      upstream.setProtocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE));
      upstream.start(java.net.InetAddress.getLoopbackAddress(), 0);
      upstream.enqueue(new MockResponse.Builder().code(200)
          .addHeader("Content-Type", "text/event-stream")
          .body(body)
          .onResponseBody(new SocketEffect.CloseStream(2)) // INTERNAL_ERROR
          .build());
      try (GatewayHarness h = GatewayHarness.withUpstream(upstream.url("/api/v1").uri(),
          SimulatorKeys.DEFAULT, Http2Upstream.SETTINGS)) {
        StreamCollector c = new StreamCollector();
        h.chatAsync().streamChat(chat("m/ok", "hi"), c);

        assertThat(c.await().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(c.content()).isEqualTo("partial");
        assertThat(c.messages).noneMatch(StreamChatResponse::hasSummary);
        assertThat(errorInfo((StatusRuntimeException) c.error()).getReason()).isEqualTo("STREAM_TRUNCATED");
        assertThat(upstream.takeRequest().getHandshake()).isNull(); // cleartext
        assertThat(upstream.getRequestCount()).isEqualTo(1);
      }
    }
  }

  @Test
  void theClientRefusesPriorKnowledgeForHttps() {
    UpstreamTarget https = new UpstreamTarget(URI.create("https://openrouter.ai/api/v1"),
        Optional.of(SimulatorKeys.DEFAULT), false);
    assertThatThrownBy(() -> new OpenRouterClient(https, Optional.empty(), "test", "0",
        UpstreamObserver.NONE, true))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http://");
  }
}
