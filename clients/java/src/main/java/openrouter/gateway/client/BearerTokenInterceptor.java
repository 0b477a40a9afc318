package openrouter.gateway.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;

/**
 * Adds {@code authorization: Bearer <key>} to every call: the gateway caller key, for a gateway
 * that authenticates its callers (GATEWAY_API_KEYS_FILE). An OpenRouter key for
 * bring-your-own-key travels in its own header ({@link OpenRouterKeyInterceptor}). The key is
 * never part of {@link #toString()}.
 */
final class BearerTokenInterceptor implements ClientInterceptor {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final String headerValue;

  BearerTokenInterceptor(String apiKey) {
    if (apiKey == null || apiKey.isBlank()) {
      throw new IllegalArgumentException("the API key is empty");
    }
    if (apiKey.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw new IllegalArgumentException("the API key contains spaces or non-ASCII characters");
    }
    this.headerValue = "Bearer " + apiKey;
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
    return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
      @Override
      public void start(Listener<RespT> listener, Metadata headers) {
        // A key set closer to the caller (a withApiKey view over a keyed client) wins.
        if (!headers.containsKey(AUTHORIZATION)) {
          headers.put(AUTHORIZATION, headerValue);
        }
        super.start(listener, headers);
      }
    };
  }

  @Override
  public String toString() {
    return "BearerTokenInterceptor[<hidden>]";
  }
}
