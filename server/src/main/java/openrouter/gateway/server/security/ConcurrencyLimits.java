package openrouter.gateway.server.security;

import java.util.Optional;
import java.util.concurrent.Semaphore;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;

/**
 * Bounds chat calls in flight: in total ({@code GATEWAY_MAX_CONCURRENT_STREAMS}, always per
 * replica: it bounds this process's memory) and per authenticated caller
 * ({@code GATEWAY_MAX_STREAMS_PER_CALLER}, or the caller's own {@code streams=} in the keys
 * file), which {@link CallerSlots} may share across replicas. Each held slot is one worker
 * thread and one upstream connection.
 */
public final class ConcurrencyLimits {
  private final int maxTotal;
  private final int maxPerCaller;
  private final Semaphore total;
  private final CallerSlots callerSlots;

  public ConcurrencyLimits(int maxTotal, int maxPerCaller) {
    this(maxTotal, maxPerCaller, new LocalCallerSlots());
  }

  public ConcurrencyLimits(int maxTotal, int maxPerCaller, CallerSlots callerSlots) {
    this.maxTotal = maxTotal;
    this.maxPerCaller = maxPerCaller;
    this.total = new Semaphore(maxTotal);
    this.callerSlots = callerSlots;
  }

  /** A held slot; release it exactly once when the call ends. */
  public interface Slot extends AutoCloseable {
    @Override
    void close();
  }

  /** Takes a slot or throws RESOURCE_EXHAUSTED naming the limit that is full. */
  public Slot acquire(Caller caller) {
    Optional<CallerSlots.Held> own = Optional.empty();
    if (!caller.anonymous()) {
      own = callerSlots.tryAcquire(caller.id(), limitFor(caller));
      if (own.isEmpty()) {
        throw callerFull(caller);
      }
    }
    if (!total.tryAcquire()) {
      own.ifPresent(CallerSlots.Held::release);
      throw overloaded();
    }
    Optional<CallerSlots.Held> held = own;
    return new Slot() {
      private boolean released;

      @Override
      public synchronized void close() {
        if (!released) {
          released = true;
          total.release();
          held.ifPresent(CallerSlots.Held::release);
        }
      }
    };
  }

  /** How many chat calls the caller may have in flight; anonymous callers have no limit of their own. */
  public int limitFor(Caller caller) {
    return caller.maxStreams().orElse(maxPerCaller);
  }

  /** Takes one of the gateway's slots (this replica's), without a caller's. */
  public boolean tryTakeTotal() {
    return total.tryAcquire();
  }

  /** Gives back a slot {@link #tryTakeTotal} took. */
  public void releaseTotal() {
    total.release();
  }

  public GatewayFailure callerFull(Caller caller) {
    return GatewayFailure.withReason(Kind.OVERLOADED, "CALLER_STREAM_LIMIT",
        "caller " + caller.id() + " already has " + limitFor(caller)
            + " chat calls in flight, its limit; wait for one to finish");
  }

  public GatewayFailure overloaded() {
    return GatewayFailure.withReason(Kind.OVERLOADED, "GATEWAY_OVERLOADED",
        "the gateway is handling its maximum of " + maxTotal
            + " chat calls (GATEWAY_MAX_CONCURRENT_STREAMS); retry shortly");
  }

  /** Chat calls in flight now. */
  public int inFlight() {
    return maxTotal - total.availablePermits();
  }
}
