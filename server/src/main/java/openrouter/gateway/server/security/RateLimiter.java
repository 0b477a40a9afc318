package openrouter.gateway.server.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Per-caller, per-family token buckets (Bucket4j, greedy refill: {@code 30/1m} gives a token
 * every 2 s, up to 30 in hand). The buckets live in a bounded cache, so memory stays bounded
 * whatever the number of callers. Bucket4j has Redis, JCache and Hazelcast backends for when
 * several replicas must share one limit: only {@link #bucket} would change.
 */
public final class RateLimiter {
  /** A refused call: the limit it hit and how long until one request fits again. */
  public record Rejection(MethodFamily family, RateLimit limit, Duration retryAfter) {}

  private record BucketKey(String callerId, MethodFamily family, RateLimit limit) {}

  private final Map<MethodFamily, RateLimit> defaults;
  private final Cache<BucketKey, Bucket> buckets =
      Caffeine.newBuilder().maximumSize(100_000).expireAfterAccess(Duration.ofHours(1)).build();

  public RateLimiter(Map<MethodFamily, RateLimit> defaults) {
    this.defaults = new EnumMap<>(defaults);
  }

  /** Takes one token for this call, or says how long to wait. Anonymous callers are not limited. */
  public Optional<Rejection> tryAcquire(Caller caller, MethodFamily family) {
    if (caller.anonymous() || family == null) {
      return Optional.empty();
    }
    RateLimit limit = caller.limit(family).orElse(defaults.get(family));
    if (limit == null) {
      return Optional.empty();
    }
    ConsumptionProbe probe = bucket(new BucketKey(caller.id(), family, limit)).tryConsumeAndReturnRemaining(1);
    if (probe.isConsumed()) {
      return Optional.empty();
    }
    return Optional.of(new Rejection(family, limit, Duration.ofNanos(probe.getNanosToWaitForRefill())));
  }

  private Bucket bucket(BucketKey key) {
    return buckets.get(key, k -> Bucket.builder()
        .addLimit(l -> l.capacity(k.limit().requests()).refillGreedy(k.limit().requests(), k.limit().period()))
        .build());
  }
}
