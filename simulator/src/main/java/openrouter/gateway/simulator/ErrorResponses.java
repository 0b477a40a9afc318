package openrouter.gateway.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenRouter's error responses (api reference §6): {@code {"error":{"code","message","metadata"},
 * "user_id"}} with {@code metadata.error_type} from §6.3, availability objects from §6.4 and the
 * moderation fields of §6.5. Messages copy OpenRouter's wording where it is known.
 */
final class ErrorResponses {
  static final String USER_ID = "user_sim";
  static final String PROVIDER = "Simulator";

  /** Status codes that {@code sim/error-<status>} exists for. */
  static final List<Integer> FAULT_STATUSES =
      List.of(400, 401, 402, 403, 404, 408, 409, 413, 422, 429, 500, 502, 503, 504, 524, 529);

  private ErrorResponses() {}

  // ---- generic building blocks ----

  /** {@code {"error":{"code","message"[,"metadata"]}[,"user_id"]}}. */
  static ObjectNode body(int code, String message, ObjectNode metadata, boolean withUser) {
    ObjectNode root = JsonBodies.object();
    ObjectNode error = root.putObject("error");
    error.put("code", code);
    error.put("message", message);
    if (metadata != null) {
      error.set("metadata", metadata);
    }
    if (withUser) {
      root.put("user_id", USER_ID);
    }
    return root;
  }

  static ObjectNode metadata(String errorType) {
    ObjectNode metadata = JsonBodies.object();
    metadata.put("error_type", errorType);
    return metadata;
  }

  /** An authenticated error with {@code metadata.error_type}. */
  static SimulatorError typed(int status, String message, String errorType) {
    return new SimulatorError(status, body(status, message, metadata(errorType), true), Map.of());
  }

  // ---- authentication and permissions ----

  static SimulatorError missingAuthentication() {
    return new SimulatorError(401, body(401, "Missing Authentication header", null, false), Map.of());
  }

  static SimulatorError userNotFound() {
    return new SimulatorError(401, body(401, "User not found.", null, false), Map.of());
  }

  static SimulatorError managementKeyRequired() {
    return typed(403, "Only management keys can perform this operation", "permission_denied");
  }

  static SimulatorError managementKeyOnCompletions() {
    return typed(
        403,
        "Management keys cannot be used for completions. Use an inference API key instead.",
        "permission_denied");
  }

  // ---- request validation ----

  static SimulatorError invalidRequest(String message) {
    return typed(400, message, "invalid_request");
  }

  static SimulatorError tooManyFallbackModels() {
    return invalidRequest("'models' array must have 3 items or fewer.");
  }

  static SimulatorError modelNotFound(String model) {
    return availability(
        400, model + " is not a valid model ID", "invalid_request", "model_not_found", false,
        model, null);
  }

  static SimulatorError wrongEndpoint(String model) {
    return availability(
        400, model + " is not a chat model; use the matching endpoint instead.",
        "invalid_request", "wrong_endpoint", false, model, null);
  }

  static SimulatorError notFound(String message) {
    return typed(404, message, "not_found");
  }

  /** A request body over the simulator's limit (OpenRouter answers 413 the same way). */
  static SimulatorError payloadTooLarge(int maxBytes) {
    return typed(413, "Payload too large: request bodies are limited to " + maxBytes + " bytes",
        "payload_too_large");
  }

  static SimulatorError methodNotAllowed(String method) {
    return typed(405, "Method " + method + " not allowed", "invalid_request");
  }

  /**
   * A §6.4 availability error. With {@code withCode} false the body has no {@code error.code}
   * (only {@code error_type}/{@code http_status}), exactly like the documented example.
   */
  static SimulatorError availability(
      int status, String message, String errorType, String availabilityCode, boolean retryable,
      String model, Integer retryAfterSeconds) {
    return availability(status, message, errorType, availabilityCode, retryable, model,
        retryAfterSeconds, true);
  }

  static SimulatorError availability(
      int status, String message, String errorType, String availabilityCode, boolean retryable,
      String model, Integer retryAfterSeconds, boolean withCode) {
    ObjectNode root = JsonBodies.object();
    ObjectNode error = root.putObject("error");
    if (withCode) {
      error.put("code", status);
    }
    error.put("message", message);
    error.put("error_type", errorType);
    error.put("http_status", status);
    ObjectNode availability = error.putObject("availability");
    availability.put("code", availabilityCode);
    availability.put("retryable", retryable);
    if (retryAfterSeconds != null) {
      availability.put("retry_after", retryAfterSeconds);
    }
    availability.set("requested_models", JsonBodies.strings(List.of(model)));
    availability.put("docs_url", "https://openrouter.ai/docs/errors#" + availabilityCode);
    ObjectNode metadata = error.putObject("metadata");
    metadata.put("error_type", errorType);
    root.put("user_id", USER_ID);
    return new SimulatorError(status, root, Map.of());
  }

