package openrouter.gateway.server.upstream;

import static openrouter.gateway.server.testing.Requests.chat;
import static openrouter.gateway.server.testing.Requests.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import okhttp3.Protocol;
import openrouter.gateway.simulator.OpenRouterSimulator;
import openrouter.gateway.simulator.RecordedRequest;
import openrouter.gateway.simulator.SimulatorOptions;
import openrouter.gateway.simulator.SimulatorKeys;
import openrouter.gateway.simulator.testing.Eventually;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.Http2Upstream;
import openrouter.gateway.server.testing.StreamCollector;
import openrouter.gateway.v1.StreamChatResponse;
import org.junit.jupiter.api.Test;

/**
 * What HTTP/2 to the upstream changes: concurrent calls share a connection instead of taking
 * one each, and a stream reset mid-answer is a failure like a cut connection.
 */
class Http2UpstreamTest {

  /**
   * Starts {@code count} streams of {@code sim/stall} (one chunk, then nothing but rare keep-alive
   * comments until cancelled) in {@code context}. The upstream holds every one of them open, so
   * once the upstream has received all of them they are all open at once: the overlap is gated
   * by the upstream, not by how fast the machine starts them.
   */
  private static List<StreamCollector> heldStreams(GatewayHarness h, Context.CancellableContext context, int count,
      String marker) {
    List<StreamCollector> collectors = new ArrayList<>();
    context.run(() -> {
      for (int i = 0; i < count; i++) {
        StreamCollector c = new StreamCollector();
        collectors.add(c);
        h.chatAsync().streamChat(chat("sim/stall", marker + " " + i), c);
      }
    });
    return collectors;
  }

  /** Waits until the upstream has received all {@code count} requests; none of them has ended. */
  private static List<RecordedRequest> awaitAllHeldOpen(OpenRouterSimulator sim, String marker, int count)
      throws InterruptedException {
    List<RecordedRequest> upstream = Eventually.await(count + " requests held open at the upstream",
        () -> chatRequestsWith(sim, marker), requests -> requests.size() == count);
    assertThat(upstream).as("the upstream ends none of them").noneMatch(r -> r.closedAtNanos().isDone());
    return upstream;
  }

  /** Cancels the held streams; each ends CANCELLED for its caller. */
  private static void cancel(Context.CancellableContext context, List<StreamCollector> streams)
      throws InterruptedException {
    context.cancel(null);
    for (StreamCollector c : streams) {
      assertThat(c.await().getCode()).isEqualTo(Status.Code.CANCELLED);
    }
  }

  /** A simulator whose held streams send keep-alive comments at its slowest allowed pace (50 ms). */
  private static OpenRouterSimulator quietSimulator() throws Exception {
    return OpenRouterSimulator.start(SimulatorOptions.builder().keepAliveInterval(Duration.ofMillis(50)).build());
  }

  private static List<RecordedRequest> chatRequestsWith(OpenRouterSimulator sim, String marker) {
    return sim.requests().stream()
        .filter(r -> r.path().equals("/chat/completions") && r.body().contains(marker))
        .toList();
  }

  @Test
  void concurrentStreamsShareOneUpstreamConnection() throws Exception {
    int streams = 200;
    try (OpenRouterSimulator sim = quietSimulator();
        GatewayHarness h = GatewayHarness.inProcess().withUpstream(URI.create(sim.baseUrl()), SimulatorKeys.DEFAULT,
            Http2Upstream.SETTINGS);
        Context.CancellableContext context = Context.current().withCancellation()) {
      // The first call opens the connection; calls that start together before it exists may
      // each open one (OkHttp keeps one and closes the rest).
      h.chat().chat(chat("sim/echo", "warm up"));
      assertThat(sim.connectionsAccepted()).isEqualTo(1);

      String marker = UUID.randomUUID().toString();
      List<StreamCollector> held = heldStreams(h, context, streams, marker);
      List<RecordedRequest> upstream = awaitAllHeldOpen(sim, marker, streams);
      // All 200 are open at this moment, and each HTTP/2 stream needs a connection: one carries them all.
      assertThat(upstream).allMatch(r -> r.protocol().equals("HTTP/2"));
      assertThat(sim.connectionsAccepted()).isEqualTo(1);
      assertThat(sim.openConnections()).isEqualTo(1);
      cancel(context, held);
    }
  }

  /** The contrast that makes the test above mean something: HTTP/1.1 takes a connection each. */
  @Test
  void overHttp1EachConcurrentStreamTakesAConnection() throws Exception {
    int streams = 50;
    try (OpenRouterSimulator sim = quietSimulator();
        GatewayHarness h = GatewayHarness.inProcess().withUpstream(URI.create(sim.baseUrl()), SimulatorKeys.DEFAULT);
        Context.CancellableContext context = Context.current().withCancellation()) {
      String marker = UUID.randomUUID().toString();
      List<StreamCollector> held = heldStreams(h, context, streams, marker);
      List<RecordedRequest> upstream = awaitAllHeldOpen(sim, marker, streams);
      assertThat(upstream).allMatch(r -> r.protocol().equals("HTTP/1.1"));
      assertThat(sim.connectionsAccepted()).isGreaterThanOrEqualTo(streams);
      cancel(context, held);
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
      try (GatewayHarness h = GatewayHarness.inProcess().withUpstream(upstream.url("/api/v1").uri(),
          SimulatorKeys.DEFAULT, Http2Upstream.SETTINGS)) {
        StreamCollector c = new StreamCollector();
        h.chatAsync().streamChat(chat("m/ok", "hi"), c);

        assertThat(c.await().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(c.content()).isEqualTo("partial");
        assertThat(c.messages).noneMatch(StreamChatResponse::hasSummary);
        assertThat(errorInfo((StatusRuntimeException) c.error()).getReason()).isEqualTo("STREAM_TRUNCATED");
        mockwebserver3.RecordedRequest sent = upstream.takeRequest();
        assertThat(sent.getUrl().encodedPath()).endsWith("/chat/completions");
        assertThat(sent.getHandshake()).isNull(); // cleartext
        assertThat(chatRequestsSince(upstream)).as("chat requests after the first").isZero();
      }
    }
  }

  /**
   * The chat completion requests the upstream received since the last one taken. Only those: the
   * cut stream's cost is looked up (GET /generation) a second after the call, which a slow
   * machine reaches before its assertions.
   */
  private static int chatRequestsSince(MockWebServer upstream) throws InterruptedException {
    int chats = 0;
    mockwebserver3.RecordedRequest r;
    while ((r = upstream.takeRequest(0, java.util.concurrent.TimeUnit.SECONDS)) != null) {
      chats += r.getUrl().encodedPath().endsWith("/chat/completions") ? 1 : 0;
    }
    return chats;
  }

  @Test
  void theClientRefusesPriorKnowledgeForHttps() {
    UpstreamTarget https = new UpstreamTarget(URI.create("https://openrouter.ai/api/v1"),
        Optional.of(SimulatorKeys.DEFAULT), false);
    assertThatThrownBy(() -> new OpenRouterClient(https, Optional.empty(), "test", "0",
        UpstreamObserver.NONE, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http://");
  }
}
