package openrouter.gateway.server.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;

/**
 * Token buckets in this replica's memory, in a bounded cache, so memory stays bounded whatever
 * the number of callers.
 */
public final class LocalRateLimitStore implements RateLimitStore {
  private record BucketKey(String key, RateLimit limit) {}

  private final Cache<BucketKey, Bucket> buckets =
      Caffeine.newBuilder().maximumSize(100_000).expireAfterAccess(Duration.ofHours(1)).build();
  private final TimeMeter time;

  /** Buckets refilled by the system clock, in milliseconds (Bucket4j's default). */
  public LocalRateLimitStore() {
    this(TimeMeter.SYSTEM_MILLISECONDS);
  }

  /** Buckets refilled by {@code time}: tests move it by hand. */
  LocalRateLimitStore(TimeMeter time) {
    this.time = time;
  }

  @Override
  public ConsumptionProbe tryConsume(String callerId, MethodFamily family, RateLimit limit) {
    return buckets.get(new BucketKey(RateLimitStore.key(callerId, family, limit), limit), k -> Bucket.builder()
        .addLimit(configuration(limit).getBandwidths()[0])
        .withCustomTimePrecision(time)
        .build()).tryConsumeAndReturnRemaining(1);
  }

  /** The same bucket shape for every store: greedy refill, {@code requests} in hand at most. */
  public static BucketConfiguration configuration(RateLimit limit) {
    return BucketConfiguration.builder()
        .addLimit(l -> l.capacity(limit.requests()).refillGreedy(limit.requests(), limit.period()))
        .build();
  }
}
