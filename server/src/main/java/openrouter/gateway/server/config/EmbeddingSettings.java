package openrouter.gateway.server.config;

import static openrouter.gateway.server.config.GatewayConfig.DEFAULT_EMBEDDING_MODEL;
import static openrouter.gateway.server.config.GatewayConfig.MAX_EMBED_BYTES;
import static openrouter.gateway.server.config.GatewayConfig.MAX_EMBED_INPUTS;

import java.util.Optional;

/**
 * Embeddings (issue 17).
 *
 * @param defaultModel model used when an Embed request names none
 * @param maxInputs most inputs in one Embed request
 * @param maxRequestBytes most bytes of one serialized Embed request
 */
public record EmbeddingSettings(
    Optional<String> defaultModel, int maxInputs, int maxRequestBytes) {

  static EmbeddingSettings from(SettingValues v) {
    return new EmbeddingSettings(
        v.optional(DEFAULT_EMBEDDING_MODEL),
        v.positiveInt(MAX_EMBED_INPUTS),
        v.positiveInt(MAX_EMBED_BYTES));
  }
}