  // ---- failEndpoint ----

  /** The body a failed GET endpoint answers with (see OpenRouterSimulator#failEndpoint). */
  static SimulatorError endpointFailure(int status) {
    String message;
    String errorType;
    switch (status) {
      case 400 -> { message = "Bad Request"; errorType = "invalid_request"; }
      case 401 -> { message = "User not found."; errorType = "authentication"; }
      case 402 -> { message = "Insufficient credits. Add more using https://openrouter.ai/credits"; errorType = "payment_required"; }
      case 403 -> { message = "Forbidden"; errorType = "permission_denied"; }
      case 404 -> { message = "Not Found"; errorType = "not_found"; }
      case 408, 504, 524 -> { message = "Request timed out"; errorType = "timeout"; }
      case 429 -> { message = "Rate limit exceeded"; errorType = "rate_limit_exceeded"; }
      case 502 -> { message = "Bad Gateway"; errorType = "provider_unavailable"; }
      case 503, 529 -> { message = "Service temporarily unavailable"; errorType = "provider_overloaded"; }
      default -> { message = status >= 500 ? "Internal Server Error" : "Request failed"; errorType = status >= 500 ? "server" : "invalid_request"; }
    }
    Map<String, String> headers = new LinkedHashMap<>();
    if (status == 429 || status == 503) {
      headers.put("Retry-After", "1");
    }
    return new SimulatorError(status, body(status, message, metadata(errorType), true), headers);
  }

  // ---- fault models: sim/error-<status> ----

  /** The error {@code sim/error-<status>} answers with before any output. */
  static SimulatorError fault(int status, String model, CompletionRequestBody request, Clock clock) {
    return fault(status, model, () -> request.lastUserText(), clock);
  }

