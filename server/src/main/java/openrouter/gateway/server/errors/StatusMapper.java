package openrouter.gateway.server.errors;

import com.google.protobuf.Any;
import com.google.protobuf.util.Durations;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.Help;
import com.google.rpc.QuotaFailure;
import com.google.rpc.ResourceInfo;
import com.google.rpc.RetryInfo;
import com.google.rpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import openrouter.gateway.server.upstream.wire.OpenRouterError;

/**
 * The one place where failures become gRPC statuses. Every status carries a {@code
 * google.rpc.Status} with exactly one {@link ErrorInfo}: an UPPER_SNAKE reason, the domain
 * {@value #UPSTREAM_DOMAIN} for errors OpenRouter reported and {@value #GATEWAY_DOMAIN} for the
 * gateway's own, and lowerCamel metadata. Other details ({@code RetryInfo}, {@code
 * QuotaFailure}, {@code BadRequest}, {@code ResourceInfo}, {@code Help}) are added where they
 * apply. docs/error-mapping.md documents this table for client authors.
 */
public final class StatusMapper {
  public static final String UPSTREAM_DOMAIN = "openrouter.ai";
  public static final String GATEWAY_DOMAIN = "openrouter-grpc-gateway";
  static final String CREDITS_URL = "https://openrouter.ai/credits";
  private static final int MAX_DETAIL_CHARS = 500;
  /** What to check when OpenRouter does not know a generation id (not the model id). */
  static final String GENERATION_NOT_FOUND_HINT = " (check that the id is the generation_id of a"
      + " completion made with the same OpenRouter key, e.g. gen-1739458867-kUKFjpDGCEBBvK6V46PX;"
      + " a new id can take a moment to appear)";
  private static final java.util.regex.Pattern REASON = java.util.regex.Pattern.compile("[A-Z][A-Z0-9_]{0,62}");

  private final Clock clock;

  public StatusMapper(Clock clock) {
    this.clock = clock;
  }

  /** The exception to hand to {@code StreamObserver.onError}. Never UNKNOWN. */
  public StatusRuntimeException toException(Throwable failure) {
    return StatusProto.toStatusRuntimeException(toStatus(failure));
  }

  public Status toStatus(Throwable failure) {
    if (failure instanceof GatewayFailure f) {
      return map(f);
    }
    if (failure instanceof StatusRuntimeException sre) {
      Status fromTrailers = StatusProto.fromThrowable(sre);
      if (fromTrailers != null && hasErrorInfo(fromTrailers)) {
        return fromTrailers;
      }
      return new Builder(Code.forNumber(sre.getStatus().getCode().value()), "GRPC_ERROR", GATEWAY_DOMAIN)
          .message(String.valueOf(sre.getStatus().getDescription()))
          .build();
    }
    return new Builder(Code.INTERNAL, "INTERNAL_ERROR", GATEWAY_DOMAIN)
        .message("internal gateway error (" + failure.getClass().getSimpleName() + ")")
        .build();
  }

  private static boolean hasErrorInfo(Status s) {
    return s.getDetailsList().stream().anyMatch(a -> a.is(ErrorInfo.class));
  }

