package openrouter.gateway.server.security;

import openrouter.gateway.v1.Usage;

/**
 * Whether a call on a worker (chat, or a generation lookup) may start, and what it gives back
 * when it ends: the caller's budget and concurrency slots (and, with shared state, the chat
 * rate limit) are checked when it starts; its cost is charged and its slots given back when it
 * ends. With Redis all of it is one round trip to start and one to end.
 */
public interface ChatAdmission {
  /** What an admitted call holds. */
  interface Admitted extends AutoCloseable {
    /**
     * The call is over: charges what it cost ({@code usage}, when the call {@code spends}; null
     * when nothing came) and gives back the caller's slot. Only the first end counts.
     */
    void end(Usage usage);

    /** Ends the call (if not yet ended) and gives back every slot it held. */
    @Override
    void close();
  }

  /**
   * Admits a call or throws the GatewayFailure of the first check that refuses it, in the
   * order: rate limit, budget (when it {@code spends}), the caller's slots, the gateway's slots.
   */
  Admitted admit(Caller caller, boolean spends);

  /**
   * An invalid chat call still counts against its caller's rate limit, as it does when the
   * limit is checked before the call is read: takes its token, or throws RATE_LIMITED.
   */
  void countInvalid(Caller caller);
}
