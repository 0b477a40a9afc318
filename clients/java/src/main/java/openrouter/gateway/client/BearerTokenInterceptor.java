package openrouter.gateway.client;

import io.grpc.Metadata;

/**
 * Adds {@code authorization: Bearer <key>} to every call: the gateway caller key, for a gateway
 * that authenticates its callers (GATEWAY_API_KEYS_FILE). An OpenRouter key for
 * bring-your-own-key travels in its own header ({@link OpenRouterKeyInterceptor}). A key set
 * closer to the caller (a withApiKey view over a keyed client) wins.
 */
final class BearerTokenInterceptor extends KeyHeaderInterceptor {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  BearerTokenInterceptor(String apiKey) {
    super(AUTHORIZATION, apiKey, "API key", "Bearer ");
  }
}
