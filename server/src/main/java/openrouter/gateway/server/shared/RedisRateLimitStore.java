package openrouter.gateway.server.shared;

import io.github.bucket4j.ConsumptionProbe;
import java.util.List;
import openrouter.gateway.server.security.LocalRateLimitStore;
import openrouter.gateway.server.security.MethodFamily;
import openrouter.gateway.server.security.RateLimit;
import openrouter.gateway.server.security.RateLimitStore;

/**
 * Token buckets in Redis ({@link AdmissionScripts#ADMIT}, one round trip, refilled on Redis's
 * clock), so every replica takes from the same bucket with the semantics of the in-memory
 * buckets. A bucket's key expires once it would be full again. While Redis is unreachable:
 * this replica's own buckets in open mode; in closed mode chat calls are refused, while
 * ModelsService and CreditsService calls (which spend nothing) use this replica's buckets.
 */
public final class RedisRateLimitStore implements RateLimitStore {
  private final SharedState state;
  private final LocalRateLimitStore local = new LocalRateLimitStore();

  public RedisRateLimitStore(SharedState state) {
    this.state = state;
  }

  @Override
  public ConsumptionProbe tryConsume(String callerId, MethodFamily family, RateLimit limit) {
    String key = key(callerId, family, limit);
    return state.call("rate_limit", redis -> {
      AdmissionScripts.Answer a = AdmissionScripts.admit(redis, new AdmissionScripts.Request(
          key, limit.requests(), limit.period().toMillis(), key, 0, 0, "", List.of(), "", true));
      return a.code() == AdmissionScripts.ADMITTED
          ? ConsumptionProbe.consumed(a.tokensLeft(), 0)
          : ConsumptionProbe.rejected(0, a.retryMicros() * 1000, 0);
    }, () -> local.tryConsume(callerId, family, limit), family != MethodFamily.CHAT);
  }

  /** This replica's own bucket, for while Redis is unreachable. */
  ConsumptionProbe tryConsumeLocally(String callerId, MethodFamily family, RateLimit limit) {
    return local.tryConsume(callerId, family, limit);
  }

  /** The bucket's key (a changed limit starts a new, full bucket). */
  String key(String callerId, MethodFamily family, RateLimit limit) {
    return state.key("bucket:" + RateLimitStore.key(callerId, family, limit));
  }
}
