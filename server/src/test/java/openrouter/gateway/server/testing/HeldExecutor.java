package openrouter.gateway.server.testing;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import openrouter.gateway.simulator.testing.Eventually;

/**
 * An executor that runs nothing until the test says so: tasks wait in a queue, and {@link
 * #runNext} runs the oldest on the test's thread. It lets a test decide when a call's work
 * starts, e.g. only after the call was cancelled.
 */
public final class HeldExecutor extends AbstractExecutorService {
  private final LinkedBlockingQueue<Runnable> queued = new LinkedBlockingQueue<>();
  private volatile boolean shutdown;

  @Override
  public void execute(Runnable task) {
    if (shutdown) {
      throw new java.util.concurrent.RejectedExecutionException("shut down");
    }
    queued.add(task);
  }

  /** Runs the oldest queued task here, waiting (bounded by Eventually.DEADLINE) for one to be queued. */
  public void runNext() throws InterruptedException {
    Runnable task = queued.poll(Eventually.DEADLINE.toSeconds(), TimeUnit.SECONDS);
    if (task == null) {
      throw new AssertionError("no task was queued within " + Eventually.DEADLINE.toSeconds() + " s");
    }
    task.run();
  }

  /** Waits (bounded by Eventually.DEADLINE) until a task is queued, without running it. */
  public void awaitQueued() throws InterruptedException {
    Eventually.await("a queued task", () -> !queued.isEmpty());
  }

  @Override
  public void shutdown() {
    shutdown = true;
  }

  @Override
  public List<Runnable> shutdownNow() {
    shutdown = true;
    List<Runnable> left = new java.util.ArrayList<>();
    queued.drainTo(left);
    return left;
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  @Override
  public boolean isTerminated() {
    return shutdown;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return shutdown;
  }
}
