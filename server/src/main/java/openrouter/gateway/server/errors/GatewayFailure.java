package openrouter.gateway.server.errors;

import com.google.rpc.BadRequest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import openrouter.gateway.server.upstream.wire.OpenRouterError;

/**
 * Everything that can make a call fail, before it becomes a gRPC status. Code that detects a
 * failure throws one of these; {@link StatusMapper} alone decides the gRPC code and details.
 */
public final class GatewayFailure extends RuntimeException {

  /** What went wrong, independent of any transport. */
  public enum Kind {
    /** OpenRouter reported an error: an HTTP error, a 200 body holding one, a stream chunk. */
    UPSTREAM_ERROR,
    /** The upstream body was empty, not JSON, or had no choices. */
    UPSTREAM_MALFORMED,
    /** An upstream line, event or body went over its size bound (OPENROUTER_MAX_*_BYTES). */
    UPSTREAM_TOO_LARGE,
    /**
     * The base URL answered like something other than OpenRouter's API (a redirect, a web
     * page): OPENROUTER_BASE_URL is wrong, most likely missing {@code /api/v1}.
     */
    UPSTREAM_NOT_OPENROUTER,
    /** Connection refused or reset, DNS or TLS failure. */
    UPSTREAM_UNREACHABLE,
    /** A stream ended without {@code [DONE]} and without a finish reason. */
    STREAM_TRUNCATED,
    /** The caller cancelled the call. */
    CALLER_CANCELLED,
    /** The caller's deadline passed. */
    CALLER_DEADLINE,
    /** The gateway's own total time limit passed (the caller set no deadline). */
    UPSTREAM_TIMEOUT,
    /** No first token within the time-to-first-token limit. */
    TTFT_TIMEOUT,
    /** Too long between two chunks of a stream. */
    STREAM_IDLE_TIMEOUT,
    /** The request is invalid; see {@link #violations()}. */
    INVALID_REQUEST,
    /** The gateway is at a concurrency limit. */
    OVERLOADED,
    /** Something the gateway looked up does not exist. */
    NOT_FOUND,
    /** The caller sent no gateway API key, or an unknown one. */
    UNAUTHENTICATED,
    /** The caller may not do this (e.g. send its own OpenRouter key when that is off). */
    PERMISSION_DENIED,
    /** The caller is over one of its rate limits; see {@link #retryAfter()}. */
    RATE_LIMITED,
    /** The gateway is shutting down and ended a call its drain window could not wait for. */
    SHUTTING_DOWN,
    /** Redis, holding the limits shared by replicas, is unreachable and the failure mode is closed. */
    SHARED_STATE_UNAVAILABLE
  }

  private final Kind kind;
  private final OpenRouterError upstream;
  private final List<BadRequest.FieldViolation> violations;
  private final String model;
  private final String provider;
  private final String generationId;
  private final boolean callerKey;
  private final int attempts;
  private final String lastAttemptCause;
  private final String reason;
  private final java.time.Duration retryAfter;
  private final String quotaSubject;
  private final Resource resource;
  private final Map<String, String> metadata;
  private final openrouter.gateway.v1.Usage usage;

  /** The thing a NOT_FOUND failure is about, for a {@code google.rpc.ResourceInfo}. */
  public record Resource(String type, String name) {}

  private GatewayFailure(Draft d) {
    super(d.message, d.cause, false, false); // no stack trace: these are expected outcomes
    this.kind = d.kind;
    this.upstream = d.upstream;
    this.violations = List.copyOf(d.violations);
    this.model = d.model;
    this.provider = d.provider;
    this.generationId = d.generationId;
    this.callerKey = d.callerKey;
    this.attempts = d.attempts;
    this.lastAttemptCause = d.lastAttemptCause;
    this.reason = d.reason;
    this.retryAfter = d.retryAfter;
    this.quotaSubject = d.quotaSubject;
    this.resource = d.resource;
    this.metadata = Map.copyOf(d.metadata);
    this.usage = d.usage;
  }

  /**
   * The fields of a failure being built. A failure never changes once thrown (it may be shared,
   * e.g. by every caller waiting on one cache read), so each {@code with...} copies it into a
   * draft, changes the draft and builds a new failure with the same message and cause.
   */
  private static final class Draft {
    final Kind kind;
    final String message;
    final OpenRouterError upstream;
    final List<BadRequest.FieldViolation> violations;
    final Throwable cause;
    String model;
    String provider;
    String generationId;
    boolean callerKey;
    int attempts;
    String lastAttemptCause;
    String reason;
    java.time.Duration retryAfter;
    String quotaSubject;
    Resource resource;
    Map<String, String> metadata = Map.of();
    openrouter.gateway.v1.Usage usage;

    Draft(Kind kind, String message, OpenRouterError upstream, List<BadRequest.FieldViolation> violations,
        Throwable cause) {
      this.kind = kind;
      this.message = message;
      this.upstream = upstream;
      this.violations = violations;
      this.cause = cause;
    }

    GatewayFailure build() {
      return new GatewayFailure(this);
    }
  }

