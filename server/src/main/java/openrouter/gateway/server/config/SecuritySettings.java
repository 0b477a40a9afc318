package openrouter.gateway.server.config;

import static openrouter.gateway.server.config.GatewayConfig.ALLOW_CALLER_KEYS;
import static openrouter.gateway.server.config.GatewayConfig.API_KEYS_FILE;
import static openrouter.gateway.server.config.GatewayConfig.MAX_STREAMS;
import static openrouter.gateway.server.config.GatewayConfig.RATE_CHAT;
import static openrouter.gateway.server.config.GatewayConfig.RATE_CREDITS;
import static openrouter.gateway.server.config.GatewayConfig.RATE_EMBEDDINGS;
import static openrouter.gateway.server.config.GatewayConfig.RATE_MODELS;
import static openrouter.gateway.server.config.GatewayConfig.STREAMS_PER_CALLER;

import java.nio.file.Path;
import java.util.Optional;
import openrouter.gateway.server.security.RateLimit;

/**
 * Who may call and how much: the callers' keys file, callers' own OpenRouter keys, the default
 * per-caller rate limit of each method family, and the chat calls in flight at once.
 *
 * <p>A rate limit is held as a {@link RateLimit}, a plain value whose text form ({@code 30/1m})
 * the keys file shares: parsing it here reports a wrong value at start-up with the other settings.
 *
 * @param apiKeysFile callers' keys file; empty = no caller authentication
 * @param allowCallerKeys accept a caller's own OpenRouter key in x-openrouter-api-key
 * @param maxConcurrentStreams chat calls in flight at once, over all callers
 * @param maxStreamsPerCaller chat calls in flight per authenticated caller
 */
public record SecuritySettings(
    Optional<Path> apiKeysFile,
    boolean allowCallerKeys,
    RateLimit chatRateLimit,
    RateLimit modelsRateLimit,
    RateLimit creditsRateLimit,
    RateLimit embeddingsRateLimit,
    int maxConcurrentStreams,
    int maxStreamsPerCaller) {

  static SecuritySettings from(SettingValues v) {
    return new SecuritySettings(
        v.readableFile(API_KEYS_FILE),
        v.bool(ALLOW_CALLER_KEYS),
        rate(v, RATE_CHAT),
        rate(v, RATE_MODELS),
        rate(v, RATE_CREDITS),
        rate(v, RATE_EMBEDDINGS),
        v.positiveInt(MAX_STREAMS),
        v.positiveInt(STREAMS_PER_CALLER));
  }

  private static RateLimit rate(SettingValues v, Setting s) {
    try {
      return RateLimit.parse(v.text(s));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(s.env() + ": " + e.getMessage());
    }
  }
}
