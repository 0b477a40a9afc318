package openrouter.gateway.server.grpc;

import static openrouter.gateway.server.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import io.grpc.CallOptions;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import openrouter.gateway.simulator.testing.CapturedLogs;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.StreamCollector;
import openrouter.gateway.v1.ChatServiceGrpc;
import openrouter.gateway.v1.StreamChatResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One access line per call, and the x-request-id that ties it to the caller. */
class AccessLogTest {
  private static final Metadata.Key<String> REQUEST_ID = Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
  private static GatewayHarness h;
  private CapturedLogs logs;

  @BeforeAll
  static void start() throws Exception {
    h = GatewayHarness.withSimulator();
  }

  @AfterAll
  static void stop() throws Exception {
    h.close();
  }

  @BeforeEach
  void capture() {
    logs = new CapturedLogs(AccessLogInterceptor.LOGGER, Level.INFO);
  }

  @AfterEach
  void release() {
    logs.close();
  }

  private static Metadata requestId(String id) {
    Metadata m = new Metadata();
    m.put(REQUEST_ID, id);
    return m;
  }

  @Test
  void aStreamGetsOneLineWithEveryFieldAndItsIdEchoedInTheHeaders() throws Exception {
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    var stub = ChatServiceGrpc.newBlockingStub(h.channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(requestId("req-stream-1")),
            MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));
    List<StreamChatResponse> messages = new java.util.ArrayList<>();
    stub.streamChat(chat("sim/echo", "one two three")).forEachRemaining(messages::add);
    assertThat(headers.get().get(REQUEST_ID)).isEqualTo("req-stream-1");

