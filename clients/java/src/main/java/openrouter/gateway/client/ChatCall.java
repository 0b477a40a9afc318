package openrouter.gateway.client;

/** A streamed chat in progress, started with a {@link ChatListener}. */
public interface ChatCall {
  /**
   * Cancels the call; the gateway closes the upstream request at once (OpenRouter stops
   * billing when it closes). The listener then gets {@code onError} with CANCELLED, unless the
   * call had already ended. Safe to call from any thread, more than once.
   */
  void cancel();
}
