package openrouter.gateway.server.upstream;

import java.io.IOException;
import java.util.Optional;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Adds the key and the attribution headers to every upstream request, in one place. A
 * per-call key (bring-your-own-key) travels as a request tag and wins over the gateway's key.
 */
final class UpstreamHeaders implements Interceptor {
  private final Optional<String> gatewayKey;
  private final Optional<String> siteUrl;
  private final String siteName;
  private final String userAgent;

  UpstreamHeaders(
      Optional<String> gatewayKey, Optional<String> siteUrl, String siteName, String version) {
    this.gatewayKey = gatewayKey;
    this.siteUrl = siteUrl;
    this.siteName = siteName;
    this.userAgent = "openrouter-grpc-gateway/" + version;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request original = chain.request();
    Request.Builder b = original.newBuilder().header("User-Agent", userAgent);
    CallerKey callerKey = original.tag(CallerKey.class);
    Optional<String> key = callerKey != null ? Optional.of(callerKey.value()) : gatewayKey;
    key.ifPresent(k -> b.header("Authorization", "Bearer " + k));
    siteUrl.ifPresent(url -> b.header("HTTP-Referer", url));
    if (!siteName.isEmpty()) {
      b.header("X-OpenRouter-Title", siteName);
      b.header("X-Title", siteName); // legacy name, still read by OpenRouter
    }
    return chain.proceed(b.build());
  }

  /** A caller-supplied OpenRouter key, attached to one request as its tag. */
  record CallerKey(String value) {
    @Override
    public String toString() {
      return "CallerKey[<hidden>]";
    }
  }
}
