package openrouter.gateway.server.upstream;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;

/**
 * One client span per upstream HTTP request (HTTP client semantic conventions), a child of the
 * span current on the calling thread (the gRPC call's server span), ending when its response
 * body is closed (so a streamed attempt's span lasts as long as the stream). The request
 * carries the span's {@code traceparent}. Attributes name the method, the bounded route
 * ({@code url.template}), the status and the {@code error.type}: never a URL with a query, a
 * header or a body.
 */
final class UpstreamTracing implements Interceptor {
  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final String basePath;
  private final String host;
  private final int port;

  UpstreamTracing(Tracer tracer, TextMapPropagator propagator, UpstreamTarget target) {
    this.tracer = tracer;
    this.propagator = propagator;
    this.basePath = target.baseUrl().getRawPath() == null ? "" : target.baseUrl().getRawPath();
    this.host = target.baseUrl().getHost();
    this.port = target.baseUrl().getPort() > 0 ? target.baseUrl().getPort()
        : "https".equals(target.baseUrl().getScheme()) ? 443 : 80;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    String route = UpstreamExchanges.endpoint(basePath, request.url().encodedPath());
    Span span = tracer.spanBuilder(request.method() + " " + route)
        .setSpanKind(SpanKind.CLIENT)
        .setAttribute("http.request.method", request.method())
        .setAttribute("url.template", route)
        .setAttribute("server.address", host)
        .setAttribute("server.port", port)
        .startSpan();
    Request.Builder traced = request.newBuilder();
    Response response;
    try (Scope scope = span.makeCurrent()) {
      propagator.inject(Context.current(), traced, (b, k, v) -> b.header(k, v));
      response = chain.proceed(traced.build());
    } catch (IOException | RuntimeException e) {
      span.setAttribute("error.type", chain.call().isCanceled() ? "cancelled" : e.getClass().getName());
      span.setStatus(StatusCode.ERROR);
      span.end();
      throw e;
    }
    span.setAttribute("http.response.status_code", response.code());
    if (response.code() >= 400) {
      span.setAttribute("error.type", Integer.toString(response.code()));
      span.setStatus(StatusCode.ERROR);
    }
    ResponseBody body = response.body();
    return response.newBuilder().body(new EndingBody(body, span, chain)).build();
  }

  /** A response body that ends the span when it is closed (or fails to read). */
  private static final class EndingBody extends ResponseBody {
    private final ResponseBody delegate;
    private final Span span;
    private final Chain chain;
    private final AtomicBoolean ended = new AtomicBoolean();
    private BufferedSource source;

    EndingBody(ResponseBody delegate, Span span, Chain chain) {
      this.delegate = delegate;
      this.span = span;
      this.chain = chain;
    }

    @Override
    public MediaType contentType() {
      return delegate.contentType();
    }

    @Override
    public long contentLength() {
      return delegate.contentLength();
    }

    @Override
    public synchronized BufferedSource source() {
      if (source == null) {
        source = Okio.buffer(new ForwardingSource(delegate.source()) {
          @Override
          public long read(Buffer sink, long byteCount) throws IOException {
            try {
              return super.read(sink, byteCount);
            } catch (IOException e) {
              failed(e);
              throw e;
            }
          }

          @Override
          public void close() throws IOException {
            try {
              super.close();
            } finally {
              end();
            }
          }
        });
      }
      return source;
    }

    @Override
    public void close() {
      try {
        delegate.close();
      } finally {
        end();
      }
    }

    private void failed(IOException e) {
      if (!ended.get()) {
        span.setAttribute("error.type", chain.call().isCanceled() ? "cancelled" : e.getClass().getName());
        span.setStatus(StatusCode.ERROR);
      }
    }

    private void end() {
      if (ended.compareAndSet(false, true)) {
        span.end();
      }
    }
  }
}
