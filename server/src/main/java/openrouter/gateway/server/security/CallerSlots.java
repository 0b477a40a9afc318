package openrouter.gateway.server.security;

import java.util.Optional;

/** Per-caller counts of chat calls in flight: this replica's, or shared by every replica. */
public interface CallerSlots {
  /** A held slot; release it exactly once when the call ends. */
  interface Held {
    void release();
  }

  /** Takes one of the caller's {@code limit} slots, or empty when all are held. */
  Optional<Held> tryAcquire(String callerId, int limit);
}
