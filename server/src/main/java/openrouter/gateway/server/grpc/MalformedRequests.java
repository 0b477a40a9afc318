package openrouter.gateway.server.grpc;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.StatusRuntimeException;
import java.io.InputStream;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import openrouter.gateway.server.errors.StatusMapper;

/**
 * Answers a request whose bytes are not a valid protobuf message with INVALID_ARGUMENT and an
 * ErrorInfo. Left alone, grpc-java parses requests outside any handler and turns the parse
 * failure into UNKNOWN "Application error processing RPC" (and a SEVERE log line). Here the
 * service receives raw bytes and parses them inside a listener that can answer properly.
 *
 * <p>Only requests are handled as bytes. Responses go out as the service's own marshaller
 * streamed them: a protobuf response stays a drainable stream that is serialized straight into
 * the transport's buffer (re-reading it through a buffered stream cost a second copy of every
 * response), and a method may answer with bytes it serialized earlier (see {@link PreSerialized}).
 * For streams this matters most: the copy allocated a fresh 8 KiB buffer per message, and a
 * JFR allocation profile of 50 streams put it (with the request side's 8 KiB buffer) at 44% of
 * all allocation.
 */
final class MalformedRequests {
  /** Requests reach the listener as the transport's stream; the service's own parser reads it there. */
  private static final MethodDescriptor.Marshaller<InputStream> AS_IS = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(InputStream value) {
      return value;
    }

    @Override
    public InputStream parse(InputStream stream) {
      return stream;
    }
  };

  private MalformedRequests() {}

  static ServerServiceDefinition wrap(ServerServiceDefinition service, StatusMapper statusMapper) {
    ServerServiceDefinition raw = ServerInterceptors.useMarshalledMessages(service, AS_IS, AS_IS);
    return ServerInterceptors.intercept(raw, new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
          private boolean rejected;

          @Override
          public void onMessage(Q message) {
            if (rejected) {
              return;
            }
            try {
              super.onMessage(message);
            } catch (StatusRuntimeException unparseable) {
              rejected = true;
              if (message instanceof InputStream in) {
                try {
                  in.close();
                } catch (java.io.IOException ignored) {
                  // nothing to release beyond the buffer
                }
              }
              StatusRuntimeException e = statusMapper.toException(GatewayFailure.withReason(Kind.INVALID_REQUEST,
                  "MALFORMED_REQUEST", "the request is not a valid " + call.getMethodDescriptor().getFullMethodName()
                      + " request message (protobuf parse failed); check the client's generated code matches the contract"));
              call.close(e.getStatus(), e.getTrailers() == null ? new Metadata() : e.getTrailers());
            }
          }

          @Override
          public void onHalfClose() {
            if (!rejected) {
              super.onHalfClose();
            }
          }
        };
      }
    });
  }
}
