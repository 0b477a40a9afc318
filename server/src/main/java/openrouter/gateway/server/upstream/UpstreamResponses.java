package openrouter.gateway.server.upstream;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.Response;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import openrouter.gateway.server.errors.Redactor;
import openrouter.gateway.server.upstream.wire.OpenRouterErrors;

/** Turns HTTP-level outcomes into {@link GatewayFailure}s, the same way for every endpoint. */
public final class UpstreamResponses {
  /** Error bodies are small; a huge one is not an error body. */
  private static final long MAX_ERROR_BODY_BYTES = 256 * 1024;

  private UpstreamResponses() {}

  /**
   * The failure an HTTP error response stands for, from its OpenRouter error body. A redirect
   * (never followed, see {@link OpenRouterClient}) or a web page is not OpenRouter's answer: the
   * base URL is wrong ({@link NotOpenRouter}).
   */
  public static GatewayFailure errorResponse(Response response) {
    Optional<String> notOpenRouter = NotOpenRouter.inCallAnswer(response);
    if (notOpenRouter.isPresent()) {
      return GatewayFailure.of(Kind.UPSTREAM_NOT_OPENROUTER,
          NotOpenRouter.explain(response, notOpenRouter.get()));
    }
    String text;
    try {
      text = response.peekBody(MAX_ERROR_BODY_BYTES).string();
    } catch (IOException unreadable) {
      text = null;
    }
    return GatewayFailure.upstream(
        OpenRouterErrors.fromErrorBody(response.code(), text, retryHeaders(response.headers())));
  }

  /** The headers that carry retry hints, lower-case names. */
  public static Map<String, String> retryHeaders(Headers headers) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String name : new String[] {"retry-after", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"}) {
      String v = headers.get(name);
      if (v != null) {
        out.put(name, v);
      }
    }
    return out;
  }

  /**
   * Attaches {@code call} to its control (so cancelling the gRPC call cancels it) and sends it;
   * an I/O failure before the response is classified by {@link #ioFailure}.
   */
  public static Response send(Call call, CallControl control) {
    control.attach(call);
    try {
      return call.execute();
    } catch (IOException e) {
      throw ioFailure(e, control, false);
    }
  }

  /**
   * Classifies an I/O failure of an upstream call: cancelled by the caller, out of time, never
   * connected, or cut off mid-response.
   */
  public static GatewayFailure ioFailure(IOException e, CallControl control, boolean responseStarted) {
    if (e instanceof UpstreamTooLarge tooLarge) {
      control.abortAttempt(); // the rest of the answer is not wanted: close its connection
      return GatewayFailure.of(Kind.UPSTREAM_TOO_LARGE, tooLarge.getMessage());
    }
    GatewayFailure ended = ended(control);
    if (ended != null) {
      return ended;
    }
    String what = describe(e);
    return responseStarted
        ? GatewayFailure.of(Kind.STREAM_TRUNCATED, "the connection broke mid-response (" + what + ")", e)
        : GatewayFailure.of(Kind.UPSTREAM_UNREACHABLE, what, e);
  }

  /**
   * Call before each upstream request: a call that was cancelled or ran out of time (a reset
   * stream, a client gone while the call waited for a worker) must not send one. Throws the
   * failure the call ended with.
   */
  public static void requireNotEnded(CallControl control) {
    GatewayFailure ended = ended(control);
    if (ended != null) {
      throw ended;
    }
  }

  /** Why the call ended on the caller's side, or null while it is still wanted. */
  private static GatewayFailure ended(CallControl control) {
    // The deadline first: when it passes, gRPC also cancels the call's context.
    if (control.expired()) {
      return control.callerDeadline()
          ? GatewayFailure.of(Kind.CALLER_DEADLINE, "the call's deadline passed before OpenRouter finished")
          : GatewayFailure.of(Kind.UPSTREAM_TIMEOUT,
              "OpenRouter did not finish within the gateway's time limit (GATEWAY_CHAT_TIMEOUT_MS); set a deadline on the call to choose your own");
    }
    if (control.cancelled()) {
      return GatewayFailure.of(Kind.CALLER_CANCELLED, "the caller cancelled the call");
    }
    return null;
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    String type = e.getClass().getSimpleName();
    return m == null ? type : type + ": " + Redactor.redact(m.toLowerCase(Locale.ROOT));
  }
}
