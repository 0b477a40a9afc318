package openrouter.gateway.server.chat;

import com.google.common.collect.Lists;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import openrouter.gateway.server.upstream.wire.OpenRouterError;
import openrouter.gateway.server.upstream.wire.ChatChunk;
import openrouter.gateway.server.resilience.RetryPolicy;
import openrouter.gateway.server.resilience.StreamWatchdog;
import openrouter.gateway.server.upstream.CallControl;
import openrouter.gateway.server.upstream.ChatEventStream;
import openrouter.gateway.server.upstream.JsonCall;
import openrouter.gateway.server.upstream.UpstreamResponses;
import openrouter.gateway.server.upstream.wire.ChatRequestBodies;
import openrouter.gateway.server.upstream.wire.OpenRouterBody;
import openrouter.gateway.v1.ChatDelta;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.ChatResponse;
import openrouter.gateway.v1.ChatSummary;

/**
 * Runs one chat call against OpenRouter: walks the model chain in upstream attempts of at most
 * {@value #MODELS_PER_ATTEMPT} models (OpenRouter's {@code models} list takes 3 besides the
 * primary), retries what the {@link RetryPolicy} allows, and moves along the chain only while
 * nothing has reached the caller. Once a delta was delivered, a failure ends the call.
 *
 * <p>It knows no gRPC: deltas go to a {@link DeltaSink}, failures are thrown as {@link
 * GatewayFailure}s, and the caller maps them to statuses.
 */
public final class ChatRunner {
  /** OpenRouter accepts at most 3 entries in {@code models}: with the primary, 4 per attempt. */
  public static final int MODELS_PER_ATTEMPT = 4;

  /** Receives deltas in order; blocks while the caller cannot take more. */
  public interface DeltaSink {
    void send(ChatDelta delta);
  }

  /**
   * All the runner needs from the upstream: one {@code POST /chat/completions} per attempt, not
   * yet executed ({@code OpenRouterClient::newChatCall}; tests script their own).
   */
  public interface Upstream {
    okhttp3.Call newChatCall(OpenRouterBody body, boolean stream, Optional<String> callerKey);
  }

  private final Upstream client;
  private final ChatPolicy policy;
  private final ChatRequestBodies bodies;
  private final RetryPolicy retryPolicy;
  private final StreamWatchdog watchdog;
  private final Clock clock;
  private final ChatMetrics metrics;

  public ChatRunner(
      Upstream client,
      ChatPolicy policy,
      RetryPolicy retryPolicy,
      StreamWatchdog watchdog,
      Clock clock,
      ChatMetrics metrics) {
    this.client = client;
    this.policy = policy;
    this.bodies = new ChatRequestBodies(policy.defaultMaxTokens());
    this.retryPolicy = retryPolicy;
    this.watchdog = watchdog;
    this.clock = clock;
    this.metrics = metrics;
  }

  /** Streams the completion into {@code sink} and returns the final summary. */
  public ChatSummary stream(
      ChatRequest request, Optional<String> callerKey, CallControl control, DeltaSink sink) {
    return stream(request, callerKey, control, sink, new ChatStats());
  }

  /** As above, recording what the call did in {@code stats}. */
  public ChatSummary stream(
      ChatRequest request, Optional<String> callerKey, CallControl control, DeltaSink sink,
      ChatStats stats) {
    Progress progress = new Progress();
    stats.model(request.getModel());
    ChatSpan span = ChatSpan.start(request);
    try {
      ChatSummary summary = withAttempts(
          request, control, progress, stats, span,
          (slice, attempt) -> streamAttempt(request, slice, callerKey, control, sink, progress, attempt, stats, span));
      finished(true, stats, summary, "", span);
      return summary;
    } catch (GatewayFailure f) {
      finished(true, stats, null, errorType(f), span);
      throw f;
    }
  }

  /** Returns the whole completion. */
  public ChatResponse complete(
      ChatRequest request, Optional<String> callerKey, CallControl control) {
    return complete(request, callerKey, control, new ChatStats());
  }

