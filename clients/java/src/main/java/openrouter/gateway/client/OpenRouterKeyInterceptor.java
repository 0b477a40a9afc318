package openrouter.gateway.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;

/**
 * Adds {@code x-openrouter-api-key: <key>} to every call: the caller's own OpenRouter key, for a
 * gateway that allows bring-your-own-key (GATEWAY_ALLOW_CALLER_KEYS) and then spends it instead
 * of its own. Not to be confused with the gateway caller key ({@link BearerTokenInterceptor}).
 * The key is never part of {@link #toString()}.
 */
final class OpenRouterKeyInterceptor implements ClientInterceptor {
  static final Metadata.Key<String> OPENROUTER_KEY =
      Metadata.Key.of("x-openrouter-api-key", Metadata.ASCII_STRING_MARSHALLER);

  private final String key;

  OpenRouterKeyInterceptor(String key) {
    if (key == null || key.isBlank()) {
      throw new IllegalArgumentException("the OpenRouter key is empty");
    }
    if (key.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw new IllegalArgumentException("the OpenRouter key contains spaces or non-ASCII characters");
    }
    this.key = key;
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
    return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
      @Override
      public void start(Listener<RespT> listener, Metadata headers) {
        // A key set closer to the caller (a withOpenRouterKey view over a keyed client) wins.
        if (!headers.containsKey(OPENROUTER_KEY)) {
          headers.put(OPENROUTER_KEY, key);
        }
        super.start(listener, headers);
      }
    };
  }

  @Override
  public String toString() {
    return "OpenRouterKeyInterceptor[<hidden>]";
  }
}
