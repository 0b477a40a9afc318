package openrouter.gateway.server.security;

import io.github.bucket4j.ConsumptionProbe;

/** Where token buckets live: this replica's memory, or Redis shared by every replica. */
public interface RateLimitStore {
  /** Takes one token from the caller's bucket of this family and limit (created full when new). */
  ConsumptionProbe tryConsume(String callerId, MethodFamily family, RateLimit limit);

  /** The bucket's name: a changed limit starts a new, full bucket. */
  static String key(String callerId, MethodFamily family, RateLimit limit) {
    return callerId + "/" + family.label() + "/" + limit;
  }
}
