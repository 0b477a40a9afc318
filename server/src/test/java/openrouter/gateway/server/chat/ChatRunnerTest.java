package openrouter.gateway.server.chat;

import static openrouter.gateway.server.chat.ScriptedUpstream.DONE;
import static openrouter.gateway.server.chat.ScriptedUpstream.completion;
import static openrouter.gateway.server.chat.ScriptedUpstream.delta;
import static openrouter.gateway.server.chat.ScriptedUpstream.during;
import static openrouter.gateway.server.chat.ScriptedUpstream.error;
import static openrouter.gateway.server.chat.ScriptedUpstream.errorChunk;
import static openrouter.gateway.server.chat.ScriptedUpstream.events;
import static openrouter.gateway.server.chat.ScriptedUpstream.finish;
import static openrouter.gateway.server.chat.ScriptedUpstream.unreachable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import openrouter.gateway.server.resilience.RetryPolicy;
import openrouter.gateway.server.resilience.StreamWatchdog;
import openrouter.gateway.server.upstream.CallControl;
import openrouter.gateway.v1.ChatDelta;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.ChatSummary;
import org.junit.jupiter.api.Test;

/**
 * {@link ChatRunner}'s attempts against a scripted upstream: retries per slice of the model
 * chain, the move to the next slice, no switch once a token reached the caller, and a cancelled
 * call that starts no further attempt. No network, no waits (the retry delays are zero).
 */
class ChatRunnerTest {
  private static final List<String> FIRST_SLICE = List.of("m1", "m2", "m3", "m4");
  private static final List<String> SECOND_SLICE = List.of("m5", "m6");
  /** Six models: two upstream attempts' worth (four per attempt). */
  private static final ChatRequest SIX_MODELS = ChatFixtures.request(
      "{'model':'m1','models':['m2','m3','m4','m5','m6'],'messages':[{'role':'ROLE_USER','content':'hi'}]}");
  private static final int MAX_RETRIES = 2;

  private final ScriptedUpstream upstream = new ScriptedUpstream();
  private final ChatRunner runner = new ChatRunner(upstream, ChatPolicy.DEFAULT,
      new RetryPolicy(MAX_RETRIES, Duration.ZERO, Duration.ZERO, 2), new StreamWatchdog(Duration.ZERO, Duration.ZERO),
      Clock.systemUTC(), new ChatMetrics() {});
  private final CallControl control = new CallControl(Duration.ofMinutes(1), false);
  private final List<String> delivered = new CopyOnWriteArrayList<>();
  private final ChatRunner.DeltaSink sink = (ChatDelta d) -> delivered.add(d.getContent());

  @Test
  void aSliceIsRetriedUpToThePolicyThenTheNextSliceIsTried() {
    upstream.then(error(503, "down"), error(503, "down"), error(503, "down"),
        events(delta("m5", "fallback"), finish("m5"), DONE));

    ChatSummary summary = runner.stream(SIX_MODELS, Optional.empty(), control, sink);

    assertThat(upstream.attemptedModels())
        .containsExactly(FIRST_SLICE, FIRST_SLICE, FIRST_SLICE, SECOND_SLICE);
    assertThat(summary.getModel()).isEqualTo("m5");
    assertThat(delivered).containsExactly("fallback");
  }

  @Test
  void aFailureRetryingCannotFixMovesToTheNextSliceAtOnce() {
    upstream.then(error(500, "provider error"), events(delta("m5", "ok"), finish("m5"), DONE));

    runner.stream(SIX_MODELS, Optional.empty(), control, sink);

    assertThat(upstream.attemptedModels()).containsExactly(FIRST_SLICE, SECOND_SLICE);
  }

  @Test
  void aRejectedKeyEndsTheCallWithoutRetryOrFallback() {
    upstream.then(error(401, "bad key"));

    GatewayFailure f = catchThrowableOfType(GatewayFailure.class,
        () -> runner.stream(SIX_MODELS, Optional.empty(), control, sink));

    assertThat(upstream.attemptedModels()).containsExactly(FIRST_SLICE);
    assertThat(f.upstreamError()).hasValueSatisfying(e -> assertThat(e.effectiveStatus()).isEqualTo(401));
  }

  @Test
  void anErrorBeforeTheFirstTokenIsRetried() {
    upstream.then(events(errorChunk("m1", 503)), events(delta("m1", "second try"), finish("m1"), DONE));

    runner.stream(SIX_MODELS, Optional.empty(), control, sink);

    assertThat(upstream.attemptedModels()).containsExactly(FIRST_SLICE, FIRST_SLICE);
    assertThat(delivered).containsExactly("second try");
  }

  @Test
  void afterTheFirstTokenAFailureEndsTheCallWithNoRetryAndNoOtherModel() {
    // The same retryable error as above, after a delta: the caller has part of an answer,
    // which another attempt or another model would contradict.
    upstream.then(events(delta("m1", "partial"), errorChunk("m1", 503)));

    GatewayFailure f = catchThrowableOfType(GatewayFailure.class,
        () -> runner.stream(SIX_MODELS, Optional.empty(), control, sink));

    assertThat(upstream.attemptedModels()).containsExactly(FIRST_SLICE);
    assertThat(delivered).containsExactly("partial");
    assertThat(f.attempts()).isEqualTo(1);
    assertThat(f.model()).contains("m1");
  }

  @Test
  void aStreamCutAfterTheFirstTokenIsNotRetriedEither() {
    upstream.then(events(delta("m1", "partial"))); // no finish reason, no [DONE]

    GatewayFailure f = catchThrowableOfType(GatewayFailure.class,
        () -> runner.stream(SIX_MODELS, Optional.empty(), control, sink));

    assertThat(f.kind()).isEqualTo(Kind.STREAM_TRUNCATED);
    assertThat(upstream.requests()).hasSize(1);
  }

  @Test
  void aCallCancelledDuringAnAttemptStartsNoOther() {
    upstream.then(during(control::cancel, error(503, "down")));

    GatewayFailure f = catchThrowableOfType(GatewayFailure.class,
        () -> runner.stream(SIX_MODELS, Optional.empty(), control, sink));

    assertThat(f.kind()).isEqualTo(Kind.CALLER_CANCELLED);
    assertThat(upstream.requests()).hasSize(1);
  }

  @Test
  void aCancelledCallSendsNoRequestAtAll() {
    control.cancel();

    GatewayFailure f = catchThrowableOfType(GatewayFailure.class,
        () -> runner.stream(SIX_MODELS, Optional.empty(), control, sink));

    assertThat(f.kind()).isEqualTo(Kind.CALLER_CANCELLED);
    assertThat(upstream.requests()).isEmpty();
  }

  @Test
  void unaryChatRetriesAnUnreachableUpstreamOnTheSameSlice() {
    upstream.then(unreachable(), completion("m1", "whole"));

    var response = runner.complete(SIX_MODELS, Optional.empty(), control);

    assertThat(upstream.attemptedModels()).containsExactly(FIRST_SLICE, FIRST_SLICE);
    assertThat(response.getMessage().getContent()).isEqualTo("whole");
    assertThat(response.getSummary().getAttempts()).isEqualTo(2);
  }
}
