package openrouter.gateway.server.security;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;

/**
 * Bounds chat calls in flight: in total ({@code GATEWAY_MAX_CONCURRENT_STREAMS}) and per
 * authenticated caller ({@code GATEWAY_MAX_STREAMS_PER_CALLER}, or the caller's own
 * {@code streams=} in the keys file). Each held slot is one worker thread and one upstream
 * connection, so these bounds are what bounds the gateway's memory.
 */
public final class ConcurrencyLimits {
  private final int maxTotal;
  private final int maxPerCaller;
  private final Semaphore total;
  private final ConcurrentHashMap<String, Semaphore> perCaller = new ConcurrentHashMap<>();

  public ConcurrencyLimits(int maxTotal, int maxPerCaller) {
    this.maxTotal = maxTotal;
    this.maxPerCaller = maxPerCaller;
    this.total = new Semaphore(maxTotal);
  }

  /** A held slot; release it exactly once when the call ends. */
  public interface Slot extends AutoCloseable {
    @Override
    void close();
  }

  /** Takes a slot or throws RESOURCE_EXHAUSTED naming the limit that is full. */
  public Slot acquire(Caller caller) {
    Optional<Semaphore> own = caller.anonymous() ? Optional.empty()
        : Optional.of(perCaller.computeIfAbsent(caller.id() + "#" + limitFor(caller), k -> new Semaphore(limitFor(caller))));
    if (own.isPresent() && !own.get().tryAcquire()) {
      throw GatewayFailure.withReason(Kind.OVERLOADED, "CALLER_STREAM_LIMIT",
          "caller " + caller.id() + " already has " + limitFor(caller)
              + " chat calls in flight, its limit; wait for one to finish");
    }
    if (!total.tryAcquire()) {
      own.ifPresent(Semaphore::release);
      throw GatewayFailure.withReason(Kind.OVERLOADED, "GATEWAY_OVERLOADED",
          "the gateway is handling its maximum of " + maxTotal
              + " chat calls (GATEWAY_MAX_CONCURRENT_STREAMS); retry shortly");
    }
    return new Slot() {
      private boolean released;

      @Override
      public synchronized void close() {
        if (!released) {
          released = true;
          total.release();
          own.ifPresent(Semaphore::release);
        }
      }
    };
  }

  private int limitFor(Caller caller) {
    return caller.maxStreams().orElse(maxPerCaller);
  }

  /** Chat calls in flight now. */
  public int inFlight() {
    return maxTotal - total.availablePermits();
  }
}
