package openrouter.gateway.simulator.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waits for a state instead of sleeping for a time. The deadline only bounds a failure: it is
 * generous (a busy, shared 2-core machine can stall a thread for seconds), and a passing test
 * returns as soon as the state holds, so it never depends on how fast the machine is.
 */
public final class Eventually {
  /** How long a test waits for something that should happen "soon" before it fails. */
  public static final Duration DEADLINE = Duration.ofSeconds(30);

  private Eventually() {}

  /** Polls {@code read} until {@code condition} holds of its value; returns that value. */
  public static <T> T await(String what, Supplier<T> read, Predicate<? super T> condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    T last;
    do {
      last = read.get();
      if (condition.test(last)) {
        return last;
      }
      Thread.sleep(10);
    } while (System.nanoTime() < deadline);
    throw new AssertionError(what + ": still not true after " + DEADLINE.toSeconds() + " s; last seen: " + last);
  }

  /** Polls {@code condition} until it holds. */
  public static void await(String what, BooleanSupplier condition) throws InterruptedException {
    await(what, condition::getAsBoolean, Boolean::booleanValue);
  }
}
