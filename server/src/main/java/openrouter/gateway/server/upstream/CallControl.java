package openrouter.gateway.server.upstream;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.Call;

/**
 * Ties one gateway call to its upstream HTTP call(s): the total deadline every attempt must
 * fit in, and cancellation. When the gRPC caller cancels (or its deadline passes), {@link
 * #cancel} closes the upstream connection at once; OpenRouter stops billing when it closes.
 */
public final class CallControl {
  private final long deadlineNanos;
  private final boolean callerDeadline;
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final AtomicReference<Call> current = new AtomicReference<>();
  private final java.util.concurrent.CountDownLatch cancelledSignal = new java.util.concurrent.CountDownLatch(1);

  /**
   * @param timeout time left for the whole call
   * @param callerDeadline true when the timeout comes from the caller's gRPC deadline, false
   *     when it is the gateway's default
   */
  public CallControl(Duration timeout, boolean callerDeadline) {
    this.deadlineNanos = System.nanoTime() + timeout.toNanos();
    this.callerDeadline = callerDeadline;
  }

  public boolean callerDeadline() {
    return callerDeadline;
  }

  public long deadlineNanos() {
    return deadlineNanos;
  }

  public Duration remaining() {
    long left = deadlineNanos - System.nanoTime();
    return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
  }

  public boolean expired() {
    return System.nanoTime() - deadlineNanos >= 0;
  }

  public boolean cancelled() {
    return cancelled.get();
  }

  /** Makes {@code call} the current attempt, bounded by the remaining deadline. */
  public void attach(Call call) {
    call.timeout().timeout(Math.max(1, deadlineNanos - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
    current.set(call);
    if (cancelled.get()) {
      call.cancel(); // cancel raced with the start of this attempt
    }
  }

  /** Cancels the current upstream call and every later attempt. Idempotent, any thread. */
  public void cancel() {
    if (cancelled.compareAndSet(false, true)) {
      cancelledSignal.countDown();
      Call call = current.get();
      if (call != null) {
        call.cancel();
      }
    }
  }

  /**
   * Waits {@code d} between attempts, waking at once if the call is cancelled.
   *
   * @return false when the call was cancelled (the caller should give up)
   */
  public boolean pause(Duration d) {
    try {
      return !cancelledSignal.await(d.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Closes the current attempt's connection without cancelling the whole call. */
  public void abortAttempt() {
    Call call = current.get();
    if (call != null) {
      call.cancel();
    }
  }
}
