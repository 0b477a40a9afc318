package openrouter.gateway.server.upstream.wire;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * An error OpenRouter reported, read once by {@link OpenRouterErrors} from wherever it appeared:
 * an HTTP error body, a 200 body holding {@code error}, or an error chunk inside a stream. Text
 * fields are "" when OpenRouter did not send them; lists are empty.
 *
 * @param httpStatus the HTTP status of the response that carried it (200 for body and chunk
 *     errors)
 * @param effectiveStatus the HTTP-like status the error stands for: a numeric {@code
 *     error.code}, else {@code error.http_status} (availability errors), else the response
 *     status when it is an error, else one derived from a string code or the error type, else 500
 * @param codeText {@code error.code} when it was sent as a string (e.g. {@code "server_error"})
 * @param errorType {@code metadata.error_type}, or {@code error_type} directly inside {@code error}
 * @param message {@code error.message} as sent
 * @param param {@code error.param}, the request field an error is about
 * @param availabilityCode {@code error.availability.code}
 * @param requestedModel the first of {@code error.availability.requested_models}
 * @param providerName {@code metadata.provider_name}
 * @param limitSource {@code metadata.limit_source} (which rate limit a 429 hit)
 * @param modelSlug {@code metadata.model_slug}, the model a moderation or guardrail block names
 * @param moderation the moderation flag of a 403, when {@code metadata} has {@code reasons} or
 *     {@code flagged_input}
 * @param guardrailPatterns {@code metadata.patterns} of a guardrail block, when present
 * @param raw the provider's own error from {@code metadata.raw}, when present
 * @param retry how long OpenRouter asked to wait, in whatever form it said so
 */
public record OpenRouterError(
    int httpStatus,
    int effectiveStatus,
    String codeText,
    String errorType,
    String message,
    String param,
    String availabilityCode,
    String requestedModel,
    String providerName,
    String limitSource,
    String modelSlug,
    Optional<Moderation> moderation,
    Optional<List<String>> guardrailPatterns,
    Optional<RawDetail> raw,
    RetryHints retry) {

  /**
   * A moderation flag ({@code metadata.reasons}, {@code flagged_input}).
   *
   * @param reasons empty when {@code reasons} was not a list
   */
  public record Moderation(List<String> reasons, String flaggedInput) {
    public Moderation {
      reasons = List.copyOf(reasons);
    }
  }

  /**
   * {@code metadata.raw}, the provider's error as it sent it.
   *
   * @param detail the provider's message dug out of it (a string, a JSON string or an object
   *     holding {@code message}, {@code error}, {@code detail}, ...); "" when {@code raw} was null
   */
  public record RawDetail(String detail) {}

  /**
   * The retry hints: the {@code Retry-After} and {@code X-RateLimit-Reset} values from the
   * response headers or else from {@code error.metadata.headers}, and {@code
   * error.availability.retry_after} (seconds, never negative).
   */
  public record RetryHints(Optional<String> retryAfter, Optional<String> rateLimitReset,
      Optional<Duration> availabilityRetryAfter) {
    public static final RetryHints NONE = new RetryHints(Optional.empty(), Optional.empty(), Optional.empty());
  }

  public OpenRouterError {
    guardrailPatterns = guardrailPatterns.map(List::copyOf);
  }
}
