package openrouter.gateway.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;

/**
 * Adds a key header to every call unless the call already carries one (a key set closer to the
 * caller, by a keyed view over a keyed client, wins). The key is checked once, here, and is
 * never part of {@link #toString()}.
 */
abstract class KeyHeaderInterceptor implements ClientInterceptor {
  private final Metadata.Key<String> header;
  private final String headerValue;

  /**
   * @param keyName what the key is called in the error of a bad one ("API key", ...)
   * @param valuePrefix written before the key in the header ("Bearer ", or nothing)
   */
  KeyHeaderInterceptor(Metadata.Key<String> header, String key, String keyName, String valuePrefix) {
    if (key == null || key.isBlank()) {
      throw new IllegalArgumentException("the " + keyName + " is empty");
    }
    if (key.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw new IllegalArgumentException("the " + keyName + " contains spaces or non-ASCII characters");
    }
    this.header = header;
    this.headerValue = valuePrefix + key;
  }

  @Override
  public final <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
    return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
      @Override
      public void start(Listener<RespT> listener, Metadata headers) {
        if (!headers.containsKey(header)) {
          headers.put(header, headerValue);
        }
        super.start(listener, headers);
      }
    };
  }

  @Override
  public final String toString() {
    return getClass().getSimpleName() + "[<hidden>]";
  }
}
