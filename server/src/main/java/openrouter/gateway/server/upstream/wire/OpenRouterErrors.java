package openrouter.gateway.server.upstream.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import openrouter.gateway.server.errors.Redactor;
import openrouter.gateway.server.json.OpenRouterJson;

/**
 * Reads OpenRouter's {@code error} object into an {@link OpenRouterError}, the same way for an
 * HTTP error body, a 200 body and a stream chunk. Lenient as the upstream requires: {@code code}
 * may be a number, a numeric string, a word or missing; {@code metadata.raw} a string, a JSON
 * string or an object; any field may be missing.
 */
public final class OpenRouterErrors {
  private static final int MAX_RAW_DEPTH = 5;

  private OpenRouterErrors() {}

  /**
   * The error of a {@code {"error": ...}} object.
   *
   * @param httpStatus the status of the response that carried it (200 for body and chunk errors)
   * @param error the {@code error} member (null or missing reads as an empty error)
   * @param headers the response headers that carry retry hints, lower-case names
   */
  public static OpenRouterError parse(int httpStatus, JsonNode error, Map<String, String> headers) {
    JsonNode e = error == null ? MissingNode.getInstance() : error;
    JsonNode code = e.path("code");
    JsonNode metadata = e.path("metadata");
    JsonNode availability = e.path("availability");
    String errorType = metadata.path("error_type").asText("");
    if (errorType.isEmpty()) {
      errorType = e.path("error_type").asText("");
    }
    JsonNode raw = metadata.path("raw");
    return new OpenRouterError(
        httpStatus,
        effectiveStatus(httpStatus, code, e.path("http_status"), errorType),
        code.isTextual() ? code.asText() : "",
        errorType,
        e.path("message").asText(""),
        e.path("param").asText(""),
        availability.path("code").asText(""),
        availability.path("requested_models").path(0).asText(""),
        metadata.path("provider_name").asText(""),
        metadata.path("limit_source").asText(""),
        metadata.path("model_slug").asText(""),
        metadata.has("reasons") || metadata.has("flagged_input")
            ? Optional.of(new OpenRouterError.Moderation(texts(metadata.path("reasons")),
                metadata.path("flagged_input").asText("")))
            : Optional.empty(),
        metadata.has("patterns") ? Optional.of(texts(metadata.path("patterns"))) : Optional.empty(),
        raw.isMissingNode() ? Optional.empty()
            : Optional.of(new OpenRouterError.RawDetail(raw.isNull() ? "" : extractDetail(raw, 0))),
        retryHints(headers, metadata.path("headers"), availability.path("retry_after")));
  }

  /**
   * The error an HTTP error response stands for: its JSON {@code error}, or, when the body holds
   * none, one worded from the status and the start of the body.
   *
   * @param body the body's text, or null when it could not be read
   */
  public static OpenRouterError fromErrorBody(int httpStatus, String body, Map<String, String> headers) {
    JsonNode error;
    try {
      if (body == null) {
        throw new JsonProcessingException("unreadable body") {};
      }
      JsonNode parsed = OpenRouterJson.mapper().readTree(body);
      error = parsed != null && parsed.has("error") ? parsed.get("error") : null;
      if (error == null || !error.isObject()) {
        error = synthetic(httpStatus, abbreviate(body));
      }
    } catch (JsonProcessingException notJson) {
      error = synthetic(httpStatus, "HTTP " + httpStatus + " with a non-JSON body");
    }
    return parse(httpStatus, error, headers);
  }

  /** An error the gateway words itself, as if OpenRouter had sent {@code {code, message}}. */
  public static OpenRouterError synthetic(int httpStatus, int code, String message) {
    return parse(httpStatus, synthetic(code, message), Map.of());
  }

  private static ObjectNode synthetic(int status, String message) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("code", status);
    node.put("message", message.isBlank() ? "HTTP " + status : message);
    return node;
  }

  private static String abbreviate(String text) {
    return Redactor.redactAndCut(text.strip(), 200); // redacted before the cut, which could halve a key
  }

  private static int effectiveStatus(int httpStatus, JsonNode code, JsonNode httpStatusField, String errorType) {
    if (code.canConvertToInt() && code.isNumber()) {
      return code.intValue();
    }
    if (code.isTextual() && code.asText().matches("\\d{3}")) {
      return Integer.parseInt(code.asText()); // a numeric string [observed in client fixtures]
    }
    if (httpStatusField.canConvertToInt()) {
      return httpStatusField.intValue();
    }
    if (httpStatus >= 400) {
      return httpStatus;
    }
    return statusForName(code.isTextual() ? code.asText() : errorType);
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

  /** The texts of a JSON list; empty when it is not a list. */
  private static List<String> texts(JsonNode list) {
    List<String> out = new ArrayList<>();
    if (list.isArray()) {
      list.forEach(item -> out.add(item.asText()));
    }
    return out;
  }

  /**
   * A header from the response (lower-case names) or, failing that, from {@code
   * error.metadata.headers}, whose names are compared ignoring case.
   */
  static OpenRouterError.RetryHints retryHints(Map<String, String> headers, JsonNode bodyHeaders, JsonNode retryAfterSeconds) {
    Optional<Duration> availability = retryAfterSeconds.isNumber() && retryAfterSeconds.doubleValue() >= 0
        ? Optional.of(Duration.ofMillis(Math.round(retryAfterSeconds.doubleValue() * 1000)))
        : Optional.empty();
    return new OpenRouterError.RetryHints(header(headers, bodyHeaders, "Retry-After"),
        header(headers, bodyHeaders, "X-RateLimit-Reset"), availability);
  }

  private static Optional<String> header(Map<String, String> headers, JsonNode bodyHeaders, String name) {
    String v = headers.get(name.toLowerCase(Locale.ROOT));
    if (v != null) {
      return Optional.of(v);
    }
    var fields = bodyHeaders.fields();
    while (fields.hasNext()) {
      var e = fields.next();
      if (e.getKey().equalsIgnoreCase(name) && e.getValue().isValueNode()) {
        return Optional.of(e.getValue().asText());
      }
    }
    return Optional.empty();
  }

  /** Digs a message out of a raw provider error: a string, a JSON string, or an object. */
  private static String extractDetail(JsonNode raw, int depth) {
    if (depth > MAX_RAW_DEPTH) {
      return "";
    }
    if (raw.isTextual()) {
      String text = raw.asText().trim();
      if (text.startsWith("{") || text.startsWith("[")) {
        try {
          String inner = extractDetail(OpenRouterJson.mapper().readTree(text), depth + 1);
          if (!inner.isBlank()) {
            return inner;
          }
        } catch (JsonProcessingException notJson) {
          // fall through: the raw text is the detail
        }
      }
      return text;
    }
    if (raw.isObject()) {
      for (String key : List.of("message", "error", "detail", "details", "msg")) {
        JsonNode v = raw.get(key);
        if (v != null && !v.isNull()) {
          String inner = extractDetail(v, depth + 1);
          if (!inner.isBlank()) {
            return inner;
          }
        }
      }
      return raw.toString();
    }
    if (raw.isArray() && raw.size() > 0) {
      return extractDetail(raw.get(0), depth + 1);
    }
    return raw.isValueNode() ? raw.asText() : "";
  }
}
