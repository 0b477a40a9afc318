package openrouter.gateway.server.grpc;

import io.grpc.BindableService;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.StatusRuntimeException;
import java.io.InputStream;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import openrouter.gateway.server.errors.StatusMapper;

/**
 * Answers a request whose bytes are not a valid protobuf message with INVALID_ARGUMENT and an
 * ErrorInfo. Left alone, grpc-java parses requests outside any handler and turns the parse
 * failure into UNKNOWN "Application error processing RPC" (and a SEVERE log line). Here each
 * method receives the request as the transport's own stream and parses it inside a listener
 * that can answer properly.
 *
 * <p>Only the request side changes. Responses keep the method's own marshaller, so protobuf
 * messages are still written straight into the transport's buffers ({@code Drainable}); grpc's
 * {@code ServerInterceptors.useInputStreamMessages}, used before, also turned every response
 * into a plain stream that the framer copied through a fresh 8 KiB buffer per message, which
 * was the largest source of garbage per streamed chunk.
 */
final class MalformedRequests {
  private MalformedRequests() {}

  /** The request as the transport delivers it; parsed later, inside the call's listener. */
  private static final MethodDescriptor.Marshaller<InputStream> UNPARSED = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(InputStream value) {
      return value;
    }

    @Override
    public InputStream parse(InputStream stream) {
      return stream; // grpc closes it after onMessage returns, and onMessage parses it first
    }
  };

  static ServerServiceDefinition wrap(BindableService service, StatusMapper statusMapper) {
    ServerServiceDefinition typed = service.bindService();
    ServerServiceDefinition.Builder wrapped = ServerServiceDefinition.builder(typed.getServiceDescriptor().getName());
    for (ServerMethodDefinition<?, ?> method : typed.getMethods()) {
      wrapped.addMethod(wrapMethod(method, statusMapper));
    }
    return wrapped.build();
  }

  private static <Q, R> ServerMethodDefinition<InputStream, R> wrapMethod(
      ServerMethodDefinition<Q, R> method, StatusMapper statusMapper) {
    MethodDescriptor<Q, R> descriptor = method.getMethodDescriptor();
    MethodDescriptor<InputStream, R> onTheWire =
        descriptor.toBuilder(UNPARSED, descriptor.getResponseMarshaller()).build();
    ServerCallHandler<InputStream, R> handler = (call, headers) -> {
      ServerCall.Listener<Q> next = method.getServerCallHandler().startCall(new TypedView<>(call, descriptor), headers);
      return new ParsingListener<>(next, call, descriptor, statusMapper);
    };
    return ServerMethodDefinition.create(onTheWire, handler);
  }

  /**
   * The call as the service's typed handler sees it. A server call never carries requests
   * outward (they arrive through the listener), so the request type is never used on it and
   * only the descriptor differs.
   */
  private static final class TypedView<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
    private final MethodDescriptor<Q, R> descriptor;

    @SuppressWarnings("unchecked") // see above: no request passes through a ServerCall
    TypedView(ServerCall<InputStream, R> call, MethodDescriptor<Q, R> descriptor) {
      super((ServerCall<Q, R>) (ServerCall<?, R>) call);
      this.descriptor = descriptor;
    }

    @Override
    public MethodDescriptor<Q, R> getMethodDescriptor() {
      return descriptor;
    }
  }

  /** Parses each request, or ends the call with INVALID_ARGUMENT when the bytes do not parse. */
  private static final class ParsingListener<Q, R> extends ServerCall.Listener<InputStream> {
    private final ServerCall.Listener<Q> next;
    private final ServerCall<InputStream, R> call;
    private final MethodDescriptor<Q, R> descriptor;
    private final StatusMapper statusMapper;
    private boolean rejected;

    ParsingListener(ServerCall.Listener<Q> next, ServerCall<InputStream, R> call,
        MethodDescriptor<Q, R> descriptor, StatusMapper statusMapper) {
      this.next = next;
      this.call = call;
      this.descriptor = descriptor;
      this.statusMapper = statusMapper;
    }

    @Override
    public void onMessage(InputStream bytes) {
      if (rejected) {
        return;
      }
      Q request;
      try {
        request = descriptor.parseRequest(bytes);
      } catch (StatusRuntimeException unparseable) {
        rejected = true;
        StatusRuntimeException e = statusMapper.toException(GatewayFailure.withReason(Kind.INVALID_REQUEST,
            "MALFORMED_REQUEST", "the request is not a valid " + descriptor.getFullMethodName()
                + " request message (protobuf parse failed); check the client's generated code matches the contract"));
        call.close(e.getStatus(), e.getTrailers() == null ? new Metadata() : e.getTrailers());
        return;
      }
      next.onMessage(request);
    }

    @Override
    public void onHalfClose() {
      if (!rejected) {
        next.onHalfClose();
      }
    }

    @Override
    public void onCancel() {
      next.onCancel();
    }

    @Override
    public void onComplete() {
      next.onComplete();
    }

    @Override
    public void onReady() {
      next.onReady();
    }
  }
}
