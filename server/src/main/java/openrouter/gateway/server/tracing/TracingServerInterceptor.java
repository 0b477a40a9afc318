package openrouter.gateway.server.tracing;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import org.slf4j.MDC;

/**
 * One server span per RPC (gRPC semantic conventions), child of the caller's W3C {@code
 * traceparent}/{@code tracestate} when the metadata has one. The span is current (and its ids
 * are the {@code trace_id}/{@code span_id} MDC entries) in every listener callback; the span ends
 * when the call closes or is cancelled, with the error status and the ErrorInfo reason.
 *
 * <p>Registered last, so it runs first: every other interceptor, the access line included, runs
 * inside the span. With tracing off it is not installed at all.
 */
public final class TracingServerInterceptor implements ServerInterceptor {
  private static final TextMapGetter<Metadata> METADATA = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Metadata carrier) {
      return carrier.keys();
    }

    @Override
    public String get(Metadata carrier, String key) {
      return carrier == null || key.endsWith(Metadata.BINARY_HEADER_SUFFIX) ? null
          : carrier.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
    }
  };

  private final Tracing tracing;
  private final BiFunction<Status, Metadata, String> reasonOf;

  /** {@code reasonOf}: the ErrorInfo reason of a failed call's status and trailers. */
  public TracingServerInterceptor(Tracing tracing, BiFunction<Status, Metadata, String> reasonOf) {
    this.tracing = tracing;
    this.reasonOf = reasonOf;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    Context parent = tracing.propagator().extract(Context.root(), headers, METADATA);
    String fullMethod = call.getMethodDescriptor().getFullMethodName();
    String service = call.getMethodDescriptor().getServiceName();
    String method = call.getMethodDescriptor().getBareMethodName();
    Span span = tracing.tracer().spanBuilder(fullMethod)
        .setParent(parent)
        .setSpanKind(SpanKind.SERVER)
        .setAttribute("rpc.system", "grpc")
        .setAttribute("rpc.service", service == null ? "" : service)
        .setAttribute("rpc.method", method == null ? "" : method)
        .startSpan();
    Context context = parent.with(span);
    AtomicBoolean ended = new AtomicBoolean();

    ServerCall<ReqT, RespT> ending = new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        if (ended.compareAndSet(false, true)) {
          end(span, status.getCode(), status.isOk() ? "" : reasonOf.apply(status, trailers));
        }
        super.close(status, trailers);
      }
    };
    ServerCall.Listener<ReqT> listener;
    try (Scope scope = context.makeCurrent(); var ids = Ids.put(span)) {
      listener = next.startCall(ending, headers);
    }
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onMessage(ReqT message) {
        try (Scope scope = context.makeCurrent(); var ids = Ids.put(span)) {
          super.onMessage(message);
        }
      }

      @Override
      public void onHalfClose() {
        try (Scope scope = context.makeCurrent(); var ids = Ids.put(span)) {
          super.onHalfClose();
        }
      }

      @Override
      public void onReady() {
        try (Scope scope = context.makeCurrent(); var ids = Ids.put(span)) {
          super.onReady();
        }
      }

      @Override
      public void onComplete() {
        try (Scope scope = context.makeCurrent(); var ids = Ids.put(span)) {
          super.onComplete();
        }
      }

      @Override
      public void onCancel() {
        try (Scope scope = context.makeCurrent(); var ids = Ids.put(span)) {
          if (ended.compareAndSet(false, true)) {
            boolean deadline = io.grpc.Context.current().getDeadline() != null
                && io.grpc.Context.current().getDeadline().isExpired();
            span.addEvent(deadline ? "deadline_exceeded" : "cancelled");
            end(span, deadline ? Status.Code.DEADLINE_EXCEEDED : Status.Code.CANCELLED, "");
          }
          super.onCancel();
        }
      }
    };
  }

  private static void end(Span span, Status.Code code, String reason) {
    span.setAttribute("rpc.grpc.status_code", code.value());
    if (code != Status.Code.OK) {
      span.setAttribute("error.type", reason.isEmpty() ? code.name() : reason);
      span.setStatus(StatusCode.ERROR, reason.isEmpty() ? code.name() : code.name() + " " + reason);
    }
    span.end();
  }

  /**
   * The {@code trace_id}/{@code span_id} MDC entries of a span, for the log lines of its call;
   * closing restores what was there before.
   */
  public static final class Ids implements AutoCloseable {
    private static final Ids NONE = new Ids(false, null, null);
    private final boolean set;
    private final String previousTrace;
    private final String previousSpan;

    private Ids(boolean set, String previousTrace, String previousSpan) {
      this.set = set;
      this.previousTrace = previousTrace;
      this.previousSpan = previousSpan;
    }

    /** Puts the ids of {@code span} when it is a real one (tracing on). */
    public static Ids put(Span span) {
      var c = span.getSpanContext();
      if (!c.isValid()) {
        return NONE;
      }
      Ids ids = new Ids(true, MDC.get("trace_id"), MDC.get("span_id"));
      MDC.put("trace_id", c.getTraceId());
      MDC.put("span_id", c.getSpanId());
      return ids;
    }

    @Override
    public void close() {
      if (set) {
        restore("trace_id", previousTrace);
        restore("span_id", previousSpan);
      }
    }

    private static void restore(String key, String value) {
      if (value == null) {
        MDC.remove(key);
      } else {
        MDC.put(key, value);
      }
    }
  }
}
