package openrouter.gateway.server.upstream;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Set;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The outermost interceptor of the HTTP client: times each exchange and reports it to an
 * {@link UpstreamObserver} under a bounded endpoint name, so no URL, id or query string ever
 * becomes a metric label.
 */
final class UpstreamExchanges implements Interceptor {
  private static final Set<String> KNOWN = Set.of(
      "/chat/completions", "/completions", "/embeddings", "/models", "/models/user",
      "/models/count", "/embeddings/models", "/key", "/credits", "/generation", "/providers");

  private final UpstreamObserver observer;
  private final String basePath;

  UpstreamExchanges(UpstreamObserver observer, String basePath) {
    this.observer = observer;
    this.basePath = basePath.endsWith("/") ? basePath.substring(0, basePath.length() - 1) : basePath;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    String endpoint = endpoint(request.url().encodedPath());
    boolean gatewayKey = request.tag(UpstreamHeaders.CallerKey.class) == null;
    boolean probe = request.tag(UpstreamObserver.HealthProbe.class) != null;
    long start = System.nanoTime();
    Response response;
    try {
      response = chain.proceed(request);
    } catch (IOException | RuntimeException e) {
      report(endpoint, request.method(), 0, errorType(e, chain), gatewayKey, probe, System.nanoTime() - start);
      throw e;
    }
    report(endpoint, request.method(), response.code(), "", gatewayKey, probe, System.nanoTime() - start);
    return response;
  }

  private void report(String endpoint, String method, int httpStatus, String errorType, boolean gatewayKey,
      boolean probe, long nanos) {
    if (probe) {
      observer.probeExchange(endpoint, method, httpStatus, errorType, nanos);
    } else {
      observer.exchange(endpoint, method, httpStatus, errorType, gatewayKey, nanos);
    }
  }

  /** {@code /api/v1/models/openai/gpt-4o/endpoints} becomes {@code /models/{id}/endpoints}. */
  String endpoint(String path) {
    return endpoint(basePath, path);
  }

  /** {@code /api/v1/models/openai/gpt-4o/endpoints} becomes {@code /models/{id}/endpoints}. */
  static String endpoint(String basePath, String path) {
    String base = basePath.endsWith("/") ? basePath.substring(0, basePath.length() - 1) : basePath;
    String p = path.startsWith(base) ? path.substring(base.length()) : path;
    if (KNOWN.contains(p)) {
      return p;
    }
    if (p.startsWith("/models/") && p.endsWith("/endpoints")) {
      return "/models/{id}/endpoints";
    }
    if (p.startsWith("/model/")) {
      return "/model/{id}";
    }
    return "other";
  }

  private static String errorType(Exception e, Chain chain) {
    if (chain.call().isCanceled()) {
      return "cancelled";
    }
    if (e instanceof SocketTimeoutException || e instanceof InterruptedIOException) {
      return "timeout";
    }
    if (e instanceof ConnectException || e instanceof UnknownHostException) {
      return "connect";
    }
    return "io";
  }
}
