package openrouter.gateway.server.chat;

import static openrouter.gateway.server.testing.Requests.chat;
import static openrouter.gateway.server.testing.Requests.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import openrouter.gateway.simulator.RecordedRequest;
import openrouter.gateway.simulator.testing.Eventually;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.StreamCollector;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.StreamChatResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * How streams end: cancellation, deadlines, slow readers, failures mid-stream. Runs over HTTP/1.1
 * to the simulator; {@link StreamLifecycleHttp2LoopbackTest} runs the same cases over h2c.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamLifecycleLoopbackTest {
  GatewayHarness h;

  /** Gateway settings on top of the harness's; the HTTP/2 variant adds its own. */
  String[] settings() {
    return new String[0];
  }

  @BeforeAll
  void start() throws Exception {
    h = GatewayHarness.withSimulator(settings());
  }

  @AfterAll
  void stop() throws Exception {
    h.close();
  }

  /** The simulator's record of the chat request whose body contains {@code marker}. */
  private RecordedRequest requestWith(String marker) throws InterruptedException {
    return Eventually.await("an upstream request with " + marker, () -> h.simulator.requests().stream()
        .filter(r -> r.path().equals("/chat/completions") && r.body().contains(marker)).findFirst(),
        java.util.Optional::isPresent).orElseThrow();
  }

  /** A StreamChat observer that exposes the call, for cancel and manual flow control. */
  private static final class ControlledObserver extends StreamCollector
      implements ClientResponseObserver<ChatRequest, StreamChatResponse> {
    final AtomicReference<ClientCallStreamObserver<ChatRequest>> call = new AtomicReference<>();
    private final boolean manualFlowControl;

    ControlledObserver(boolean manualFlowControl) {
      this.manualFlowControl = manualFlowControl;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ChatRequest> requestStream) {
      call.set(requestStream);
      if (manualFlowControl) {
        requestStream.disableAutoRequestWithInitial(1);
      }
    }
  }

  @Test
  void cancellingTheCallClosesTheUpstreamConnectionBeforeItsNextChunk() throws Exception {
    String marker = UUID.randomUUID().toString();
    ControlledObserver observer = new ControlledObserver(false);
    // A minute between chunks: the upstream closing within the wait below cannot be the stream
    // running on to its next chunk or its end; only the cancel can have closed it.
    h.chatAsync().streamChat(chat("sim/slow", marker + " one two three four five six seven eight",
        Map.of("sim_chunk_delay_ms", "60000")), observer);
    assertThat(observer.firstMessage.await(Eventually.DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
    RecordedRequest upstream = requestWith(marker);

    observer.call.get().cancel("test cancels", null);

    upstream.closedAtNanos().get(Eventually.DEADLINE.toSeconds(), TimeUnit.SECONDS);
    assertThat(upstream.clientDisconnected()).isTrue();
    assertThat(observer.await().getCode()).isEqualTo(Status.Code.CANCELLED);
  }

  @Test
  void aDeadlineShorterThanASlowStreamEndsDeadlineExceededAndClosesUpstream() throws Exception {
    String marker = UUID.randomUUID().toString();
    StreamCollector c = new StreamCollector();
    // The deadline passes mid-stream however fast or slow the machine: it leaves 5 s for the
    // first chunk (sent at once), and the next one comes 30 s later. At 700 ms with 200 ms
    // chunks, a busy machine could pass it before any message arrived.
    h.chatAsync().withDeadlineAfter(5, TimeUnit.SECONDS)
        .streamChat(chat("sim/slow", marker + " a b c d e f g h i j", Map.of("sim_chunk_delay_ms", "30000")), c);
    assertThat(c.await().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(c.messages).isNotEmpty().noneMatch(StreamChatResponse::hasSummary);
    RecordedRequest upstream = requestWith(marker);
    upstream.closedAtNanos().get(30, TimeUnit.SECONDS);
    assertThat(upstream.clientDisconnected()).isTrue();
  }

  /**
   * A client that reads one message and then stops must not make the gateway buffer the whole
   * answer: the gateway stops reading the upstream, so the simulator cannot finish writing 64
   * MB (over HTTP/1.1 the socket buffers fill; over HTTP/2 OkHttp's 16 MiB stream window). When
   * the client reads again, everything arrives and the call ends OK.
   */
  @Test
  void aSlowReaderPushesBackOnTheUpstreamInsteadOfBuffering() throws Exception {
    String marker = UUID.randomUUID().toString();
    int chunks = 4_000;
    ControlledObserver observer = new ControlledObserver(true);
    AtomicInteger deltas = new AtomicInteger();
    CountDownLatch first = new CountDownLatch(1);
    StreamCollector counting = new StreamCollector() {
      @Override
      public void onNext(StreamChatResponse value) {
        if (value.hasDelta()) {
          deltas.incrementAndGet();
        }
        first.countDown();
      }
    };
    ClientResponseObserver<ChatRequest, StreamChatResponse> both = new ClientResponseObserver<>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<ChatRequest> rs) {
        observer.beforeStart(rs);
      }

      @Override
      public void onNext(StreamChatResponse value) {
        counting.onNext(value);
      }

      @Override
      public void onError(Throwable t) {
        counting.onError(t);
      }

      @Override
      public void onCompleted() {
        counting.onCompleted();
      }
    };
    h.chatAsync().streamChat(chat("sim/fixed", marker,
        Map.of("sim_chunks", Integer.toString(chunks), "sim_chunk_chars", "16000")), both);
    assertThat(first.await(30, TimeUnit.SECONDS)).isTrue();
    RecordedRequest upstream = requestWith(marker);

    // Unthrottled, the gateway relays this answer in well under the wait below; throttled, the
    // simulator stays blocked on a full socket for as long as the client does not read.
    long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
    while (System.nanoTime() < waitUntil && !upstream.closedAtNanos().isDone()) {
      Thread.sleep(50);
    }
    assertThat(upstream.closedAtNanos().isDone())
        .as("the upstream must be blocked while the client does not read").isFalse();
    assertThat(deltas.get()).isEqualTo(1);

    // Other calls go on meanwhile: over HTTP/2 they share the blocked stream's connection, and
    // only that stream's flow-control window is full.
    StreamCollector other = new StreamCollector();
    h.chatAsync().withDeadlineAfter(30, TimeUnit.SECONDS).streamChat(chat("sim/echo", "still flowing"), other);
    assertThat(other.await().isOk()).isTrue();
    assertThat(other.content()).isEqualTo("still flowing");

    observer.call.get().request(Integer.MAX_VALUE);
    assertThat(counting.await().isOk()).isTrue();
    assertThat(deltas.get()).isEqualTo(chunks);
  }

  @Test
  void anErrorChunkMidStreamEndsWithTheMappedStatusAfterTheDeliveredChunks() throws Exception {
    StreamCollector c = new StreamCollector();
    h.chatAsync().streamChat(chat("sim/error-midstream", "fail after a few words"), c);
    Status status = c.await();
    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(c.content()).isNotEmpty();
    assertThat(c.messages).noneMatch(StreamChatResponse::hasSummary);
    var info = errorInfo((StatusRuntimeException) c.error());
    assertThat(info.getDomain()).isEqualTo("openrouter.ai");
    assertThat(info.getReason()).isEqualTo("PROVIDER_UNAVAILABLE");
    assertThat(info.getMetadataMap()).containsEntry("httpStatus", "502").containsEntry("model", "sim/error-midstream");
  }

  @Test
  void aStringErrorCodeMidStreamIsMappedToo() throws Exception {
    StreamCollector c = new StreamCollector();
    h.chatAsync().streamChat(chat("sim/error-midstream-string", "fail"), c);
    assertThat(c.await().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(errorInfo((StatusRuntimeException) c.error()).getMetadataMap()).containsEntry("openrouterCode", "server_error");
  }

  @Test
  void aStreamCutWithoutDoneOrFinishReasonIsNeverOk() throws Exception {
    StreamCollector c = new StreamCollector();
    h.chatAsync().streamChat(chat("sim/truncated", "cut me off"), c);
    assertThat(c.await().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(c.content()).isNotEmpty();
    assertThat(errorInfo((StatusRuntimeException) c.error()).getReason()).isEqualTo("STREAM_TRUNCATED");
    assertThat(c.messages).noneMatch(StreamChatResponse::hasSummary);
  }

  @Test
  void unaryChatToleratesPaddingAndTreatsErrorBodiesAsErrors() {
    assertThat(h.chat().chat(chat("sim/padded", "padded answer")).getMessage().getContent()).isEqualTo("padded answer");
    for (String model : List.of("sim/error-in-200", "sim/malformed", "sim/empty")) {
      StatusRuntimeException e = (StatusRuntimeException) org.assertj.core.api.Assertions
          .catchThrowable(() -> h.chat().chat(chat(model, "x")));
      assertThat(e).as(model).isNotNull();
      assertThat(e.getStatus().getCode()).as(model).isNotEqualTo(Status.Code.OK).isNotEqualTo(Status.Code.UNKNOWN);
    }
  }
}
