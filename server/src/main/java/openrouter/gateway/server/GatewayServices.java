package openrouter.gateway.server;

import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import openrouter.gateway.server.metrics.GrpcServerMetrics;

/**
 * What the gateway serves, apart from any transport: the services (health and reflection
 * included), the interceptors around them, the per-call metrics and the executor of the calls'
 * callbacks. {@link #bindTo} puts them on any {@link ServerBuilder} (grpc-java's
 * {@code RouteGuideServer(ServerBuilder<?>)} pattern): Netty with the gateway's transport
 * settings in production ({@link Gateway#nettyTransport}), an in-process server in tests that
 * are not about the transport.
 *
 * @param callbackExecutor where gRPC runs the calls' callbacks; empty for {@code
 *     directExecutor()}, the event loop (nothing there blocks: docs/threads.md)
 * @param maxInboundMessageBytes the largest request message a call may send
 * @param interceptors innermost first: the last one runs first
 * @param services every service, already wrapped by {@code ServiceDefinitions.strict}
 */
public record GatewayServices(
    Optional<Executor> callbackExecutor,
    int maxInboundMessageBytes,
    GrpcServerMetrics grpcMetrics,
    List<ServerInterceptor> interceptors,
    List<ServerServiceDefinition> services) {

  public GatewayServices {
    interceptors = List.copyOf(interceptors);
    services = List.copyOf(services);
  }

  /** Adds everything the gateway serves to {@code builder}, which keeps its transport settings. */
  public void bindTo(ServerBuilder<?> builder) {
    if (callbackExecutor.isPresent()) {
      builder.executor(callbackExecutor.get());
    } else {
      builder.directExecutor();
    }
    builder
        .maxInboundMessageSize(maxInboundMessageBytes)
        // The tracer sees every call, even those refused before any interceptor runs.
        .addStreamTracerFactory(grpcMetrics)
        .addTransportFilter(grpcMetrics.transportFilter());
    interceptors.forEach(builder::intercept);
    services.forEach(builder::addService);
  }
}
