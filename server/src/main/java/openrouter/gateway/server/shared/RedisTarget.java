package openrouter.gateway.server.shared;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Where the shared state lives and how to use it: the Redis URL and password, the prefix of
 * every key, whether to serve on per-replica limits while Redis is unreachable
 * ({@code failOpen}), the timeout of one command and the time a lease is held.
 */
public record RedisTarget(
    URI url, Optional<String> password, String keyPrefix, boolean failOpen, Duration timeout, Duration leaseTime) {
  @Override
  public String toString() { // never the password, nor one inside the URL
    return "RedisTarget[" + url.getHost() + ":" + url.getPort() + ", prefix=" + keyPrefix + ", failOpen=" + failOpen + "]";
  }
}
