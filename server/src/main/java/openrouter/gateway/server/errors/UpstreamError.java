package openrouter.gateway.server.errors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An error OpenRouter reported: an HTTP error body, a 200 body holding {@code error}, or an
 * error chunk inside a stream. It keeps the raw JSON so nothing the upstream said is lost.
 *
 * @param httpStatus the HTTP status of the response that carried it (200 for body and chunk
 *     errors)
 * @param error the {@code error} object ({@code code}, {@code message}, {@code metadata},
 *     {@code availability}, ...)
 * @param headers the response headers that matter for retries, lower-case names
 */
public record UpstreamError(int httpStatus, JsonNode error, Map<String, String> headers) {

  public UpstreamError {
    error = error == null ? MissingNode.getInstance() : error;
    headers = Map.copyOf(headers);
  }

  /**
   * The HTTP-like status the error stands for: a numeric {@code error.code}, else {@code
   * error.http_status} (availability errors), else the response status when it is an error,
   * else one derived from a string code or {@code error_type}, else 500.
   */
  public int effectiveStatus() {
    JsonNode code = error.path("code");
    if (code.canConvertToInt() && code.isNumber()) {
      return code.intValue();
    }
    if (code.isTextual() && code.asText().matches("\\d{3}")) {
      return Integer.parseInt(code.asText());
    }
    JsonNode httpStatusField = error.path("http_status");
    if (httpStatusField.canConvertToInt()) {
      return httpStatusField.intValue();
    }
    if (httpStatus >= 400) {
      return httpStatus;
    }
    String named = code.isTextual() ? code.asText() : errorType().orElse("");
    return statusForName(named);
  }

  /** Status for string codes and error types seen in the wild (§6.3 of the reference). */
  static int statusForName(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "invalid_request", "invalid_prompt", "context_length_exceeded",
          "max_tokens_exceeded", "token_limit_exceeded", "string_too_long",
          "content_policy_violation", "refusal", "invalid_image", "image_too_large",
          "image_too_small", "unsupported_image_format", "image_download_failed",
          "model_not_found", "bad_request" -> 400;
      case "authentication", "unauthorized" -> 401;
      case "payment_required", "insufficient_credits" -> 402;
      case "permission_denied", "forbidden", "moderation" -> 403;
      case "not_found", "image_not_found" -> 404;
      case "precondition_failed" -> 412;
      case "payload_too_large" -> 413;
      case "unprocessable" -> 422;
      case "rate_limit_exceeded", "rate_limited" -> 429;
      case "provider_unavailable", "bad_gateway" -> 502;
      case "provider_overloaded", "overloaded", "service_unavailable" -> 503;
      case "timeout" -> 504;
      default -> 500; // "server_error", "server", "unmapped" and anything new
    };
  }

  public String message() {
    return error.path("message").asText("");
  }

  public JsonNode metadata() {
    return error.path("metadata");
  }

  public JsonNode availability() {
    return error.path("availability");
  }

  /** {@code metadata.error_type}, or {@code error_type} directly inside {@code error}. */
  public Optional<String> errorType() {
    String t = metadata().path("error_type").asText("");
    if (t.isEmpty()) {
      t = error.path("error_type").asText("");
    }
    return t.isEmpty() ? Optional.empty() : Optional.of(t);
  }

  public Optional<String> providerName() {
    String p = metadata().path("provider_name").asText("");
    return p.isEmpty() ? Optional.empty() : Optional.of(p);
  }

  /** The header value, from the response or from {@code error.metadata.headers}. */
  public Optional<String> header(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    String v = headers.get(lower);
    if (v != null) {
      return Optional.of(v);
    }
    var fields = metadata().path("headers").fields();
    while (fields.hasNext()) {
      var e = fields.next();
      if (e.getKey().equalsIgnoreCase(name) && e.getValue().isValueNode()) {
        return Optional.of(e.getValue().asText());
      }
    }
    return Optional.empty();
  }
}
