package openrouter.gateway.server.config;

import static openrouter.gateway.server.config.GatewayConfig.BUDGET;
import static openrouter.gateway.server.config.GatewayConfig.REDIS_FAILURE_MODE;
import static openrouter.gateway.server.config.GatewayConfig.REDIS_KEY_PREFIX;
import static openrouter.gateway.server.config.GatewayConfig.REDIS_LEASE;
import static openrouter.gateway.server.config.GatewayConfig.REDIS_PASSWORD;
import static openrouter.gateway.server.config.GatewayConfig.REDIS_TIMEOUT;
import static openrouter.gateway.server.config.GatewayConfig.REDIS_URL;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import openrouter.gateway.server.spend.Budget;

/**
 * Budgets and the shared state of several replicas. {@code redisUrl} empty: in memory.
 * {@code failOpen}: serve on per-replica limits while Redis is unreachable.
 *
 * <p>The budget is held as a {@link Budget}, a plain value whose text form ({@code 25/1d}) the
 * keys file shares: parsing it here reports a wrong value at start-up with the other settings.
 */
public record FleetSettings(
    Optional<Budget> defaultBudget,
    Optional<URI> redisUrl,
    Optional<String> redisPassword,
    String redisKeyPrefix,
    boolean failOpen,
    Duration redisTimeout,
    Duration leaseTime) {
  @Override
  public String toString() { // never the password, nor one inside the URL
    return "FleetSettings[defaultBudget=" + defaultBudget + ", redis=" + redisUrl.map(u -> u.getHost() + ":" + u.getPort())
        + ", prefix=" + redisKeyPrefix + ", failOpen=" + failOpen + "]";
  }

  static FleetSettings from(SettingValues v) {
    Optional<Budget> budget;
    try {
      budget = Budget.parse(v.text(BUDGET).isEmpty() ? "none" : v.text(BUDGET));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(BUDGET.env() + ": " + e.getMessage());
    }
    Optional<URI> redis = v.optional(REDIS_URL).map(FleetSettings::redisUrl);
    Duration lease = v.positiveMillis(REDIS_LEASE);
    if (lease.toMillis() < 100) {
      throw new ConfigException(REDIS_LEASE.env() + " must be at least 100 ms, got " + lease.toMillis());
    }
    return new FleetSettings(budget, redis, v.optional(REDIS_PASSWORD), v.text(REDIS_KEY_PREFIX),
        v.choice(REDIS_FAILURE_MODE, List.of("open", "closed")).equals("open"),
        v.positiveMillis(REDIS_TIMEOUT), lease);
  }

  /** redis:// or rediss:// with a host; the value is never echoed (it may hold a password). */
  private static URI redisUrl(String v) {
    String expected = REDIS_URL.env() + " must be redis://host:port/db or rediss://host:port/db (for TLS)";
    try {
      URI uri = new URI(v);
      if (uri.getScheme() == null || !(uri.getScheme().equals("redis") || uri.getScheme().equals("rediss"))) {
        throw new ConfigException(expected + "; its scheme is " + (uri.getScheme() == null ? "missing" : uri.getScheme()));
      }
      if (uri.getHost() == null) {
        throw new ConfigException(expected + "; it names no host (value not shown: it may hold a password)");
      }
      String path = uri.getPath() == null ? "" : uri.getPath();
      if (!path.isEmpty() && !path.matches("/\\d{0,2}")) {
        throw new ConfigException(expected + "; the path must be a database number such as /0");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new ConfigException(expected + "; it is not a URL (value not shown: it may hold a password)");
    }
  }
}
