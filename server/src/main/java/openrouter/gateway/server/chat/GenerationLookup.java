package openrouter.gateway.server.chat;

import com.google.protobuf.util.Timestamps;
import com.google.rpc.BadRequest.FieldViolation;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import openrouter.gateway.server.upstream.wire.GenerationStats;
import openrouter.gateway.server.upstream.wire.OpenRouterError;
import openrouter.gateway.server.resilience.RetryPolicy;
import openrouter.gateway.server.upstream.CallControl;
import openrouter.gateway.server.upstream.JsonCall;
import openrouter.gateway.server.upstream.OpenRouterClient;
import openrouter.gateway.server.upstream.UpstreamResponses;
import openrouter.gateway.v1.Generation;

/**
 * Reads the stats of one generation ({@code GET /generation?id=}, api reference §5.3).
 *
 * <p>OpenRouter's stats are eventually consistent: right after a completion it answers 404 for
 * a few hundred milliseconds or more. A 404 is therefore retried with exponential backoff
 * (from {@link #FIRST_404_DELAY} up to {@link #MAX_404_DELAY}) while the next attempt still
 * fits the call's deadline, at most {@link #MAX_ATTEMPTS} attempts; other failures are retried
 * as the {@link RetryPolicy} allows. An id still unknown then ends NOT_FOUND.
 */
public final class GenerationLookup {
  /**
   * Time allowed for a lookup whose caller set no deadline: long enough for a fresh id to become
   * visible (usually well under a second), short enough that a wrong id fails promptly.
   */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);
  static final Duration FIRST_404_DELAY = Duration.ofMillis(100);
  static final Duration MAX_404_DELAY = Duration.ofSeconds(1);
  static final int MAX_ATTEMPTS = 12;
  static final int MAX_ID_CHARS = 256;

  private final OpenRouterClient client;
  private final RetryPolicy retryPolicy;
  private final Clock clock;

  public GenerationLookup(OpenRouterClient client, RetryPolicy retryPolicy, Clock clock) {
    this.client = client;
    this.retryPolicy = retryPolicy;
    this.clock = clock;
  }

  /** What is wrong with a generation id, before any upstream call; empty when it is fine. */
  public static List<FieldViolation> validate(String id) {
    String problem = null;
    if (id.isBlank()) {
      problem = "id is required: the generation id of a completion (ChatSummary.generation_id),"
          + " e.g. gen-1739458867-kUKFjpDGCEBBvK6V46PX";
    } else if (id.length() > MAX_ID_CHARS) {
      problem = "id must be at most " + MAX_ID_CHARS + " characters, got " + id.length();
    } else if (id.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
      problem = "id must not contain spaces, control or non-ASCII characters";
    }
    return problem == null ? List.of()
        : List.of(FieldViolation.newBuilder().setField("id").setDescription(problem).build());
  }

  /** The generation's stats; throws a {@link GatewayFailure} (NOT_FOUND when still unknown). */
  public Generation find(String id, Optional<String> callerKey, CallControl control) {
    String path = "/generation?id=" + URLEncoder.encode(id, StandardCharsets.UTF_8);
    int attempts = 0;
    int notFoundRetries = 0;
    int otherRetries = 0;
    while (true) {
      UpstreamResponses.requireNotEnded(control); // no request for a call already cancelled
      attempts++;
      try {
        return toProto(JsonCall.generation(client.newGetCall(path, callerKey), control));
      } catch (GatewayFailure caught) {
        GatewayFailure f = caught.kind() == Kind.UPSTREAM_TIMEOUT
            ? GatewayFailure.of(Kind.UPSTREAM_TIMEOUT, "OpenRouter did not answer GET /generation within"
                + " GetGeneration's " + DEFAULT_TIMEOUT.toSeconds() + " s limit; set a deadline on the"
                + " call to choose your own")
            : caught;
        f = f.withCallerKey(callerKey.isPresent());
        boolean notYetVisible = f.kind() == Kind.UPSTREAM_ERROR
            && f.upstreamError().map(OpenRouterError::effectiveStatus).orElse(0) == 404;
        if (notYetVisible) {
          f = f.withResource("generation", id);
        }
        f = f.withAttempts(attempts, cause(f));
        if (attempts >= MAX_ATTEMPTS || control.cancelled() || control.expired()) {
          throw f;
        }
        Optional<Duration> wait = notYetVisible
            ? Optional.of(notFoundDelay(++notFoundRetries))
            : retryPolicy.delayBefore(++otherRetries, f, control.remaining(), clock,
                () -> ThreadLocalRandom.current().nextDouble());
        // A wait that reaches the deadline leaves no time for the attempt after it.
        if (wait.isEmpty() || wait.get().compareTo(control.remaining()) >= 0) {
          throw f;
        }
        if (!control.pause(wait.get())) {
          throw GatewayFailure.of(Kind.CALLER_CANCELLED, "the caller cancelled the call");
        }
      }
    }
  }

  /** 100 ms, 200 ms, 400 ms, ... up to 1 s. */
  static Duration notFoundDelay(int retry) {
    long millis = FIRST_404_DELAY.toMillis() << Math.min(retry - 1, 10);
    return Duration.ofMillis(Math.min(millis, MAX_404_DELAY.toMillis()));
  }

  private static String cause(GatewayFailure f) {
    return f.upstreamError().map(e -> "HTTP " + e.effectiveStatus()).orElse(f.kind().name());
  }


  /** Maps the stats of {@code GET /generation}; everything is also in {@code raw}. */
  public static Generation toProto(GenerationStats d) {
    Generation.Builder b = Generation.newBuilder()
        .setId(d.id())
        .setModel(d.model())
        .setProviderName(d.providerName())
        .setTotalCost(d.totalCost())
        .setTokensPrompt(d.tokensPrompt())
        .setTokensCompletion(d.tokensCompletion())
        .setNativeTokensPrompt(d.nativeTokensPrompt())
        .setNativeTokensCompletion(d.nativeTokensCompletion())
        .setNativeTokensReasoning(d.nativeTokensReasoning())
        .setNativeTokensCached(d.nativeTokensCached())
        .setLatencyMs(d.latencyMs())
        .setGenerationTimeMs(d.generationTimeMs())
        .setStreamed(d.streamed())
        .setCancelled(d.cancelled())
        .setFinishReason(d.finishReason())
        .setNativeFinishReason(d.nativeFinishReason())
        .setIsByok(d.isByok())
        .setRaw(d.raw());
    d.createdAt().ifPresent(at -> b.setCreatedAt(Timestamps.fromMillis(at.toEpochMilli())));
    return b.build();
  }
}