  /** As above, recording what the call did in {@code stats}. */
  public ChatResponse complete(
      ChatRequest request, Optional<String> callerKey, CallControl control, ChatStats stats) {
    stats.model(request.getModel());
    ChatSpan span = ChatSpan.start(request);
    try {
      ChatResponse response = withAttempts(
          request, control, new Progress(), stats, span,
          (slice, attempt) -> unaryAttempt(request, slice, callerKey, control, attempt, stats));
      finished(false, stats, response.getSummary(), "", span);
      return response;
    } catch (GatewayFailure f) {
      finished(false, stats, null, errorType(f), span);
      throw f;
    }
  }

  private void finished(boolean streaming, ChatStats stats, ChatSummary summary, String errorType, ChatSpan span) {
    if (summary != null) {
      stats.model(summary.getModel());
      stats.provider(summary.getProvider());
      if (summary.hasUsage()) {
        stats.usage(summary.getUsage());
        stats.generationSettled(summary.getGenerationId());
      }
    }
    metrics.finished(streaming, summary == null ? "" : summary.getModel(), stats.usage(),
        System.nanoTime() - stats.startNanos(), errorType);
    span.finished(summary, stats);
  }

  /** A short, bounded label of a failure for metrics: the kind, or the upstream HTTP status. */
  static String errorType(GatewayFailure f) {
    return f.upstreamError()
        .map(e -> "http_" + e.effectiveStatus())
        .orElse(f.kind().name().toLowerCase(java.util.Locale.ROOT));
  }

  private interface Attempt<T> {
    T run(List<String> models, int attemptNumber);
  }

  /** Whether anything reached the caller: after that, no retry and no fallback. */
  private static final class Progress {
    volatile boolean delivered;
  }

  private <T> T withAttempts(
      ChatRequest request, CallControl control, Progress progress, ChatStats stats, ChatSpan span,
      Attempt<T> attempt) {
    List<List<String>> slices = Lists.partition(policy.modelChain(request), MODELS_PER_ATTEMPT);
    int attempts = 0;
    GatewayFailure last = null;
    for (int s = 0; s < slices.size(); s++) {
      List<String> slice = slices.get(s);
      int retry = 0;
      while (true) {
        UpstreamResponses.requireNotEnded(control); // no request for a call already cancelled
        attempts++;
        stats.attempts(attempts);
        metrics.attempt();
        try {
          return attempt.run(slice, attempts);
        } catch (GatewayFailure f) {
          last = f.withAttempts(attempts, cause(f));
          stats.model(f.model().orElse(null));
          stats.provider(f.provider().orElse(null));
          if (progress.delivered || control.cancelled() || control.expired() || callerSide(f)) {
            throw last;
          }
          Optional<Duration> wait =
              retryPolicy.delayBefore(++retry, f, control.remaining(), clock,
                  () -> ThreadLocalRandom.current().nextDouble());
          if (wait.isPresent()) {
            metrics.retry(errorType(f));
            span.retry(attempts, errorType(f), wait.get());
            if (!control.pause(wait.get())) {
              throw GatewayFailure.of(Kind.CALLER_CANCELLED, "the caller cancelled the call");
            }
            continue;
          }
          if (s + 1 < slices.size() && movesAlongChain(f)) {
            metrics.fallback();
            span.fallback(attempts, errorType(f), slices.get(s + 1).get(0));
            break; // next slice of the chain
          }
          throw last;
        }
      }
    }
    throw last; // unreachable: the loop returns or throws
  }

  private static boolean callerSide(GatewayFailure f) {
    return f.kind() == Kind.CALLER_CANCELLED
        || f.kind() == Kind.CALLER_DEADLINE
        || f.kind() == Kind.UPSTREAM_TIMEOUT
        || f.kind() == Kind.UPSTREAM_NOT_OPENROUTER // every model would fail the same way
        || f.kind() == Kind.INVALID_REQUEST;
  }

