package openrouter.gateway.server.metrics;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerStreamTracer;
import io.grpc.ServerTransportFilter;
import io.grpc.Status;
import io.grpc.health.v1.HealthGrpc;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * gRPC server metrics from a {@link ServerStreamTracer}, which sees every call the server
 * received: those our services answered, and those no interceptor or service ever saw (unknown
 * methods, messages over the size limit, calls refused during shutdown). Method labels are the
 * registered full method names; any other name becomes {@code other}.
 *
 * <p>Also counts calls in flight (for the shutdown drain) and open connections.
 */
public final class GrpcServerMetrics extends ServerStreamTracer.Factory {
  static final String WATCH = HealthGrpc.getWatchMethod().getFullMethodName();
  private static final Duration[] LATENCY_BUCKETS = buckets(
      5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000);

  private final MeterRegistry registry;
  private final Map<String, Timer> durations = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> active = new ConcurrentHashMap<>();
  private final Map<String, Counter> started = new ConcurrentHashMap<>();
  private final AtomicInteger drainable = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private final Counter connectionsOpened;

  GrpcServerMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("grpc.server.connections", connections, AtomicInteger::get)
        .description("Open client connections (HTTP/2 transports)").register(registry);
    this.connectionsOpened = Counter.builder("grpc.server.connections.opened")
        .description("Client connections opened").register(registry);
  }

  /** Makes every method of these services show up in the metrics at zero from the start. */
  public void preregister(Iterable<io.grpc.ServerServiceDefinition> services) {
    for (var service : services) {
      for (var method : service.getMethods()) {
        activeGauge(method.getMethodDescriptor().getFullMethodName());
      }
    }
  }

  /** Calls in flight, long-lived health Watch streams excepted: what a shutdown drains. */
  public int callsToDrain() {
    return drainable.get();
  }

  /** Counts open connections; add it to the server builder. */
  public ServerTransportFilter transportFilter() {
    return new ServerTransportFilter() {
      @Override
      public Attributes transportReady(Attributes attrs) {
        connections.incrementAndGet();
        connectionsOpened.increment();
        return attrs;
      }

      @Override
      public void transportTerminated(Attributes attrs) {
        connections.decrementAndGet();
      }
    };
  }

  @Override
  public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
    return new CallTracer(!WATCH.equals(fullMethodName));
  }

  private AtomicInteger activeGauge(String method) {
    return active.computeIfAbsent(method, m -> {
      AtomicInteger n = new AtomicInteger();
      Gauge.builder("grpc.server.active_calls", n, AtomicInteger::get)
          .description("Calls in flight (streams included), by method")
          .tags(methodTags(m))
          .register(registry);
      return n;
    });
  }

  private static Tags methodTags(String fullMethod) {
    int slash = fullMethod.indexOf('/');
    String service = slash > 0 ? fullMethod.substring(0, slash) : BoundedLabels.OTHER;
    return Tags.of("grpc.service", service, "grpc.method", fullMethod);
  }

  private final class CallTracer extends ServerStreamTracer {
    private final long startNanos = System.nanoTime();
    private final boolean drains;
    private final AtomicLong closed = new AtomicLong();
    private volatile String method = BoundedLabels.OTHER;
    private volatile AtomicInteger activeCount;

    CallTracer(boolean drains) {
      this.drains = drains;
      if (drains) {
        drainable.incrementAndGet();
      }
    }

    @Override
    public void serverCallStarted(ServerCallInfo<?, ?> callInfo) {
      MethodDescriptor<?, ?> descriptor = callInfo.getMethodDescriptor();
      String m = descriptor.getFullMethodName();
      method = m;
      started.computeIfAbsent(m, k -> Counter.builder("grpc.server.call.started")
          .description("Calls started, by method").tags(methodTags(k)).register(registry)).increment();
      AtomicInteger n = activeGauge(m);
      n.incrementAndGet();
      activeCount = n;
    }

    @Override
    public void streamClosed(Status status) {
      if (closed.getAndIncrement() != 0) {
        return;
      }
      if (drains) {
        drainable.decrementAndGet();
      }
      AtomicInteger n = activeCount;
      if (n != null) {
        n.decrementAndGet();
      }
      String m = method;
      String code = status.getCode().name();
      durations.computeIfAbsent(m + ' ' + code, k -> Timer.builder("grpc.server.call.duration")
              .description("Call duration from the first header received to the status sent, by method and status")
              .tags(methodTags(m).and("grpc.status", code))
              .serviceLevelObjectives(LATENCY_BUCKETS)
              .register(registry))
          .record(System.nanoTime() - startNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  static Duration[] buckets(long... millis) {
    Duration[] d = new Duration[millis.length];
    for (int i = 0; i < millis.length; i++) {
      d[i] = Duration.ofMillis(millis[i]);
    }
    return d;
  }
}
