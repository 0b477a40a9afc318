package openrouter.gateway.server.security;

import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import openrouter.gateway.server.errors.GatewayFailure;

/**
 * Per-caller, per-family token buckets (Bucket4j, greedy refill: {@code 30/1m} gives a token
 * every 2 s, up to 30 in hand). The buckets live in a {@link RateLimitStore}: this replica's
 * memory, or Redis when several replicas must share one limit.
 */
public final class RateLimiter {
  /** A refused call: the limit it hit and how long until one request fits again. */
  public record Rejection(MethodFamily family, RateLimit limit, Duration retryAfter) {
    /** RESOURCE_EXHAUSTED {@code RATE_LIMITED}, with the wait (RetryInfo) and the limit (QuotaFailure). */
    public GatewayFailure failure(Caller caller) {
      return GatewayFailure.rateLimited("caller:" + caller.id() + "/" + family.label(),
          "rate limit of " + limit + " " + family.label() + " calls exceeded for caller "
              + caller.id() + "; retry after " + Math.max(1, retryAfter.toMillis()) + " ms",
          retryAfter);
    }
  }

  private final Map<MethodFamily, RateLimit> defaults;
  private final RateLimitStore store;

  public RateLimiter(Map<MethodFamily, RateLimit> defaults) {
    this(defaults, new LocalRateLimitStore());
  }

  public RateLimiter(Map<MethodFamily, RateLimit> defaults, RateLimitStore store) {
    this.defaults = new EnumMap<>(defaults);
    this.store = store;
  }

  /** Takes one token for this call, or says how long to wait. Anonymous callers are not limited. */
  public Optional<Rejection> tryAcquire(Caller caller, MethodFamily family) {
    Optional<RateLimit> applies = limitOf(caller, family);
    if (applies.isEmpty()) {
      return Optional.empty();
    }
    RateLimit limit = applies.get();
    ConsumptionProbe probe = store.tryConsume(caller.id(), family, limit);
    if (probe.isConsumed()) {
      return Optional.empty();
    }
    return Optional.of(new Rejection(family, limit, Duration.ofNanos(probe.getNanosToWaitForRefill())));
  }

  /** The limit a caller's calls of this family are under: its own, else the default; none for anonymous callers. */
  public Optional<RateLimit> limitOf(Caller caller, MethodFamily family) {
    if (caller.anonymous() || family == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(caller.limit(family).orElse(defaults.get(family)));
  }
}