  /** As above for any endpoint; {@code input} is the text a 403 moderation error quotes. */
  static SimulatorError fault(int status, String model, java.util.function.Supplier<String> input, Clock clock) {
    return switch (status) {
      case 400 -> provider(400,
          "This endpoint's maximum context length is 8192 tokens. However, you requested about"
              + " 9216 tokens (8192 of text input, 1024 in the output). Please reduce the length of"
              + " either one, or use the \"middle-out\" transform to compress your prompt"
              + " automatically.",
          "context_length_exceeded", null);
      case 401 -> typed(401, "User not found.", "authentication");
      case 402 -> typed(402, "Insufficient credits. Add more using https://openrouter.ai/credits",
          "payment_required");
      case 403 -> moderation(model, input.get());
      case 404 -> availability(404, "No endpoints found for " + model + ".", "not_found",
          "no_endpoints", false, model, null);
      case 408 -> typed(408, "Request timed out", "timeout");
      case 409 -> typed(409, "Conflict: a conflicting request is already in progress",
          "invalid_request");
      case 413 -> typed(413, "Payload too large", "payload_too_large");
      case 422 -> typed(422, "Unprocessable entity", "unprocessable");
      case 429 -> rateLimited(clock);
      case 500 -> typed(500, "Internal Server Error", "server");
      case 502 -> provider(502, "Provider returned error", "provider_unavailable",
          "{\"error\":{\"message\":\"upstream model overloaded\"}}");
      case 503 -> withHeaders(typed(503,
          "No available provider could handle the request: " + PROVIDER + " is temporarily"
              + " unavailable.", "provider_overloaded"), Map.of("Retry-After", "1"));
      case 504 -> typed(504, "Gateway Timeout: the provider took too long to respond", "timeout");
      case 524 -> provider(524, "Provider returned error", "timeout", "error code: 524");
      case 529 -> provider(529, "Provider returned error", "provider_overloaded",
          "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
      default -> throw new IllegalArgumentException("no fault model for " + status);
    };
  }

  /**
   * {@code sim/error-503-retry-after-0}: the 503 of {@code sim/error-503} with {@code
   * Retry-After: 0}, which some HTTP clients (OkHttp) take as leave to re-send at once.
   */
  static SimulatorError overloadedRetryNow(String model, CompletionRequestBody request, Clock clock) {
    return withHeaders(fault(503, model, request, clock), Map.of("Retry-After", "0"));
  }

  /**
   * {@code sim/redirect}: a 308 to another path ({@code /api/v2/...}), the kind of answer a
   * wrong base URL gets; {@code sim/redirect-loop}: a 307 back to the same URL, forever.
   */
  static SimulatorError redirect(boolean loop) {
    int status = loop ? 307 : 308;
    String location = loop
        ? OpenRouterSimulator.API_PREFIX + "/chat/completions"
        : "/api/v2/chat/completions";
    return new SimulatorError(status, body(status, "Moved to " + location, null, false),
        Map.of("Location", location));
  }

  /**
   * {@code sim/error-echo-key}: a 400 that repeats the caller's key the ways careless upstreams
   * do: as sent, upper-cased and without its {@code sk-or-v1-} prefix in the message, and as
   * {@code metadata.error_type}. A sandbox for key redaction.
   */
  static SimulatorError echoKey(String key) {
    String bare = key.startsWith("sk-or-v1-") ? key.substring("sk-or-v1-".length()) : key;
    return new SimulatorError(400, body(400, "Invalid key " + key + " (" + key.toUpperCase(java.util.Locale.ROOT)
        + ", " + bare + ") for this request", metadata(key), true), Map.of());
  }

  /** {@code sim/error-429-availability}: §6.4 capacity_exhausted, no Retry-After header. */
  static SimulatorError capacityExhausted(String model) {
    SimulatorError error = availability(429,
        "All providers for " + model + " are at capacity. Retry after 40 seconds.",
        "rate_limit_exceeded", "capacity_exhausted", true, model, 40, false);
    ObjectNode availability = (ObjectNode) error.body().path("error").path("availability");
    availability.set("affected_providers", JsonBodies.strings(List.of("simulator")));
    availability.set("fallback_models", JsonBodies.array());
    ObjectNode previous = JsonBodies.object();
    previous.put("provider", "simulator");
    previous.put("code", "capacity_exhausted");
    previous.put("status", 429);
    ((ObjectNode) error.body().path("error").path("metadata"))
        .putArray("previous_errors").add(previous);
    return error;
  }

  private static SimulatorError provider(int status, String message, String errorType, String raw) {
    ObjectNode metadata = metadata(errorType);
    metadata.put("provider_name", PROVIDER);
    if (raw != null) {
      metadata.put("raw", raw);
    }
    return new SimulatorError(status, body(status, message, metadata, true), Map.of());
  }

  private static SimulatorError moderation(String model, String input) {
    String reason = "harassment";
    ObjectNode metadata = metadata("permission_denied");
    metadata.set("reasons", JsonBodies.strings(List.of(reason)));
    metadata.put("flagged_input", truncateMiddle(input, 100));
    metadata.put("provider_name", PROVIDER);
    metadata.put("model_slug", model);
    String message = model + " requires moderation on " + PROVIDER + ". Your input was flagged for"
        + " \"" + reason + "\". No credits were charged.";
    return new SimulatorError(403, body(403, message, metadata, true), Map.of());
  }

  private static SimulatorError rateLimited(Clock clock) {
    long resetMillis = clock.millis() + 60_000;
    Map<String, String> rateHeaders = new LinkedHashMap<>();
    rateHeaders.put("X-RateLimit-Limit", "20");
    rateHeaders.put("X-RateLimit-Remaining", "0");
    rateHeaders.put("X-RateLimit-Reset", Long.toString(resetMillis));
    ObjectNode metadata = metadata("rate_limit_exceeded");
    ObjectNode headerCopy = metadata.putObject("headers");
    rateHeaders.forEach(headerCopy::put);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Retry-After", "2");
    headers.putAll(rateHeaders);
    return new SimulatorError(429,
        body(429, "Rate limit exceeded: free-models-per-min.", metadata, true), headers);
  }

  private static SimulatorError withHeaders(SimulatorError error, Map<String, String> headers) {
    Map<String, String> merged = new LinkedHashMap<>(error.headers());
    merged.putAll(headers);
    return new SimulatorError(error.status(), error.body(), merged);
  }

  /** OpenRouter's flagged_input: at most {@code max} chars, cut in the middle with "...". */
  static String truncateMiddle(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    int keep = max - 3;
    int head = keep / 2;
    return text.substring(0, head) + "..." + text.substring(text.length() - (keep - head));
  }
}
