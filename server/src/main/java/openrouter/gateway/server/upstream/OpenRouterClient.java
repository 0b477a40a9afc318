package openrouter.gateway.server.upstream;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import openrouter.gateway.server.tracing.Tracing;
import openrouter.gateway.server.upstream.wire.OpenRouterBody;

/**
 * The one HTTP client of the process. It knows OpenRouter's paths and headers and nothing of
 * gRPC: callers get OkHttp {@link Call}s, set their total timeout from the gRPC deadline, and
 * cancel them when the gRPC call is cancelled.
 */
public final class OpenRouterClient implements AutoCloseable {
  private static final MediaType JSON = MediaType.get("application/json");

  private final UpstreamTarget target;
  private final UpstreamLimits limits;
  private final OkHttpClient http;

  public OpenRouterClient(
      UpstreamTarget target, Optional<String> siteUrl, String siteName, String version) {
    this(target, siteUrl, siteName, version, UpstreamObserver.NONE);
  }

  /** {@code observer} hears about every exchange (metrics, key health). */
  public OpenRouterClient(
      UpstreamTarget target, Optional<String> siteUrl, String siteName, String version,
      UpstreamObserver observer) {
    this(target, siteUrl, siteName, version, observer, false);
  }

  /**
   * {@code http2PriorKnowledge}: speak cleartext HTTP/2 to an http:// base URL without asking
   * first (h2c), so concurrent calls share one connection as they do with OpenRouter over TLS,
   * where ALPN picks HTTP/2 and this must be false.
   *
   * @throws IllegalArgumentException if {@code http2PriorKnowledge} is set for an https:// base
   *     URL (the bootstrap reports it as a configuration error)
   */
  public OpenRouterClient(
      UpstreamTarget target, Optional<String> siteUrl, String siteName, String version,
      UpstreamObserver observer, boolean http2PriorKnowledge) {
    this(target, siteUrl, siteName, version, observer, http2PriorKnowledge, UpstreamLimits.DEFAULTS, Tracing.off());
  }

  /**
   * {@code limits} bound what is read of every answer; with {@code tracing} on, each request
   * gets a client span and a traceparent.
   */
  public OpenRouterClient(
      UpstreamTarget target, Optional<String> siteUrl, String siteName, String version,
      UpstreamObserver observer, boolean http2PriorKnowledge, UpstreamLimits limits, Tracing tracing) {
    if (http2PriorKnowledge && !"http".equals(target.baseUrl().getScheme())) {
      throw new IllegalArgumentException("HTTP/2 with prior knowledge needs an http:// base URL, got "
          + target.baseUrl());
    }
    this.target = target;
    this.limits = limits;
    OkHttpClient.Builder builder = new OkHttpClient.Builder();
    if (http2PriorKnowledge) {
      // One HTTP/2 connection carries as many calls as the server's SETTINGS_MAX_CONCURRENT_STREAMS
      // allow; OkHttp opens another only beyond that.
      builder.protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE));
    }
    // Outermost: times and labels each exchange; innermost: the DEBUG log sees the
    // final headers, so it is the one that must (and does) redact the key.
    builder.addInterceptor(new UpstreamExchanges(observer, target.baseUrl().getRawPath()));
    if (tracing.on()) {
      builder.addInterceptor(new UpstreamTracing(tracing.tracer(), tracing.propagator(), target));
    }
    this.http =
        builder
            .addInterceptor(new UpstreamHeaders(target.apiKey(), siteUrl, siteName, version))
            .addInterceptor(new UpstreamDebugLog())
            .addInterceptor(NoHiddenFollowUps.application())
            .addNetworkInterceptor(NoHiddenFollowUps.network())
            .socketFactory(new NoDelaySocketFactory())
            .connectTimeout(Duration.ofSeconds(10))
            .writeTimeout(Duration.ofSeconds(30))
            // OpenRouter's keep-alive comments and whitespace padding defeat read timeouts, so
            // the real bound is each call's total timeout (from the gRPC deadline). This is
            // only a backstop for a peer that goes silent without closing.
            .readTimeout(Duration.ofMinutes(5))
            .connectionPool(new ConnectionPool(256, 5, TimeUnit.MINUTES))
            // Every upstream request is one the gateway's retry policy decided: OkHttp neither
            // retries nor follows up on its own (a re-sent chat completion can be billed twice).
            .retryOnConnectionFailure(false) // also turns off its re-send of a 408
            // OpenRouter's API never redirects: a redirect means a wrong base URL, which must
            // show (NotOpenRouter) rather than be followed with a re-sent request.
            .followRedirects(false)
            .followSslRedirects(false)
            .authenticator(okhttp3.Authenticator.NONE)
            .proxyAuthenticator(okhttp3.Authenticator.NONE)
            .build();
  }

  public UpstreamTarget target() {
    return target;
  }

  public UpstreamLimits limits() {
    return limits;
  }

  /** POST /chat/completions with this body; {@code stream} only sets the Accept header. */
  public Call newChatCall(OpenRouterBody body, boolean stream, Optional<String> callerKey) {
    Request.Builder b =
        new Request.Builder()
            .url(target.baseUrl() + "/chat/completions")
            .post(RequestBody.create(body.json(), JSON))
            .header("Accept", stream ? "text/event-stream" : "application/json")
            .tag(UpstreamLimits.class, limits);
    callerKey.ifPresent(k -> b.tag(UpstreamHeaders.CallerKey.class, new UpstreamHeaders.CallerKey(k)));
    return http.newCall(b.build());
  }

  /** POST /embeddings with this body. */
  public Call newEmbeddingsCall(OpenRouterBody body, Optional<String> callerKey) {
    Request.Builder b =
        new Request.Builder()
            .url(target.baseUrl() + "/embeddings")
            .post(RequestBody.create(body.json(), JSON))
            .header("Accept", "application/json");
    callerKey.ifPresent(k -> b.tag(UpstreamHeaders.CallerKey.class, new UpstreamHeaders.CallerKey(k)));
    return http.newCall(b.build());
  }

  /** GET of a path under the base URL, e.g. {@code "/models?output_modalities=all"}. */
  public Call newGetCall(String pathAndQuery, Optional<String> callerKey) {
    Request.Builder b =
        new Request.Builder().url(target.baseUrl() + pathAndQuery).get().header("Accept", "application/json")
            .tag(UpstreamLimits.class, limits);
    callerKey.ifPresent(k -> b.tag(UpstreamHeaders.CallerKey.class, new UpstreamHeaders.CallerKey(k)));
    return http.newCall(b.build());
  }

  /** The health probe's GET with the gateway's key, tagged so observers can tell it apart. */
  public Call newProbeCall(String pathAndQuery) {
    return http.newCall(new Request.Builder().url(target.baseUrl() + pathAndQuery).get()
        .header("Accept", "application/json").tag(UpstreamObserver.HealthProbe.class, new UpstreamObserver.HealthProbe())
        .build());
  }

  @Override
  public void close() {
    http.dispatcher().cancelAll();
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
