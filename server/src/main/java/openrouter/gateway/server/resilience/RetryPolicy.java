package openrouter.gateway.server.resilience;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.DoubleSupplier;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.RetryDelays;
import openrouter.gateway.server.upstream.wire.OpenRouterError;

/**
 * Which failed upstream attempts the gateway retries, and after how long.
 *
 * <p>Only what was certainly not served, and only before anything reached the caller (the
 * caller of this class checks that): connection failures, malformed or cut-off responses, 502,
 * 503, 529, and 429 when its wait fits the remaining deadline. Never 400, 401, 402, 403, 404 or
 * 500. The delay is exponential backoff with full jitter, or the upstream's own hint
 * (Retry-After and friends) when it gives one; a retry that cannot start before the deadline is
 * not attempted, and neither is one whose hint exceeds {@code maxDelay}
 * (OPENROUTER_RETRY_MAX_DELAY_MS): the call then fails at once and its RetryInfo carries the
 * upstream's delay, so the caller decides whether to wait that long.
 */
public record RetryPolicy(int maxRetries, Duration initialDelay, Duration maxDelay, double multiplier) {

  public static RetryPolicy none() {
    return new RetryPolicy(0, Duration.ZERO, Duration.ZERO, 1);
  }

  /**
   * The wait before retry number {@code retry} (1-based), or empty when the failure must not be
   * retried.
   *
   * @param random a source of uniform numbers in [0, 1), for the jitter
   */
  public Optional<Duration> delayBefore(
      int retry, GatewayFailure failure, Duration remaining, Clock clock, DoubleSupplier random) {
    return delay(retry, failure, retryable(failure), remaining, clock, random);
  }

  /**
   * As {@link #delayBefore}, for an idempotent call (an embedding: sending it twice gives the
   * same answer and changes nothing). Such a call is also retried after 500, 408 and 524,
   * where the request may have reached the model: repeating it costs at most a second
   * charge, never a second effect.
   */
  public Optional<Duration> delayBeforeIdempotent(
      int retry, GatewayFailure failure, Duration remaining, Clock clock, DoubleSupplier random) {
    return delay(retry, failure, retryable(failure) || retryableIfIdempotent(failure), remaining, clock, random);
  }

  private Optional<Duration> delay(
      int retry, GatewayFailure failure, boolean retryable, Duration remaining, Clock clock, DoubleSupplier random) {
    if (retry > maxRetries || !retryable) {
      return Optional.empty();
    }
    Optional<Duration> hint =
        failure.upstreamError().flatMap(e -> RetryDelays.of(e, clock));
    if (hint.isPresent() && hint.get().compareTo(maxDelay) > 0) {
      return Optional.empty(); // no silent long waits inside the gateway
    }
    Duration delay = hint.orElseGet(() -> backoff(retry, random));
    // Leave room for the retry itself: a wait that ends at the deadline is pointless.
    if (delay.compareTo(remaining) >= 0) {
      return Optional.empty();
    }
    return Optional.of(delay);
  }

  /** Full jitter: uniform in [0, min(max, initial × multiplier^(retry-1))]. */
  Duration backoff(int retry, DoubleSupplier random) {
    double ceiling = initialDelay.toMillis() * Math.pow(multiplier, retry - 1);
    ceiling = Math.min(ceiling, maxDelay.toMillis());
    return Duration.ofMillis((long) (random.getAsDouble() * ceiling));
  }

  static boolean retryable(GatewayFailure failure) {
    return switch (failure.kind()) {
      case UPSTREAM_UNREACHABLE, UPSTREAM_MALFORMED, STREAM_TRUNCATED -> true;
      case UPSTREAM_ERROR -> failure.upstreamError().map(RetryPolicy::retryableStatus).orElse(false);
      default -> false;
    };
  }

  static boolean retryableIfIdempotent(GatewayFailure failure) {
    if (failure.kind() != GatewayFailure.Kind.UPSTREAM_ERROR) {
      return false;
    }
    int status = failure.upstreamError().map(OpenRouterError::effectiveStatus).orElse(0);
    return status == 500 || status == 408 || status == 524;
  }

  private static boolean retryableStatus(OpenRouterError e) {
    int status = e.effectiveStatus();
    return status == 429 || status == 502 || status == 503 || status == 529;
  }
}
