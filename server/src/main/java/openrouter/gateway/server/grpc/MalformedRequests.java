package openrouter.gateway.server.grpc;

import io.grpc.BindableService;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
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
 */
final class MalformedRequests {
  private MalformedRequests() {}

  static ServerServiceDefinition wrap(BindableService service, StatusMapper statusMapper) {
    ServerServiceDefinition raw = ServerInterceptors.useInputStreamMessages(service.bindService());
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
