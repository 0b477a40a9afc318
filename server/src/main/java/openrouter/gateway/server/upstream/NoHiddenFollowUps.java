package openrouter.gateway.server.upstream;

import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * Stops the one re-send OkHttp makes that no client setting turns off: after a {@code 503}
 * carrying {@code Retry-After: 0} its follow-up logic sends the request again, unseen by the
 * gateway's retry policy (and a chat completion sent twice can be billed twice). The network
 * half, which runs inside that logic, hides the header under a private name; the application
 * half, outside it, puts it back, so the retry policy and the logs still see the upstream's hint.
 *
 * <p>The other follow-ups are off by configuration (see {@link OpenRouterClient}): redirects
 * ({@code followRedirects(false)}), {@code 408} re-sends ({@code retryOnConnectionFailure(false)}),
 * {@code 401}/{@code 407} (no authenticators); {@code 421} re-sends only happen on a connection
 * coalesced across host names, which one base URL never uses.
 */
final class NoHiddenFollowUps {
  private static final String RETRY_AFTER = "Retry-After";
  private static final String HIDDEN = "X-Gateway-Hidden-Retry-After";

  private NoHiddenFollowUps() {}

  /** Add with {@code addNetworkInterceptor}. */
  static Interceptor network() {
    return chain -> {
      Response response = chain.proceed(chain.request());
      String retryAfter = response.header(RETRY_AFTER);
      if (retryAfter == null) {
        return response;
      }
      return response.newBuilder().removeHeader(RETRY_AFTER).header(HIDDEN, retryAfter).build();
    };
  }

  /** Add with {@code addInterceptor}, as the innermost application interceptor. */
  static Interceptor application() {
    return chain -> restore(chain.proceed(chain.request()));
  }

  private static Response restore(Response response) throws IOException {
    String hidden = response.header(HIDDEN);
    if (hidden == null) {
      return response;
    }
    return response.newBuilder().removeHeader(HIDDEN).header(RETRY_AFTER, hidden).build();
  }
}
