package openrouter.gateway.server.shared;

import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import java.time.Duration;
import openrouter.gateway.server.security.LocalRateLimitStore;
import openrouter.gateway.server.security.MethodFamily;
import openrouter.gateway.server.security.RateLimit;
import openrouter.gateway.server.security.RateLimitStore;

/**
 * Token buckets in Redis through Bucket4j's Lettuce backend (compare-and-swap), so every
 * replica takes from the same bucket and the semantics are those of the in-memory buckets.
 * A bucket's key expires once it would be full again. While Redis is unreachable: this
 * replica's own buckets in open mode; in closed mode chat calls are refused, while ModelsService
 * and CreditsService calls (which spend nothing) use this replica's buckets.
 *
 * <p>Bucket4j computes refills from each replica's clock: replicas need synchronised clocks (NTP).
 */
public final class RedisRateLimitStore implements RateLimitStore {
  private final SharedState state;
  private final LocalRateLimitStore local = new LocalRateLimitStore();
  private volatile ProxyManager<String> buckets;

  public RedisRateLimitStore(SharedState state) {
    this.state = state;
  }

  @Override
  public ConsumptionProbe tryConsume(String callerId, MethodFamily family, RateLimit limit) {
    return state.call("rate_limit",
        redis -> buckets().builder()
            .build(state.key("rl:" + RateLimitStore.key(callerId, family, limit)),
                () -> LocalRateLimitStore.configuration(limit))
            .tryConsumeAndReturnRemaining(1),
        () -> local.tryConsume(callerId, family, limit),
        family != MethodFamily.CHAT);
  }

  private ProxyManager<String> buckets() {
    ProxyManager<String> b = buckets;
    if (b == null) {
      synchronized (this) {
        if (buckets == null) {
          var connection = state.bucketConnection();
          if (connection == null) {
            throw new IllegalStateException("not connected to Redis yet");
          }
          buckets = Bucket4jLettuce.casBasedBuilder(connection)
              .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
              .build();
        }
        b = buckets;
      }
    }
    return b;
  }
}