  /**
   * Another model may succeed where this one failed (context length, moderation, rate limits,
   * downtime, timeouts), but not when the key, the balance or the base URL is the problem, nor
   * after an answer over a size bound.
   */
  private static boolean movesAlongChain(GatewayFailure f) {
    if (f.kind() == Kind.UPSTREAM_NOT_OPENROUTER || f.kind() == Kind.UPSTREAM_TOO_LARGE) {
      return false; // the base URL is wrong, or the upstream misbehaves: another model will not help
    }
    if (f.kind() != Kind.UPSTREAM_ERROR) {
      return true;
    }
    int status = f.upstreamError().map(OpenRouterError::effectiveStatus).orElse(500);
    return status != 401 && status != 402;
  }

  private static String cause(GatewayFailure f) {
    return f.upstreamError()
        .map(e -> "HTTP " + e.effectiveStatus() + (e.errorType().isEmpty() ? "" : " " + e.errorType()))
        .orElse(f.kind().name());
  }


  private ChatSummary streamAttempt(
      ChatRequest request,
      List<String> models,
      Optional<String> callerKey,
      CallControl control,
      DeltaSink sink,
      Progress progress,
      int attemptNumber,
      ChatStats stats,
      ChatSpan span) {
    OpenRouterBody body = bodies.body(request, models, true);
    long lastChunkNanos = System.nanoTime();
    // Counters and the last usage only: the text went to the caller and is not kept.
    StreamAssembler assembler = StreamAssembler.summaryOnly();
    try (StreamWatchdog.Watch watch = watchdog.watch(control::abortAttempt)) {
      try (ChatEventStream events =
          ChatEventStream.open(client.newChatCall(body, true, callerKey), control)) {
        String generationId = events.generationIdHeader();
        stats.generationStarted(generationId); // a 200: from here on OpenRouter may bill it
        if (events.jsonAnswer() != null) {
          // A JSON document instead of an event stream: read exactly as a non-streaming answer
          // (errors mapped by their code), then handed on as one delta.
          stats.generationStarted(events.jsonAnswer().id());
          ChatResponse whole = completion(events.jsonAnswer(), generationId, attemptNumber);
          Optional<ChatDelta> delta = assembler.accept(events.jsonAnswer()).delta();
          if (delta.isPresent()) {
            long now = System.nanoTime();
            stats.firstChunkAt(now);
            metrics.firstChunk(whole.getSummary().getModel(), now - stats.startNanos());
            watch.firstToken();
            watch.pause();
            sink.send(delta.get());
            progress.delivered = true;
          }
          return whole.getSummary();
        }
        ChatChunk chunk;
        while ((chunk = events.next()) != null) {
          watch.progress();
          StreamAssembler.ChunkResult result = assembler.accept(chunk);
          stats.generationStarted(assembler.generationId()); // the header is optional
          if (result.error() != null) {
            ChatSummary seen = assembler.summary(attemptNumber);
            if (seen.hasUsage()) {
              stats.usage(seen.getUsage()); // what the failed stream cost is still charged
            }
            throw GatewayFailure.upstream(result.error())
                .withServed(seen.getModel(), seen.getProvider(), or(seen.getGenerationId(), generationId));
          }
          if (result.delta().isPresent()) {
            long now = System.nanoTime();
            if (!progress.delivered) {
              stats.firstChunkAt(now);
              metrics.firstChunk(chunk.model(), now - stats.startNanos());
            } else {
              metrics.chunkGap(now - lastChunkNanos);
            }
            watch.firstToken();
            watch.pause();
            sink.send(result.delta().get());
            progress.delivered = true;
            watch.resume();
            lastChunkNanos = System.nanoTime(); // the caller's reading time is not the upstream's gap
          }
        }
        if (!events.sawDone() && !assembler.finishReasonSeen()) {
          throw GatewayFailure.of(Kind.STREAM_TRUNCATED, "no [DONE] and no finish reason");
        }
        if (!assembler.finishReasonSeen() && !progress.delivered) {
          // [DONE] after nothing at all: an empty answer, like a body with no choices.
          throw GatewayFailure.of(Kind.UPSTREAM_MALFORMED, "the stream finished with no choices");
        }
        ChatSummary summary = assembler.summary(attemptNumber);
        if (summary.getGenerationId().isEmpty() && !generationId.isEmpty()) {
          summary = summary.toBuilder().setGenerationId(generationId).build();
        }
        return summary;
      } catch (GatewayFailure f) {
        StreamWatchdog.Limit fired = watch.fired();
        boolean watchdogFired = fired != null && !control.cancelled() && !control.expired();
        if (watchdogFired) {
          span.watchdog(fired.name().toLowerCase(java.util.Locale.ROOT), watch.limit(fired));
        }
        GatewayFailure failure = watchdogFired ? timeout(fired, watch.limit(fired)) : f;
        throw withWhatWasServed(failure, assembler.summary(attemptNumber), stats);
      }
    }
  }

