package openrouter.gateway.server.errors;

import com.google.rpc.BadRequest;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
  private final UpstreamError upstream;
  private final List<BadRequest.FieldViolation> violations;
  private String model;
  private String provider;
  private String generationId;
  private boolean callerKey;
  private int attempts;
  private String lastAttemptCause;
  private String reason;
  private java.time.Duration retryAfter;
  private String quotaSubject;
  private Resource resource;
  private Map<String, String> metadata = Map.of();
  private openrouter.gateway.v1.Usage usage;

  /** The thing a NOT_FOUND failure is about, for a {@code google.rpc.ResourceInfo}. */
  public record Resource(String type, String name) {}

  private GatewayFailure(
      Kind kind,
      String message,
      UpstreamError upstream,
      List<BadRequest.FieldViolation> violations,
      Throwable cause) {
    super(message, cause, false, false); // no stack trace: these are expected outcomes
    this.kind = kind;
    this.upstream = upstream;
    this.violations = List.copyOf(violations);
  }

  public static GatewayFailure upstream(UpstreamError error) {
    return new GatewayFailure(Kind.UPSTREAM_ERROR, error.message(), error, List.of(), null);
  }

  public static GatewayFailure invalid(List<BadRequest.FieldViolation> violations) {
    String first = violations.isEmpty() ? "" : violations.get(0).getField() + ": "
        + violations.get(0).getDescription();
    String more = violations.size() > 1 ? " (and " + (violations.size() - 1) + " more)" : "";
    return new GatewayFailure(
        Kind.INVALID_REQUEST, "invalid request: " + first + more, null, violations, null);
  }

  public static GatewayFailure of(Kind kind, String message) {
    return new GatewayFailure(kind, message, null, List.of(), null);
  }

  public static GatewayFailure of(Kind kind, String message, Throwable cause) {
    return new GatewayFailure(kind, message, null, List.of(), cause);
  }

  /** A call over a rate limit: who, which limit, and the exact wait until it fits. */
  public static GatewayFailure rateLimited(String subject, String description, java.time.Duration retryAfter) {
    GatewayFailure f = new GatewayFailure(Kind.RATE_LIMITED, description, null, List.of(), null);
    f.quotaSubject = subject;
    f.retryAfter = retryAfter;
    return f;
  }

  /**
   * A caller over its spend budget: RESOURCE_EXHAUSTED {@code BUDGET_EXCEEDED} with a
   * QuotaFailure, a RetryInfo until the window resets, and {@code metadata} for the ErrorInfo.
   */
  public static GatewayFailure budgetExceeded(String subject, String description, java.time.Duration retryAfter,
      Map<String, String> metadata) {
    GatewayFailure f = rateLimited(subject, description, retryAfter);
    f.reason = "BUDGET_EXCEEDED";
    f.metadata = Map.copyOf(metadata);
    return f;
  }

  /** Extra ErrorInfo metadata this failure carries (ordered by key when mapped). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** A failure with its own ErrorInfo reason (UPPER_SNAKE) instead of the kind's default. */
  public static GatewayFailure withReason(Kind kind, String reason, String message) {
    GatewayFailure f = new GatewayFailure(kind, message, null, List.of(), null);
    f.reason = reason;
    return f;
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

  public Optional<UpstreamError> upstreamError() {
    return Optional.ofNullable(upstream);
  }

  public List<BadRequest.FieldViolation> violations() {
    return violations;
  }

  /** Records which model, provider and generation the failure belongs to, when known. */
  public GatewayFailure withServed(String model, String provider, String generationId) {
    if (model != null && !model.isEmpty()) {
      this.model = model;
    }
    if (provider != null && !provider.isEmpty()) {
      this.provider = provider;
    }
    if (generationId != null && !generationId.isEmpty()) {
      this.generationId = generationId;
    }
    return this;
  }

  /** Records the usage (tokens, cost) the upstream reported before the call failed. */
  public GatewayFailure withUsage(openrouter.gateway.v1.Usage usage) {
    this.usage = usage;
    return this;
  }

  /** The usage known at the time of failure, if it arrived. */
  public Optional<openrouter.gateway.v1.Usage> usage() {
    return Optional.ofNullable(usage);
  }

  /** Marks that the call used the caller's own OpenRouter key, not the gateway's. */
  public GatewayFailure withCallerKey(boolean callerKey) {
    this.callerKey = callerKey;
    return this;
  }

  /** Records how many upstream attempts were made and why the last one failed. */
  public GatewayFailure withAttempts(int attempts, String lastAttemptCause) {
    this.attempts = attempts;
    this.lastAttemptCause = lastAttemptCause;
    return this;
  }

  /** Names what was not found (e.g. type "model", name its id), for a ResourceInfo detail. */
  public GatewayFailure withResource(String type, String name) {
    this.resource = new Resource(type, name);
    return this;
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
