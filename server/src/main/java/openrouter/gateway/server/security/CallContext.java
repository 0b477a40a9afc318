package openrouter.gateway.server.security;

import io.grpc.Context;
import java.util.Optional;

/** What the security interceptor learned about the current call, for the services to read. */
public final class CallContext {
  static final Context.Key<Caller> CALLER = Context.key("gateway.caller");
  static final Context.Key<String> OPENROUTER_KEY = Context.key("gateway.caller-openrouter-key");

  private CallContext() {}

  /** For the interceptor that sets it. */
  public static Context.Key<Caller> callerKey() {
    return CALLER;
  }

  /** For the interceptor that sets it. */
  public static Context.Key<String> openRouterKeyKey() {
    return OPENROUTER_KEY;
  }

  /** The authenticated caller, or ANONYMOUS. */
  public static Caller caller() {
    Caller c = CALLER.get();
    return c == null ? Caller.ANONYMOUS : c;
  }

  /** The caller's own OpenRouter key (bring-your-own-key), when allowed and sent. */
  public static Optional<String> callerOpenRouterKey() {
    return Optional.ofNullable(OPENROUTER_KEY.get());
  }
}
