package openrouter.gateway.server.chat;

import openrouter.gateway.v1.Usage;

/**
 * What {@link ChatRunner} reports about each call, for metrics. Implementations must be cheap:
 * {@link #chunkGap} runs once per streamed chunk. The default methods do nothing.
 */
public interface ChatMetrics {
  ChatMetrics NONE = new ChatMetrics() {};

  /** One upstream attempt started (the first one included). */
  default void attempt() {}

  /** An attempt failed and the same models are tried again; {@code cause} is a short label. */
  default void retry(String cause) {}

  /** An attempt failed and the call moves to the next models of the fallback chain. */
  default void fallback() {}

  /** The first chunk of a stream reached the caller, {@code nanos} after the call started. */
  default void firstChunk(String model, long nanos) {}

  /** Time the upstream took to send a chunk after the previous one (caller waits excluded). */
  default void chunkGap(long nanos) {}

  /**
   * The call ended. {@code model} is the model that served ("" when unknown), {@code usage}
   * null when the upstream reported none, {@code errorType} empty on success.
   */
  default void finished(boolean streaming, String model, Usage usage, long nanos, String errorType) {}

  /**
   * The usage of a generation whose call had already ended without it (failed, timed out or
   * cancelled), learned afterwards from /generation: counts its tokens and cost.
   */
  default void usageLearnedLater(String model, Usage usage) {}

  /**
   * One background /generation lookup of a cost ended: {@code found}, {@code not_found},
   * {@code failed}, or {@code dropped} (the lookup queue was full).
   */
  default void costLookup(String outcome) {}
}
