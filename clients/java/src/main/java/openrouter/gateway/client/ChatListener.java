package openrouter.gateway.client;

import openrouter.gateway.v1.ChatDelta;
import openrouter.gateway.v1.ChatSummary;

/**
 * Receives a streamed chat as it arrives. Callbacks run one at a time on a gRPC thread; the
 * next message is requested only when a callback returns, so a slow listener slows the stream
 * down instead of piling messages up in memory. Exactly one of {@link #onCompleted} and
 * {@link #onError} ends every call.
 */
public interface ChatListener {
  /** What one upstream chunk added to the answer. */
  default void onDelta(ChatDelta delta) {}

  /** The finish reason, usage and cost: the last message of a completed stream. */
  default void onSummary(ChatSummary summary) {}

  /** The stream ended OK (after {@link #onSummary}). */
  default void onCompleted() {}

  /** The stream failed, possibly after some deltas; also called after {@link ChatCall#cancel}. */
  default void onError(GatewayException error) {}
}
