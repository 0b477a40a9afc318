package openrouter.gateway.server.config;

import static openrouter.gateway.server.config.GatewayConfig.CACHE_MAX_STALENESS;
import static openrouter.gateway.server.config.GatewayConfig.CACHE_MIN_REFRESH_INTERVAL;
import static openrouter.gateway.server.config.GatewayConfig.CREDITS_TTL;
import static openrouter.gateway.server.config.GatewayConfig.ENDPOINTS_TTL;
import static openrouter.gateway.server.config.GatewayConfig.MODELS_TTL;

import java.time.Duration;

/**
 * The caches of what the gateway reads from OpenRouter (the catalogue, balances, key info, model
 * endpoints).
 *
 * @param modelsTtl how long the model catalogue (and the provider list) is served from the cache
 * @param creditsTtl how long balances and key information are served from the cache
 * @param endpointsTtl how long ListModelEndpoints answers are served from the cache (short: uptime
 *     and latency figures move)
 * @param maxStaleness oldest a cached value may be when refreshing it fails and it is served anyway
 * @param minRefreshInterval force_refresh reads one entry at most once per this interval
 */
public record CacheSettings(
    Duration modelsTtl, Duration creditsTtl, Duration endpointsTtl, Duration maxStaleness, Duration minRefreshInterval) {

  static CacheSettings from(SettingValues v) {
    return new CacheSettings(
        v.millis(MODELS_TTL),
        v.millis(CREDITS_TTL),
        v.millis(ENDPOINTS_TTL),
        v.millis(CACHE_MAX_STALENESS),
        v.millis(CACHE_MIN_REFRESH_INTERVAL));
  }
}
