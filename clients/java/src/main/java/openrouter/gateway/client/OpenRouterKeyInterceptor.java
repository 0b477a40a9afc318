package openrouter.gateway.client;

import io.grpc.Metadata;

/**
 * Adds {@code x-openrouter-api-key: <key>} to every call: the caller's own OpenRouter key, for a
 * gateway that allows bring-your-own-key (GATEWAY_ALLOW_CALLER_KEYS) and then spends it instead
 * of its own. Not to be confused with the gateway caller key ({@link BearerTokenInterceptor}).
 * A key set closer to the caller (a withOpenRouterKey view over a keyed client) wins.
 */
final class OpenRouterKeyInterceptor extends KeyHeaderInterceptor {
  static final Metadata.Key<String> OPENROUTER_KEY =
      Metadata.Key.of("x-openrouter-api-key", Metadata.ASCII_STRING_MARSHALLER);

  OpenRouterKeyInterceptor(String key) {
    super(OPENROUTER_KEY, key, "OpenRouter key", "");
  }
}