    String line = logs.await("request_id=req-stream-1", 1).get(0);
    var summary = messages.get(messages.size() - 1).getSummary();
    assertThat(line)
        .contains("method=openrouter.gateway.v1.ChatService/StreamChat")
        .contains("code=OK")
        .contains("model=sim/echo")
        .contains("provider=" + summary.getProvider())
        .contains("prompt_tokens=" + summary.getUsage().getPromptTokens())
        .contains("completion_tokens=" + summary.getUsage().getCompletionTokens())
        .contains("cost_usd=" + summary.getUsage().getCost())
        .contains("attempts=1")
        .containsPattern("duration_ms=\\d+")
        .containsPattern("ttft_ms=\\d+");
    assertThat(summary.getProvider()).isNotEmpty();
    Thread.sleep(100);
    assertThat(logs.linesWith("request_id=req-stream-1")).hasSize(1);
  }

  @Test
  void aFailedCallLogsItsCodeAndReasonAndEchoesTheIdInTheTrailers() throws Exception {
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    var stub = ChatServiceGrpc.newBlockingStub(h.channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(requestId("req-402")),
            MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.chat(chat("sim/error-402", "no money")));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(e.getTrailers().get(REQUEST_ID)).isEqualTo("req-402");

    String line = logs.await("request_id=req-402", 1).get(0);
    assertThat(line).contains("method=openrouter.gateway.v1.ChatService/Chat", "code=FAILED_PRECONDITION",
        "reason=INSUFFICIENT_CREDITS", "model=sim/error-402", "attempts=1");
  }

  @Test
  void withAccessLogErrorsOnlyFailedCallsGetALineAndWithOffNone() throws Exception {
    for (String setting : List.of("errors", "off")) {
      try (GatewayHarness quiet = GatewayHarness.withSimulator("GATEWAY_ACCESS_LOG", setting)) {
        var stub = ChatServiceGrpc.newBlockingStub(quiet.channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(requestId("quiet-ok-" + setting)))
            .chat(chat("sim/echo", "fine"));
        catchThrowableOfType(StatusRuntimeException.class,
            () -> stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(requestId("quiet-402-" + setting)))
                .chat(chat("sim/error-402", "no money")));
        // A marker call on the always-logging gateway: once its line is there, the async
        // appender has also written whatever the quiet gateway logged before it.
        ChatServiceGrpc.newBlockingStub(h.channel).withDeadlineAfter(30, TimeUnit.SECONDS)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(requestId("marker-" + setting)))
            .chat(chat("sim/echo", "marker"));
        logs.await("request_id=marker-" + setting, 1);
        assertThat(logs.linesWith("request_id=quiet-ok-" + setting)).isEmpty();
        assertThat(logs.linesWith("request_id=quiet-402-" + setting)).hasSize(setting.equals("errors") ? 1 : 0);
      }
    }
  }

  @Test
  void withoutAUsableIdOneIsGenerated() throws Exception {
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    var stub = ChatServiceGrpc.newBlockingStub(h.channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));
    stub.chat(chat("sim/echo", "no id"));
    String generated = headers.get().get(REQUEST_ID);
    assertThat(generated).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    assertThat(java.util.UUID.fromString(generated).version()).as("a random UUID").isEqualTo(4);
    assertThat(java.util.UUID.fromString(generated).variant()).isEqualTo(2);
    logs.await("request_id=" + generated, 1);

    // An id that looks like a key, or is not a sane token, is replaced rather than logged.
    for (String bad : List.of("sk-or-v1-" + "ab".repeat(32), "has spaces in it", "x".repeat(200))) {
      var withBad = ChatServiceGrpc.newBlockingStub(h.channel).withDeadlineAfter(30, TimeUnit.SECONDS)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(requestId(bad)),
              MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));
      withBad.chat(chat("sim/echo", "bad id"));
      assertThat(headers.get().get(REQUEST_ID)).isNotEqualTo(bad).hasSize(36);
      assertThat(logs.lines()).noneMatch(l -> l.contains(bad));
    }
  }

  @Test
  void aCancelledStreamIsLoggedOnceAsCancelled() throws Exception {
    StreamCollector collector = new StreamCollector();
    var call = h.channel.newCall(ChatServiceGrpc.getStreamChatMethod(), CallOptions.DEFAULT);
    var withId = io.grpc.ClientInterceptors.intercept(h.channel,
        MetadataUtils.newAttachHeadersInterceptor(requestId("req-cancel")));
    call = withId.newCall(ChatServiceGrpc.getStreamChatMethod(), CallOptions.DEFAULT);
    // 3 s between chunks: still running when cancelled, however long the machine takes from the
    // first message to the cancel (at the default 200 ms the stream could end OK first).
    ClientCalls.asyncServerStreamingCall(call, chat("sim/slow", "a b c d e f g h",
        Map.of("sim_chunk_delay_ms", "3000")), collector);
    assertThat(collector.firstMessage.await(30, TimeUnit.SECONDS)).isTrue();
    call.cancel("the caller gives up", null);
    assertThat(collector.await().getCode()).isEqualTo(Status.Code.CANCELLED);

    String line = logs.await("request_id=req-cancel", 1).get(0);
    assertThat(line).contains("code=CANCELLED", "model=sim/slow").containsPattern("ttft_ms=\\d+");
    Thread.sleep(300);
    assertThat(logs.linesWith("request_id=req-cancel")).hasSize(1);
  }

  @Test
  void aPassedDeadlineIsLoggedAsDeadlineExceeded() throws Exception {
    // The 1.5 s deadline is for the stream, not for a cold connection: connect first (on a busy
    // machine, the first call's connection set-up alone took over a second).
    h.chat().chat(chat("sim/echo", "connect first"));
    StreamCollector collector = new StreamCollector();
    var withId = io.grpc.ClientInterceptors.intercept(h.channel,
        MetadataUtils.newAttachHeadersInterceptor(requestId("req-deadline")));
    var call = withId.newCall(ChatServiceGrpc.getStreamChatMethod(),
        CallOptions.DEFAULT.withDeadlineAfter(1500, TimeUnit.MILLISECONDS));
    // sim/stall never ends, so the deadline passes however slow the machine is (whether before
    // or after its one chunk arrives is up to the scheduler, so that is not asserted).
    ClientCalls.asyncServerStreamingCall(call, chat("sim/stall", "wait for me", Map.of()), collector);
    assertThat(collector.await().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(logs.await("request_id=req-deadline", 1).get(0)).contains("code=DEADLINE_EXCEEDED");
  }
}