  private Status map(GatewayFailure f) {
    Builder b =
        switch (f.kind()) {
          case UPSTREAM_ERROR -> upstream(f, f.upstreamError().orElseThrow());
          case UPSTREAM_MALFORMED ->
              gateway(Code.UNAVAILABLE, "UPSTREAM_MALFORMED_RESPONSE", f)
                  .message("OpenRouter sent an empty or malformed response: " + f.getMessage());
          case UPSTREAM_TOO_LARGE ->
              gateway(Code.UNAVAILABLE, "UPSTREAM_MALFORMED_RESPONSE", f)
                  .message("OpenRouter's response was cut off by a size bound: " + f.getMessage());
          case UPSTREAM_NOT_OPENROUTER ->
              gateway(Code.FAILED_PRECONDITION, "UPSTREAM_BASE_URL_WRONG", f)
                  .message("the gateway's upstream base URL looks wrong: " + f.getMessage());
          case UPSTREAM_UNREACHABLE ->
              gateway(Code.UNAVAILABLE, "UPSTREAM_UNREACHABLE", f)
                  .message("cannot reach OpenRouter: " + f.getMessage());
          case STREAM_TRUNCATED ->
              gateway(Code.UNAVAILABLE, "STREAM_TRUNCATED", f)
                  .message("the upstream stream ended before the model finished: " + f.getMessage());
          case CALLER_CANCELLED -> gateway(Code.CANCELLED, "CANCELLED", f).message(f.getMessage());
          case CALLER_DEADLINE ->
              gateway(Code.DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED", f).message(f.getMessage());
          case UPSTREAM_TIMEOUT ->
              gateway(Code.DEADLINE_EXCEEDED, "UPSTREAM_TIMEOUT", f).message(f.getMessage());
          case TTFT_TIMEOUT ->
              gateway(Code.DEADLINE_EXCEEDED, "TTFT_TIMEOUT", f).message(f.getMessage());
          case STREAM_IDLE_TIMEOUT ->
              gateway(Code.DEADLINE_EXCEEDED, "STREAM_IDLE_TIMEOUT", f).message(f.getMessage());
          case INVALID_REQUEST ->
              gateway(Code.INVALID_ARGUMENT, f.reason().orElse("INVALID_REQUEST"), f)
                  .message(f.getMessage())
                  .badRequest(f.violations());
          case OVERLOADED ->
              gateway(Code.RESOURCE_EXHAUSTED, f.reason().orElse("GATEWAY_OVERLOADED"), f).message(f.getMessage());
          case NOT_FOUND -> {
            // e.g. MODEL_NOT_FOUND, with a ResourceInfo naming what was looked up
            Builder nb = gateway(Code.NOT_FOUND, f.reason().orElse(
                f.resource().map(r -> upperSnake(r.type()) + "_NOT_FOUND").orElse("NOT_FOUND")), f)
                .message(f.getMessage());
            f.resource().ifPresent(r -> nb.resource(r.type(), r.name(), f.getMessage()));
            yield nb;
          }
          case UNAUTHENTICATED ->
              gateway(Code.UNAUTHENTICATED, f.reason().orElse("UNAUTHENTICATED"), f).message(f.getMessage());
          case PERMISSION_DENIED ->
              gateway(Code.PERMISSION_DENIED, f.reason().orElse("PERMISSION_DENIED"), f).message(f.getMessage());
          case RATE_LIMITED ->
              gateway(Code.RESOURCE_EXHAUSTED, f.reason().orElse("RATE_LIMITED"), f)
                  .message(f.getMessage())
                  .quota(f.quotaSubject().orElse("caller"), f.getMessage())
                  .retry(f.retryAfter());
          case SHUTTING_DOWN ->
              gateway(Code.UNAVAILABLE, "GATEWAY_SHUTTING_DOWN", f).message(f.getMessage());
          case SHARED_STATE_UNAVAILABLE ->
              gateway(Code.UNAVAILABLE, "SHARED_STATE_UNAVAILABLE", f).message(f.getMessage());
        };
    return b.build();
  }

  private Builder gateway(Code code, String reason, GatewayFailure f) {
    return new Builder(code, reason, GATEWAY_DOMAIN).context(f);
  }

  private Builder upstream(GatewayFailure f, OpenRouterError e) {
    int status = e.effectiveStatus();
    String errorType = e.errorType();
    String availabilityCode = e.availabilityCode();
    String refined = reasonFromUpstream(!availabilityCode.isEmpty() ? availabilityCode : errorType);
    String message = usefulMessage(e);
    Builder b;
    if (status == 400 && (availabilityCode.equals("model_not_found") || errorType.equals("model_not_found"))) {
      b = notFound(f, e, "MODEL_NOT_FOUND");
    } else {
      b =
          switch (status) {
            case 400, 413, 422 -> {
              String fallback = status == 413 ? "PAYLOAD_TOO_LARGE" : status == 422 ? "UNPROCESSABLE" : "INVALID_REQUEST";
              Builder ib = new Builder(Code.INVALID_ARGUMENT, or(refined, fallback), UPSTREAM_DOMAIN);
              knownField(e, message).ifPresent(field -> ib.badRequest(List.of(
                  BadRequest.FieldViolation.newBuilder().setField(field).setDescription(message).build())));
              yield ib;
            }
            case 401 -> f.callerKey()
                ? new Builder(Code.UNAUTHENTICATED, "CALLER_KEY_REJECTED", UPSTREAM_DOMAIN)
                : new Builder(Code.INTERNAL, "UPSTREAM_KEY_REJECTED", UPSTREAM_DOMAIN)
                    .prefix("OpenRouter rejected the gateway's API key (your credentials were fine;"
                        + " the operator must fix OPENROUTER_API_KEY): ");
            case 402 -> new Builder(Code.FAILED_PRECONDITION, "INSUFFICIENT_CREDITS", UPSTREAM_DOMAIN)
                .help("Add OpenRouter credits", CREDITS_URL);
            case 403 -> permissionDenied(e, refined);
            case 404 -> notFound(f, e, or(refined, "NOT_FOUND"));
            case 408, 504, 524 -> new Builder(Code.DEADLINE_EXCEEDED, "UPSTREAM_TIMEOUT", UPSTREAM_DOMAIN);
            case 409 -> new Builder(Code.ABORTED, "CONFLICT", UPSTREAM_DOMAIN);
            case 429 -> new Builder(Code.RESOURCE_EXHAUSTED, or(refined, "RATE_LIMIT_EXCEEDED"), UPSTREAM_DOMAIN)
                .quota(e.limitSource().isEmpty() ? "openrouter" : e.limitSource(), message)
                .retry(RetryDelays.of(e, clock));
            case 500 -> new Builder(Code.INTERNAL, "UPSTREAM_INTERNAL_ERROR", UPSTREAM_DOMAIN);
            case 502 -> new Builder(Code.UNAVAILABLE, "PROVIDER_UNAVAILABLE", UPSTREAM_DOMAIN)
                .retry(RetryDelays.of(e, clock));
            case 503 -> new Builder(Code.UNAVAILABLE, or(refined, "PROVIDER_OVERLOADED"), UPSTREAM_DOMAIN)
                .retry(RetryDelays.of(e, clock));
            case 529 -> new Builder(Code.UNAVAILABLE, "PROVIDER_OVERLOADED", UPSTREAM_DOMAIN)
                .retry(RetryDelays.of(e, clock));
            default -> status >= 400 && status < 500
                ? new Builder(Code.FAILED_PRECONDITION, "UPSTREAM_HTTP_" + status, UPSTREAM_DOMAIN)
                : new Builder(Code.INTERNAL, "UPSTREAM_HTTP_" + status, UPSTREAM_DOMAIN);
          };
    }
    b.message(message).context(f);
    b.meta("httpStatus", Integer.toString(status));
    b.meta("openrouterErrorType", errorType);
    b.meta("availabilityCode", availabilityCode);
    b.meta("openrouterCode", e.codeText());
    b.meta("providerName", e.providerName());
    b.meta("limitSource", e.limitSource());
    return b;
  }

  private Builder notFound(GatewayFailure f, OpenRouterError e, String reason) {
    if (f.resource().isPresent()) {
      // A plain 404 about a named resource: say which kind, e.g. GENERATION_NOT_FOUND.
      GatewayFailure.Resource r = f.resource().get();
      String specific = reason.equals("NOT_FOUND") ? upperSnake(r.type()) + "_NOT_FOUND" : reason;
      Builder b = new Builder(Code.NOT_FOUND, specific, UPSTREAM_DOMAIN).resource(r.type(), r.name(), e.message());
      if (r.type().equals("generation")) {
        b.suffix(GENERATION_NOT_FOUND_HINT);
      }
      return b;
    }
    Builder b = new Builder(Code.NOT_FOUND, reason, UPSTREAM_DOMAIN);
    String model = f.model().orElse(e.requestedModel());
    if (!model.isEmpty()) {
      b.resource("model", model, e.message());
    }
    return b;
  }

  private Builder permissionDenied(OpenRouterError e, String refined) {
    String reason;
    if (e.moderation().isPresent()) {
      reason = "MODERATION_FLAGGED";
    } else if (e.guardrailPatterns().isPresent()) {
      reason = "GUARDRAIL_BLOCKED";
    } else {
      reason = or(refined, "PERMISSION_DENIED");
    }
    Builder b = new Builder(Code.PERMISSION_DENIED, reason, UPSTREAM_DOMAIN);
    e.moderation().ifPresent(m -> {
      b.meta("moderationReasons", String.join(",", m.reasons()));
      b.meta("flaggedInput", m.flaggedInput());
    });
    b.meta("model", e.modelSlug());
    e.guardrailPatterns().ifPresent(p -> b.meta("guardrailPatterns", String.join(",", p)));
    return b;
  }

  /** A request field the upstream error is clearly about, for a BadRequest detail. */
  private static Optional<String> knownField(OpenRouterError e, String message) {
    if (!e.param().isEmpty()) {
      return Optional.of(e.param());
    }
    String type = e.errorType();
    if (type.equals("context_length_exceeded") || type.equals("token_limit_exceeded")) {
      return Optional.of("messages");
    }
    if (type.equals("max_tokens_exceeded")) {
      return Optional.of("max_tokens");
    }
    if (message.contains("'models'")) {
      return Optional.of("models");
    }
    return Optional.empty();
  }

  /**
   * OpenRouter's message, made useful: when it only says "Provider returned error", the
   * provider's own words from {@code metadata.raw}, prefixed with the provider's name.
   */
  static String usefulMessage(OpenRouterError e) {
    String message = e.message();
    boolean generic = message.isBlank() || message.equalsIgnoreCase("Provider returned error");
    if (generic) {
      String detail = e.raw().map(OpenRouterError.RawDetail::detail).orElse("");
      if (!detail.isBlank()) {
        message = detail;
      }
    }
    if (message.isBlank()) {
      message = "OpenRouter returned HTTP " + e.effectiveStatus();
    }
    if (generic || e.raw().isPresent()) {
      String provider = e.providerName();
      if (!provider.isEmpty() && !message.startsWith("[" + provider + "]")) {
        message = "[" + provider + "] " + message;
      }
    }
    return truncate(Redactor.redact(message));
  }

  private static String truncate(String s) {
    return s.length() <= MAX_DETAIL_CHARS ? s : s.substring(0, MAX_DETAIL_CHARS) + "...";
  }

  /**
   * An ErrorInfo reason made of OpenRouter's words (an {@code error_type}, an availability code),
   * or "" (the caller then picks the fixed reason of the status) when it is not a well-formed
   * reason or could carry a secret: an upstream that echoes a key there must not turn it into
   * {@code SK_OR_V1_...}.
   */
  static String reasonFromUpstream(String words) {
    String reason = upperSnake(words);
    return wellFormedReason(reason) ? reason : "";
  }

  /** {@code [A-Z][A-Z0-9_]{0,62}}, nothing key-like, no long run a key's piece could hide in. */
  static boolean wellFormedReason(String reason) {
    if (!REASON.matcher(reason).matches() || reason.contains("SK_OR") || Redactor.containsSecret(reason)) {
      return false;
    }
    for (String word : reason.split("_")) {
      if (word.length() >= Redactor.MIN_PIECE_CHARS && word.chars().anyMatch(Character::isDigit)) {
        return false; // a random token, not a word
      }
    }
    return true;
  }

  static String upperSnake(String s) {
    if (s == null || s.isBlank()) {
      return "";
    }
    return s.trim().replaceAll("[^A-Za-z0-9]+", "_").replaceAll("^_|_$", "").toUpperCase(Locale.ROOT);
  }

  private static String or(String value, String fallback) {
    return value == null || value.isEmpty() ? fallback : value;
  }

  /** Accumulates one status; keeps exactly one ErrorInfo and at most one of each detail. */
  private static final class Builder {
    private final Code code;
    private final String reason;
    private final String domain;
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private String prefix = "";
    private String suffix = "";
    private String message = "";
    private BadRequest badRequest;
    private RetryInfo retryInfo;
    private QuotaFailure quotaFailure;
    private ResourceInfo resourceInfo;
    private Help help;

    Builder(Code code, String reason, String domain) {
      this.code = code;
      // The last net: every reason is a fixed word or one reasonFromUpstream accepted.
      this.reason = wellFormedReason(reason) ? reason : UPSTREAM_DOMAIN.equals(domain) ? "UPSTREAM_ERROR" : "GATEWAY_ERROR";
      this.domain = domain;
    }

    Builder message(String m) {
      this.message = m == null ? "" : Redactor.redact(m);
      return this;
    }

    Builder prefix(String p) {
      this.prefix = p;
      return this;
    }

    Builder suffix(String s) {
      this.suffix = s;
      return this;
    }

    Builder meta(String key, String value) {
      if (value != null && !value.isEmpty()) {
        metadata.put(key, truncate(Redactor.redact(value)));
      }
      return this;
    }

    Builder context(GatewayFailure f) {
      f.model().ifPresent(m -> meta("model", m));
      f.provider().ifPresent(p -> meta("providerName", p));
      f.generationId().ifPresent(g -> meta("generationId", g));
      if (f.attempts() > 0) {
        meta("attempts", Integer.toString(f.attempts()));
      }
      f.lastAttemptCause().ifPresent(c -> meta("lastAttemptCause", c));
      new java.util.TreeMap<>(f.metadata()).forEach(this::meta);
      f.usage().ifPresent(u -> {
        meta("promptTokens", Integer.toString(u.getPromptTokens()));
        meta("completionTokens", Integer.toString(u.getCompletionTokens()));
        meta("costUsd", u.getCost());
      });
      return this;
    }

    Builder badRequest(List<BadRequest.FieldViolation> violations) {
      if (!violations.isEmpty()) {
        BadRequest.Builder b = BadRequest.newBuilder();
        for (BadRequest.FieldViolation v : violations) {
          b.addFieldViolations(v.toBuilder()
              .setField(Redactor.redact(v.getField())).setDescription(truncate(Redactor.redact(v.getDescription()))));
        }
        badRequest = b.build();
      }
      return this;
    }

    Builder retry(Optional<Duration> delay) {
      delay.ifPresent(d -> {
        retryInfo = RetryInfo.newBuilder().setRetryDelay(Durations.fromNanos(d.toNanos())).build();
        // rounded up, so a client that waits this long is never early
        metadata.put("retryDelayMs", Long.toString((d.toNanos() + 999_999) / 1_000_000));
      });
      return this;
    }

    Builder quota(String subject, String description) {
      quotaFailure = QuotaFailure.newBuilder()
          .addViolations(QuotaFailure.Violation.newBuilder()
              .setSubject(Redactor.redact(subject)).setDescription(truncate(Redactor.redact(description))))
          .build();
      return this;
    }

    Builder resource(String type, String name, String description) {
      resourceInfo = ResourceInfo.newBuilder().setResourceType(type)
          .setResourceName(Redactor.redact(name)).setDescription(truncate(Redactor.redact(description))).build();
      return this;
    }

    Builder help(String description, String url) {
      help = Help.newBuilder()
          .addLinks(Help.Link.newBuilder().setDescription(description).setUrl(url)).build();
      return this;
    }

    Status build() {
      String text = prefix + message + suffix;
      Status.Builder s = Status.newBuilder().setCode(code.getNumber()).setMessage(text);
      s.addDetails(Any.pack(ErrorInfo.newBuilder()
          .setReason(reason).setDomain(domain).putAllMetadata(metadata).build()));
      if (retryInfo != null) {
        s.addDetails(Any.pack(retryInfo));
      }
      if (quotaFailure != null) {
        s.addDetails(Any.pack(quotaFailure));
      }
      if (badRequest != null) {
        s.addDetails(Any.pack(badRequest));
      }
      if (resourceInfo != null) {
        s.addDetails(Any.pack(resourceInfo));
      }
      if (help != null) {
        s.addDetails(Any.pack(help));
      }
      return s.build();
    }
  }
}
