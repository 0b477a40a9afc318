package openrouter.gateway.server.testing;

import com.sun.net.httpserver.HttpServer;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real OTLP trace receiver on loopback: the OTLP/gRPC {@code TraceService/Export} and the
 * OTLP/HTTP {@code POST /v1/traces} (protobuf), both built on the opentelemetry-proto messages.
 * It keeps every span it received with its resource.
 */
public final class OtlpReceiver implements AutoCloseable {
  /** A received span and the resource it came with. */
  public record Received(Span span, List<KeyValue> resource) {
    public String traceId() {
      return HexFormat.of().formatHex(span.getTraceId().toByteArray());
    }

    public String spanId() {
      return HexFormat.of().formatHex(span.getSpanId().toByteArray());
    }

    public String parentSpanId() {
      return HexFormat.of().formatHex(span.getParentSpanId().toByteArray());
    }

    public Optional<AnyValue> attribute(String key) {
      return span.getAttributesList().stream().filter(kv -> kv.getKey().equals(key)).map(KeyValue::getValue).findFirst();
    }

    public String string(String key) {
      return attribute(key).map(AnyValue::getStringValue).orElse(null);
    }

    public Long integer(String key) {
      return attribute(key).map(AnyValue::getIntValue).orElse(null);
    }

    public String resourceString(String key) {
      return resource.stream().filter(kv -> kv.getKey().equals(key)).map(kv -> kv.getValue().getStringValue())
          .findFirst().orElse(null);
    }
  }

  private static final MethodDescriptor<ExportTraceServiceRequest, ExportTraceServiceResponse> EXPORT =
      MethodDescriptor.<ExportTraceServiceRequest, ExportTraceServiceResponse>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("opentelemetry.proto.collector.trace.v1.TraceService/Export")
          .setRequestMarshaller(ProtoUtils.marshaller(ExportTraceServiceRequest.getDefaultInstance()))
          .setResponseMarshaller(ProtoUtils.marshaller(ExportTraceServiceResponse.getDefaultInstance()))
          .build();

  private final List<Received> spans = new ArrayList<>();
  private final List<Runnable> held = new ArrayList<>(); // guarded by spans
  private boolean holding; // guarded by spans
  private final Server grpc;
  private final HttpServer http;

  public OtlpReceiver() throws IOException {
    ServerServiceDefinition service = ServerServiceDefinition
        .builder("opentelemetry.proto.collector.trace.v1.TraceService")
        .addMethod(EXPORT, ServerCalls.asyncUnaryCall((request, observer) -> {
          Runnable answer = () -> {
            add(request);
            observer.onNext(ExportTraceServiceResponse.getDefaultInstance());
            observer.onCompleted();
          };
          synchronized (spans) {
            if (holding) {
              held.add(answer); // a collector that does not answer (yet)
              return;
            }
          }
          answer.run();
        }))
        .build();
    this.grpc = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service).build().start();
    this.http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    http.createContext("/v1/traces", exchange -> {
      try (InputStream body = exchange.getRequestBody()) {
        add(ExportTraceServiceRequest.parseFrom(body));
        byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
        exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
        exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
        exchange.getResponseBody().write(answer);
      } finally {
        exchange.close();
      }
    });
    http.start();
  }

  /** For OTEL_EXPORTER_OTLP_ENDPOINT with protocol grpc. */
  public String grpcEndpoint() {
    return "http://127.0.0.1:" + grpc.getPort();
  }

  /** For OTEL_EXPORTER_OTLP_ENDPOINT with protocol http/protobuf (the SDK appends /v1/traces). */
  public String httpEndpoint() {
    return "http://127.0.0.1:" + http.getAddress().getPort();
  }

  private void add(ExportTraceServiceRequest request) {
    synchronized (spans) {
      for (ResourceSpans rs : request.getResourceSpansList()) {
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          for (Span s : ss.getSpansList()) {
            spans.add(new Received(s, rs.getResource().getAttributesList()));
          }
        }
      }
      spans.notifyAll();
    }
  }

  /** From now on, OTLP/gRPC exports wait unanswered (and unreceived) until {@link #release()}. */
  public void hold() {
    synchronized (spans) {
      holding = true;
    }
  }

  /** Receives and answers every held export, and answers the next ones at once. */
  public void release() {
    List<Runnable> answers;
    synchronized (spans) {
      holding = false;
      answers = List.copyOf(held);
      held.clear();
    }
    answers.forEach(Runnable::run);
  }

  public List<Received> spans() {
    synchronized (spans) {
      return List.copyOf(spans);
    }
  }

  /** Waits (bounded by Eventually.DEADLINE) until a span matches; returns it. */
  public Received await(Predicate<Received> matching) throws InterruptedException {
    return awaitAll(matching, 1).get(0);
  }

  /** Waits (bounded by Eventually.DEADLINE) until {@code count} spans match; returns them. */
  public List<Received> awaitAll(Predicate<Received> matching, int count) throws InterruptedException {
    long until = System.nanoTime() + openrouter.gateway.simulator.testing.Eventually.DEADLINE.toNanos();
    synchronized (spans) {
      while (true) {
        List<Received> found = spans.stream().filter(matching).toList();
        if (found.size() >= count) {
          return found;
        }
        long left = until - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("fewer than " + count + " matching spans among " + spans.size());
        }
        spans.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    http.stop(0);
  }
}
