package openrouter.gateway.server.config;

import static openrouter.gateway.server.config.GatewayConfig.API_KEY;
import static openrouter.gateway.server.config.GatewayConfig.BASE_URL;
import static openrouter.gateway.server.config.GatewayConfig.HTTP2_PRIOR_KNOWLEDGE;
import static openrouter.gateway.server.config.GatewayConfig.MAX_RESPONSE;
import static openrouter.gateway.server.config.GatewayConfig.MAX_RETRIES;
import static openrouter.gateway.server.config.GatewayConfig.MAX_SSE_EVENT;
import static openrouter.gateway.server.config.GatewayConfig.MAX_SSE_LINE;
import static openrouter.gateway.server.config.GatewayConfig.RETRY_INITIAL;
import static openrouter.gateway.server.config.GatewayConfig.RETRY_MAX;
import static openrouter.gateway.server.config.GatewayConfig.RETRY_MULTIPLIER;
import static openrouter.gateway.server.config.GatewayConfig.SITE_NAME;
import static openrouter.gateway.server.config.GatewayConfig.SITE_URL;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * How the gateway talks to OpenRouter: where, with which key and attribution, how often it
 * retries, and how much of one answer it reads.
 *
 * @param baseUrlExplicit whether OPENROUTER_BASE_URL was set (without it and without a key the
 *     built-in simulator is the upstream)
 * @param maxRetries retries of an attempt that certainly was not served
 * @param retryInitialDelay first backoff ceiling
 * @param retryMaxDelay largest backoff ceiling, and the longest upstream Retry-After waited for
 * @param retryMultiplier backoff growth per retry
 * @param maxSseLineBytes longest line of an upstream event stream
 * @param maxSseEventBytes largest event of an upstream event stream
 * @param maxResponseBytes largest non-streaming upstream answer
 */
public record UpstreamSettings(
    Optional<String> apiKey,
    URI baseUrl,
    boolean baseUrlExplicit,
    boolean http2PriorKnowledge,
    Optional<String> siteUrl,
    String siteName,
    int maxRetries,
    Duration retryInitialDelay,
    Duration retryMaxDelay,
    double retryMultiplier,
    long maxSseLineBytes,
    long maxSseEventBytes,
    long maxResponseBytes) {

  static UpstreamSettings from(SettingValues v) {
    Optional<String> apiKey = v.optional(API_KEY);
    apiKey.ifPresent(
        key -> {
          if (!key.startsWith("sk-or-")) {
            throw new ConfigException(
                API_KEY.env()
                    + " must be an OpenRouter key starting with sk-or- (value not shown)");
          }
          if (key.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
            throw new ConfigException(
                API_KEY.env() + " contains whitespace or non-ASCII characters (value not shown)");
          }
        });
    URI baseUrl = v.url(BASE_URL);
    boolean baseUrlExplicit = v.isSet(BASE_URL);
    boolean http2PriorKnowledge = v.bool(HTTP2_PRIOR_KNOWLEDGE);
    // Without a key or a base URL the built-in simulator (http://) is the upstream, not baseUrl.
    boolean baseUrlUsed = apiKey.isPresent() || baseUrlExplicit;
    if (http2PriorKnowledge && baseUrlUsed && baseUrl.getScheme().equals("https")) {
      throw new ConfigException(HTTP2_PRIOR_KNOWLEDGE.env() + "=true needs an http:// "
          + BASE_URL.env() + "; over https:// TLS negotiates HTTP/2 already, got " + baseUrl);
    }
    return new UpstreamSettings(
        apiKey,
        baseUrl,
        baseUrlExplicit,
        http2PriorKnowledge,
        v.optional(SITE_URL).map(url -> SettingValues.url(SITE_URL, url).toString()),
        v.text(SITE_NAME),
        (int) v.range(MAX_RETRIES, 0, 10),
        v.millis(RETRY_INITIAL),
        v.millis(RETRY_MAX),
        v.multiplier(RETRY_MULTIPLIER),
        v.range(MAX_SSE_LINE, 1024, Integer.MAX_VALUE),
        v.range(MAX_SSE_EVENT, 1024, Integer.MAX_VALUE),
        v.range(MAX_RESPONSE, 1024, Integer.MAX_VALUE));
  }

  /** Never prints the key. */
  @Override
  public String toString() {
    return "UpstreamSettings[apiKey=" + (apiKey.isPresent() ? "<set>" : "<unset>") + ", baseUrl=" + baseUrl
        + ", http2PriorKnowledge=" + http2PriorKnowledge + ", maxRetries=" + maxRetries + "]";
  }
}
