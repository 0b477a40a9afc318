package openrouter.gateway.server.upstream;

import java.util.Locale;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.Response;
import openrouter.gateway.server.errors.Redactor;

/**
 * Recognises an answer that does not come from OpenRouter's API: a redirect, or a web page
 * where the API answers JSON. That is what a base URL without {@code /api/v1} (e.g.
 * {@code https://openrouter.ai}) gets, and it must not read as "model not found".
 */
public final class NotOpenRouter {
  /** The likely fix, for logs and statuses. */
  public static final String FIX = "OPENROUTER_BASE_URL should end in /api/v1 (e.g. "
      + UpstreamTarget.OPENROUTER_API + ")";
  private static final int MAX_LOCATION_CHARS = 200;

  private NotOpenRouter() {}

  /**
   * What is wrong with the answer to an API call, or empty when it may be OpenRouter's: a
   * redirect (the API never redirects), or a 404/405 whose body is not JSON (the API's errors
   * always are; an HTML 5xx is a passing proxy failure and stays retryable).
   */
  public static Optional<String> inCallAnswer(Response response) {
    int code = response.code();
    if (code >= 300 && code < 400) {
      return Optional.of(redirect(response));
    }
    if ((code == 404 || code == 405) && !json(response)) {
      return Optional.of(page(response));
    }
    return Optional.empty();
  }

  /**
   * What is wrong with the answer to {@code GET /key}, which OpenRouter always serves (401
   * without a valid key): also any 404, and a success that is a web page.
   */
  public static Optional<String> inKeyAnswer(Response response) {
    Optional<String> wrong = inCallAnswer(response);
    if (wrong.isPresent()) {
      return wrong;
    }
    int code = response.code();
    if (code == 404) {
      return Optional.of(page(response));
    }
    if (code < 400 && html(response)) {
      return Optional.of(page(response)); // a web site's page where the API answers
    }
    return Optional.empty();
  }

  /** One sentence naming the URL tried, what came back and the fix. */
  public static String explain(Response response, String what) {
    return response.request().method() + " " + withoutQuery(response.request().url()) + " " + what
        + ", which is not OpenRouter's API: " + FIX;
  }

  private static String redirect(Response response) {
    String location = Redactor.redactAndCut(response.header("Location", ""), MAX_LOCATION_CHARS);
    return "answered HTTP " + response.code() + " (a redirect"
        + (location.isEmpty() ? "" : " to " + location) + ")";
  }

  private static String page(Response response) {
    String type = response.header("Content-Type", "");
    return "answered HTTP " + response.code()
        + (type.isEmpty() ? " with no content type" : " with " + type.split(";")[0].trim());
  }

  private static boolean html(Response response) {
    return response.header("Content-Type", "").toLowerCase(Locale.ROOT).contains("html");
  }

  private static boolean json(Response response) {
    String type = response.header("Content-Type", "").toLowerCase(Locale.ROOT);
    return type.contains("json");
  }

  private static String withoutQuery(HttpUrl url) {
    return url.newBuilder().query(null).build().toString();
  }
}
