package openrouter.gateway.server.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import openrouter.gateway.server.errors.Redactor;
import openrouter.gateway.server.errors.StatusMapper;
import openrouter.gateway.server.metrics.GatewayMetrics;
import openrouter.gateway.server.security.CallContext;
import openrouter.gateway.server.security.Caller;
import openrouter.gateway.server.security.CallerRegistry;
import openrouter.gateway.server.security.MethodFamily;
import openrouter.gateway.server.security.RateLimiter;

/**
 * Authenticates the caller (when a keys file is configured), checks its rate limit, and
 * accepts a caller-supplied OpenRouter key when that is allowed, all before the service runs:
 * a refused call never reaches OpenRouter. Health and reflection stay open for probes.
 */
public final class CallerInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  public static final Metadata.Key<String> CALLER_OPENROUTER_KEY =
      Metadata.Key.of("x-openrouter-api-key", Metadata.ASCII_STRING_MARSHALLER);

  private final Optional<CallerRegistry> registry;
  private final RateLimiter rateLimiter;
  private final boolean allowCallerKeys;
  private final StatusMapper statusMapper;
  private final GatewayMetrics metrics;
  private final Set<MethodFamily> limitedAtAdmission;

  public CallerInterceptor(Optional<CallerRegistry> registry, RateLimiter rateLimiter, boolean allowCallerKeys,
      StatusMapper statusMapper, GatewayMetrics metrics) {
    this(registry, rateLimiter, allowCallerKeys, statusMapper, metrics, Set.of());
  }

  /**
   * @param limitedAtAdmission families whose rate limit the service checks itself, with the
   *     call's other limits (chat calls with shared state: one Redis round trip for all)
   */
  public CallerInterceptor(Optional<CallerRegistry> registry, RateLimiter rateLimiter, boolean allowCallerKeys,
      StatusMapper statusMapper, GatewayMetrics metrics, Set<MethodFamily> limitedAtAdmission) {
    this.limitedAtAdmission = EnumSet.noneOf(MethodFamily.class); // contains(null) is false: unknown methods
    this.limitedAtAdmission.addAll(limitedAtAdmission);
    this.registry = registry;
    this.rateLimiter = rateLimiter;
    this.allowCallerKeys = allowCallerKeys;
    this.statusMapper = statusMapper;
    this.metrics = metrics;
  }

  /** Probes and tools must work without credentials. */
  static boolean open(String serviceName) {
    return serviceName.equals("grpc.health.v1.Health")
        || serviceName.startsWith("grpc.reflection.")
        || serviceName.equals("openrouter.gateway.v1.HealthService");
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (open(call.getMethodDescriptor().getServiceName())) {
      return next.startCall(call, headers);
    }
    Caller caller;
    String openRouterKey;
    try {
      caller = authenticate(headers);
      openRouterKey = callerOpenRouterKey(headers);
      MethodFamily family = MethodFamily.of(call.getMethodDescriptor().getFullMethodName());
      if (!limitedAtAdmission.contains(family)) {
        rateLimiter.tryAcquire(caller, family).ifPresent(r -> {
          metrics.rateLimited(call.getMethodDescriptor().getServiceName());
          throw r.failure(caller);
        });
      }
    } catch (GatewayFailure refused) {
      StatusRuntimeException e = statusMapper.toException(refused);
      call.close(e.getStatus(), e.getTrailers() == null ? new Metadata() : e.getTrailers());
      return new ServerCall.Listener<>() {};
    }
    Context context = Context.current().withValues(CallContext.callerKey(), caller, CallContext.openRouterKeyKey(), openRouterKey);
    return Contexts.interceptCall(context, call, headers, next);
  }

  private Caller authenticate(Metadata headers) {
    String authorization = headers.get(AUTHORIZATION);
    if (registry.isEmpty()) {
      if (holdsOpenRouterKey(authorization)) {
        // Without caller authentication the header would be ignored and the gateway's own key
        // used: a caller who meant to spend their own key must hear about it.
        throw GatewayFailure.withReason(Kind.INVALID_REQUEST, "OPENROUTER_KEY_IN_AUTHORIZATION",
            "the authorization header carries an OpenRouter key (sk-or-...), but this gateway"
                + " does not authenticate callers and would ignore it: send your OpenRouter key as"
                + " the metadata header x-openrouter-api-key instead (bring your own key), or send"
                + " no authorization header to use the gateway's own key");
      }
      return Caller.ANONYMOUS;
    }
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7) || authorization.length() <= 7) {
      throw GatewayFailure.withReason(Kind.UNAUTHENTICATED, "MISSING_API_KEY",
          "this gateway requires a gateway API key: send the metadata header \"authorization: Bearer <key>\"");
    }
    return registry.get().authenticate(authorization.substring(7).strip())
        .orElseThrow(() -> GatewayFailure.withReason(Kind.UNAUTHENTICATED, "INVALID_API_KEY",
            "the gateway API key is not known to this gateway; check the key, or ask its operator to add it to GATEWAY_API_KEYS_FILE"));
  }

  /** "Bearer sk-or-...", in any case: an OpenRouter key where a gateway caller key belongs. */
  static boolean holdsOpenRouterKey(String authorization) {
    if (authorization == null) {
      return false;
    }
    String value = authorization.strip();
    if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      value = value.substring(7).strip();
    }
    return value.regionMatches(true, 0, "sk-or-", 0, 6);
  }

  private String callerOpenRouterKey(Metadata headers) {
    String key = headers.get(CALLER_OPENROUTER_KEY);
    if (key == null) {
      return null;
    }
    if (!allowCallerKeys) {
      throw GatewayFailure.withReason(Kind.PERMISSION_DENIED, "CALLER_KEYS_DISABLED",
          "this gateway does not accept callers' own OpenRouter keys (x-openrouter-api-key); remove the header, or ask its operator to set GATEWAY_ALLOW_CALLER_KEYS=true");
    }
    key = key.strip();
    if (!key.startsWith("sk-or-") || key.chars().anyMatch(c -> c <= ' ')) {
      throw GatewayFailure.withReason(Kind.INVALID_REQUEST, "INVALID_CALLER_KEY",
          "x-openrouter-api-key must be an OpenRouter key starting with sk-or- (value not shown)");
    }
    Redactor.addCallerKey(key); // should OpenRouter echo it, it is redacted like the gateway's own
    return key;
  }
}