  private Draft draft() {
    Draft d = new Draft(kind, getMessage(), upstream, violations, getCause());
    d.model = model;
    d.provider = provider;
    d.generationId = generationId;
    d.callerKey = callerKey;
    d.attempts = attempts;
    d.lastAttemptCause = lastAttemptCause;
    d.reason = reason;
    d.retryAfter = retryAfter;
    d.quotaSubject = quotaSubject;
    d.resource = resource;
    d.metadata = metadata;
    d.usage = usage;
    return d;
  }

  public static GatewayFailure upstream(OpenRouterError error) {
    return new Draft(Kind.UPSTREAM_ERROR, error.message(), error, List.of(), null).build();
  }

  public static GatewayFailure invalid(List<BadRequest.FieldViolation> violations) {
    String first = violations.isEmpty() ? "" : violations.get(0).getField() + ": "
        + violations.get(0).getDescription();
    String more = violations.size() > 1 ? " (and " + (violations.size() - 1) + " more)" : "";
    return new Draft(Kind.INVALID_REQUEST, "invalid request: " + first + more, null, violations, null).build();
  }

  public static GatewayFailure of(Kind kind, String message) {
    return new Draft(kind, message, null, List.of(), null).build();
  }

  public static GatewayFailure of(Kind kind, String message, Throwable cause) {
    return new Draft(kind, message, null, List.of(), cause).build();
  }

  /** A call over a rate limit: who, which limit, and the exact wait until it fits. */
  public static GatewayFailure rateLimited(String subject, String description, java.time.Duration retryAfter) {
    return rateLimitedDraft(subject, description, retryAfter).build();
  }

  private static Draft rateLimitedDraft(String subject, String description, java.time.Duration retryAfter) {
    Draft d = new Draft(Kind.RATE_LIMITED, description, null, List.of(), null);
    d.quotaSubject = subject;
    d.retryAfter = retryAfter;
    return d;
  }

  /**
   * A caller over its spend budget: RESOURCE_EXHAUSTED {@code BUDGET_EXCEEDED} with a
   * QuotaFailure, a RetryInfo until the window resets, and {@code metadata} for the ErrorInfo.
   */
  public static GatewayFailure budgetExceeded(String subject, String description, java.time.Duration retryAfter,
      Map<String, String> metadata) {
    Draft d = rateLimitedDraft(subject, description, retryAfter);
    d.reason = "BUDGET_EXCEEDED";
    d.metadata = metadata;
    return d.build();
  }

  /** Extra ErrorInfo metadata this failure carries (ordered by key when mapped). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** A failure with its own ErrorInfo reason (UPPER_SNAKE) instead of the kind's default. */
  public static GatewayFailure withReason(Kind kind, String reason, String message) {
    Draft d = new Draft(kind, message, null, List.of(), null);
    d.reason = reason;
    return d.build();
  }

  public Optional<String> reason() {
    return Optional.ofNullable(reason);
  }

  public Optional<java.time.Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  public Optional<String> quotaSubject() {
    return Optional.ofNullable(quotaSubject);
  }

  public Kind kind() {
    return kind;
  }

  public Optional<OpenRouterError> upstreamError() {
    return Optional.ofNullable(upstream);
  }

  public List<BadRequest.FieldViolation> violations() {
    return violations;
  }

  /**
   * This failure, recording which model, provider and generation it belongs to; empty or null
   * values keep what is already known. Returns a new failure: this one is left as it is.
   */
  public GatewayFailure withServed(String model, String provider, String generationId) {
    Draft d = draft();
    if (model != null && !model.isEmpty()) {
      d.model = model;
    }
    if (provider != null && !provider.isEmpty()) {
      d.provider = provider;
    }
    if (generationId != null && !generationId.isEmpty()) {
      d.generationId = generationId;
    }
    return d.build();
  }

  /** This failure, with the usage (tokens, cost) the upstream reported before it failed (a new failure). */
  public GatewayFailure withUsage(openrouter.gateway.v1.Usage usage) {
    Draft d = draft();
    d.usage = usage;
    return d.build();
  }

  /** The usage known at the time of failure, if it arrived. */
  public Optional<openrouter.gateway.v1.Usage> usage() {
    return Optional.ofNullable(usage);
  }

  /** This failure, marked as using the caller's own OpenRouter key (a new failure). */
  public GatewayFailure withCallerKey(boolean callerKey) {
    Draft d = draft();
    d.callerKey = callerKey;
    return d.build();
  }

  /** This failure, recording how many upstream attempts were made and why the last failed (a new failure). */
  public GatewayFailure withAttempts(int attempts, String lastAttemptCause) {
    Draft d = draft();
    d.attempts = attempts;
    d.lastAttemptCause = lastAttemptCause;
    return d.build();
  }

  /** This failure, naming what was not found (e.g. type "model", name its id) for a ResourceInfo (a new failure). */
  public GatewayFailure withResource(String type, String name) {
    Draft d = draft();
    d.resource = new Resource(type, name);
    return d.build();
  }

  public Optional<Resource> resource() {
    return Optional.ofNullable(resource);
  }

  public Optional<String> model() {
    return Optional.ofNullable(model);
  }

  public Optional<String> provider() {
    return Optional.ofNullable(provider);
  }

  public Optional<String> generationId() {
    return Optional.ofNullable(generationId);
  }

  public boolean callerKey() {
    return callerKey;
  }

  public int attempts() {
    return attempts;
  }

  public Optional<String> lastAttemptCause() {
    return Optional.ofNullable(lastAttemptCause);
  }
}
