package openrouter.gateway.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of every thread the gateway starts and of everything that must be closed: the
 * workers, one shared scheduler for periodic checks (the stream watchdog's tick, the upstream
 * probe), the metrics endpoint's thread, and every part that keeps threads or connections of
 * its own (gRPC server, HTTP client, cost lookups, tracing, Redis).
 *
 * <p>Parts are registered as they start, each at its {@link Stage}; {@link #close} closes what
 * was registered in stage order, whatever point the start-up reached. So a start that fails
 * half-way closes exactly what it had started, and a shutdown closes everything in the one
 * order documented in docs/threads.md.
 */
public final class GatewayThreads implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GatewayThreads.class);
  /** How long each owned executor may take to let its threads end once told to stop. */
  private static final Duration THREAD_EXIT = Duration.ofSeconds(2);

  /** The shutdown order: every stage closes after the ones above it. */
  public enum Stage {
    /** Periodic work whose results nobody reads once shutting down (the upstream probe). */
    PROBES,
    /** The gRPC server (forced after the drain in {@link Gateway#shutdown}). */
    GRPC_SERVER,
    /** Background cost lookups: before the HTTP client they use. */
    COST_LOOKUPS,
    /** The upstream HTTP client: cancels requests still open, so workers unwind. */
    UPSTREAM_CLIENT,
    /** The shared scheduler (watchdog tick, probe). */
    SCHEDULER,
    /** The workers: interrupted if still running. */
    WORKERS,
    /** Exports the last spans (bounded). */
    TRACING,
    /** Redis, after every call that could use it. */
    SHARED_STATE,
    /** The metrics endpoint: last, so the shutdown itself can be scraped. */
    METRICS_SERVER,
    /** The metrics registry (no thread). */
    METRICS
  }

  private record Part(Stage stage, int order, String name, AutoCloseable closer) {}

  private final ExecutorService workers;
  private final ScheduledThreadPoolExecutor scheduler;
  private final List<Part> parts = new ArrayList<>();
  private boolean closing;

  /**
   * Takes ownership of {@code workers} (upstream calls, cache reads) and starts the shared
   * scheduler. Two scheduler threads: a probe blocked on its HTTP exchange (bounded by its own
   * timeout) never delays the watchdog's tick.
   */
  public GatewayThreads(ExecutorService workers) {
    this.workers = workers;
    own(Stage.WORKERS, "workers", () -> stop(workers, "workers"));
    this.scheduler = new ScheduledThreadPoolExecutor(2, named("gateway-scheduler"));
    scheduler.setRemoveOnCancelPolicy(true);
    own(Stage.SCHEDULER, "scheduler", () -> stop(scheduler, "scheduler"));
  }

  public ExecutorService workers() {
    return workers;
  }

  /**
   * Runs {@code task} on the shared scheduler every {@code period} (after the previous run
   * ended), first after {@code initialDelay}; cancelled at {@code stage}. A task that throws is
   * logged and runs again next time (the executor would otherwise drop it silently).
   */
  public ScheduledFuture<?> every(Stage stage, String name, Duration initialDelay, Duration period, Runnable task) {
    ScheduledFuture<?> future = scheduler.scheduleWithFixedDelay(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.error("{} failed; it runs again in {} ms", name, period.toMillis(), e);
      }
    }, initialDelay.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
    own(stage, name, () -> future.cancel(true));
    return future;
  }

  /** One daemon thread named {@code name}, closed at {@code stage}. */
  public ExecutorService singleThread(Stage stage, String name) {
    ExecutorService executor = Executors.newSingleThreadExecutor(named(name));
    own(stage, name, () -> stop(executor, name));
    return executor;
  }

  /**
   * Registers {@code part} to be closed at {@code stage}; parts of one stage close in the
   * reverse of the order they were registered in. Returns {@code part}.
   */
  public synchronized <T extends AutoCloseable> T own(Stage stage, String name, T part) {
    if (closing) {
      throw new IllegalStateException("the gateway is shutting down: " + name + " cannot start");
    }
    parts.add(new Part(stage, parts.size(), name, part));
    return part;
  }

  /** Closes every part registered at a stage up to {@code last}, in order; idempotent. */
  public void closeThrough(Stage last) {
    List<Part> due;
    synchronized (this) {
      due = parts.stream().filter(p -> p.stage().compareTo(last) <= 0)
          .sorted(Comparator.comparing(Part::stage).thenComparing(Part::order, Comparator.reverseOrder()))
          .toList();
      parts.removeAll(due);
      if (last == Stage.values()[Stage.values().length - 1]) {
        closing = true;
      }
    }
    for (Part part : due) {
      try {
        part.closer().close();
      } catch (Exception | LinkageError e) {
        // One part that fails to close must not keep the others open.
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        log.warn("closing {} failed", part.name(), e);
      }
    }
  }

  /** The names of the parts not closed yet, in registration order (for tests and logs). */
  public synchronized List<String> open() {
    return parts.stream().map(Part::name).toList();
  }

  /** Closes everything still open, in stage order. */
  @Override
  public void close() {
    closeThrough(Stage.values()[Stage.values().length - 1]);
  }

  private static void stop(ExecutorService executor, String name) throws InterruptedException {
    executor.shutdownNow();
    if (!executor.awaitTermination(THREAD_EXIT.toMillis(), TimeUnit.MILLISECONDS)) {
      log.warn("{}: threads still running {} ms after being interrupted", name, THREAD_EXIT.toMillis());
    }
  }

  /** Daemon threads {@code name-1}, {@code name-2}, ... */
  private static ThreadFactory named(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
