package openrouter.gateway.server.config;

import static openrouter.gateway.server.config.GatewayConfig.DEFAULT_EMBEDDING_MODEL;
import static openrouter.gateway.server.config.GatewayConfig.ENDPOINTS_TTL;
import static openrouter.gateway.server.config.GatewayConfig.MAX_EMBED_BYTES;
import static openrouter.gateway.server.config.GatewayConfig.MAX_EMBED_INPUTS;

import java.time.Duration;
import java.util.Optional;

/**
 * Embeddings and the model-endpoint reads (issue 17).
 *
 * @param defaultModel model used when an Embed request names none
 * @param endpointsCacheTtl how long ListModelEndpoints answers are served from the cache
 * @param maxInputs most inputs in one Embed request
 * @param maxRequestBytes most bytes of one serialized Embed request
 */
public record EmbeddingSettings(
    Optional<String> defaultModel, Duration endpointsCacheTtl, int maxInputs, int maxRequestBytes) {

  static EmbeddingSettings from(SettingValues v) {
    return new EmbeddingSettings(
        v.optional(DEFAULT_EMBEDDING_MODEL),
        v.millis(ENDPOINTS_TTL),
        v.positiveInt(MAX_EMBED_INPUTS),
        v.positiveInt(MAX_EMBED_BYTES));
  }
}