  /**
   * Tags a failed stream with what the upstream had served: model, provider, generation id and,
   * when the usage arrived before the failure, the tokens and cost (for the caller's ErrorInfo,
   * the access line and the metrics).
   */
  private static GatewayFailure withWhatWasServed(GatewayFailure f, ChatSummary seen, ChatStats stats) {
    GatewayFailure served =
        f.withServed(seen.getModel(), seen.getProvider(), or(seen.getGenerationId(), stats.generationId()));
    if (seen.hasUsage()) {
      stats.usage(seen.getUsage());
      stats.generationSettled(seen.getGenerationId());
      served = served.withUsage(seen.getUsage());
    }
    return served;
  }

  private static GatewayFailure timeout(StreamWatchdog.Limit limit, Duration after) {
    return limit == StreamWatchdog.Limit.TTFT
        ? GatewayFailure.of(Kind.TTFT_TIMEOUT,
            "no first token within " + after.toMillis() + " ms (OPENROUTER_TTFT_TIMEOUT_MS)")
        : GatewayFailure.of(Kind.STREAM_IDLE_TIMEOUT,
            "no chunk for " + after.toMillis() + " ms mid-stream (OPENROUTER_STREAM_IDLE_TIMEOUT_MS)");
  }

  private ChatResponse unaryAttempt(
      ChatRequest request,
      List<String> models,
      Optional<String> callerKey,
      CallControl control,
      int attemptNumber,
      ChatStats stats) {
    OpenRouterBody body = bodies.body(request, models, false);
    JsonCall.Completion response =
        JsonCall.completion(client.newChatCall(body, false, callerKey), control);
    stats.generationStarted(or(response.body().id(), response.generationIdHeader()));
    return completion(response.body(), response.generationIdHeader(), attemptNumber);
  }

  /**
   * A non-streaming answer (HTTP 200, one JSON document) as a response, or the failure it
   * reports: its {@code error}, or no choices.
   */
  private static ChatResponse completion(ChatChunk answer, String generationIdHeader, int attemptNumber) {
    CompletionMapper.CompletionResult result = CompletionMapper.map(answer, attemptNumber);
    if (result instanceof CompletionMapper.CompletionResult.Success success) {
      ChatResponse r = success.response();
      if (r.getSummary().getGenerationId().isEmpty() && !generationIdHeader.isEmpty()) {
        r = r.toBuilder()
            .setSummary(r.getSummary().toBuilder().setGenerationId(generationIdHeader))
            .build();
      }
      return r;
    }
    String model = answer.model();
    String provider = answer.provider();
    String generationId = or(answer.id(), generationIdHeader);
    if (result instanceof CompletionMapper.CompletionResult.ErrorBody errorBody) {
      throw GatewayFailure.upstream(errorBody.error())
          .withServed(model, provider, generationId);
    }
    throw GatewayFailure.of(Kind.UPSTREAM_MALFORMED, "the completion has no choices")
        .withServed(model, provider, generationId);
  }

  private static String or(String a, String b) {
    return a == null || a.isEmpty() ? b : a;
  }
}
