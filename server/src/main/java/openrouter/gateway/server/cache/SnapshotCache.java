package openrouter.gateway.server.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.Redactor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the last good value read from the upstream per key (an upstream key's fingerprint),
 * and decides when to read it again.
 *
 * <ul>
 *   <li><b>Single flight.</b> At most one upstream read per key is in progress; every caller
 *       that needs it waits for that one.
 *   <li><b>TTL and refresh ahead.</b> A value younger than the TTL is served as is. Once it is
 *       {@value #REFRESH_AHEAD_PERCENT}% through its TTL, a read also starts a background refresh,
 *       so a key in steady use rarely makes a caller wait. Past the TTL, callers wait for a
 *       refresh.
 *   <li><b>Stale on failure.</b> When a refresh fails, the last good value is served marked
 *       stale, with its age, as long as it is no older than the maximum staleness; after that,
 *       the failure. A failed refresh is retried no sooner than the minimum refresh interval,
 *       so a failing upstream is not called on every request. Failures are never stored as
 *       values: a key that never had a good value tries again on the next call.
 *   <li><b>Forced refreshes</b> ({@code force_refresh}) read the upstream at most once per
 *       minimum refresh interval per key; within it they get the value just read.
 * </ul>
 *
 * <p>Caffeine bounds the number of keys held and drops keys unused for longer than the
 * maximum staleness. Caffeine's own refresh is not used because it hides refresh failures,
 * and callers must be told when they get a stale value and how old it is.
 */
public final class SnapshotCache<V> {
  static final int REFRESH_AHEAD_PERCENT = 80;
  private static final Logger log = LoggerFactory.getLogger(SnapshotCache.class);

  private final String name;
  private final long ttlNanos;
  private final long refreshAheadNanos;
  private final long maxStalenessNanos;
  private final long minRefreshIntervalNanos;
  private final Executor executor;
  private final Clock clock;
  private final Ticker ticker;
  private final Cache<String, Slot<V>> slots;

  /**
   * @param name what is cached, for log lines (e.g. "model catalogue")
   * @param ttl how long a value is served without asking the upstream
   * @param maxStaleness the oldest a value may be when served after a failed refresh (raised
   *     to the TTL if smaller)
   * @param minRefreshInterval the least time between two upstream reads of a key forced by
   *     callers, or after a failed one
   * @param maxKeys most keys held at once
   * @param executor runs the upstream reads (they block)
   * @param clock for the {@code fetchedAt} wall-clock times
   * @param ticker for ages and intervals (monotonic nanoseconds)
   */
  public SnapshotCache(
      String name,
      Duration ttl,
      Duration maxStaleness,
      Duration minRefreshInterval,
      int maxKeys,
      Executor executor,
      Clock clock,
      Ticker ticker) {
    this.name = name;
    this.ttlNanos = ttl.toNanos();
    this.refreshAheadNanos = ttlNanos / 100 * REFRESH_AHEAD_PERCENT;
    this.maxStalenessNanos = Math.max(maxStaleness.toNanos(), ttlNanos);
    this.minRefreshIntervalNanos = minRefreshInterval.toNanos();
    this.executor = executor;
    this.clock = clock;
    this.ticker = ticker;
    this.slots = Caffeine.newBuilder()
        .maximumSize(maxKeys)
        .expireAfterAccess(Duration.ofNanos(Math.max(1, maxStalenessNanos)))
        .ticker(ticker)
        .build();
  }

  /**
   * The value for {@code key}, read with {@code fetch} when needed. The future fails with the
   * read's {@link GatewayFailure} (wrapped in a {@link CompletionException}) only when there is
   * no value young enough to serve instead.
   *
   * @param fetch reads the value from the upstream, blocking; throws a {@link GatewayFailure}
   */
  public CompletableFuture<CachedRead<V>> get(String key, boolean forceRefresh, Supplier<V> fetch) {
    Slot<V> slot = slots.get(key, k -> new Slot<>());
    synchronized (slot) {
      long now = ticker.read();
      Stored<V> last = servable(slot.last, now) ? slot.last : null;
      if (last == null) {
        return await(slot, flight(slot, fetch));
      }
      long age = now - last.readAtNanos;
      boolean expired = age >= ttlNanos;
      if (slot.flight != null && (forceRefresh || expired)) {
        return await(slot, slot.flight);
      }
      boolean recentAttempt = now - slot.lastAttemptNanos < minRefreshIntervalNanos;
      if (forceRefresh) {
        return recentAttempt
            ? CompletableFuture.completedFuture(read(last, now, true, expired))
            : await(slot, flight(slot, fetch));
      }
      if (expired) {
        // After a failed refresh, serve the stale value until the interval passes.
        return slot.lastFailed && recentAttempt
            ? CompletableFuture.completedFuture(read(last, now, true, true))
            : await(slot, flight(slot, fetch));
      }
      if (age >= refreshAheadNanos && slot.flight == null && !(slot.lastFailed && recentAttempt)) {
        flight(slot, fetch); // refresh ahead; this caller does not wait
      }
      return CompletableFuture.completedFuture(read(last, now, true, false));
    }
  }

  /** The last good value for {@code key}, if any is young enough to serve; never reads. */
  public Optional<CachedRead<V>> peek(String key) {
    Slot<V> slot = slots.getIfPresent(key);
    if (slot == null) {
      return Optional.empty();
    }
    synchronized (slot) {
      long now = ticker.read();
      Stored<V> last = slot.last;
      if (!servable(last, now)) {
        return Optional.empty();
      }
      return Optional.of(read(last, now, true, now - last.readAtNanos >= ttlNanos));
    }
  }

  private boolean servable(Stored<V> stored, long now) {
    return stored != null && now - stored.readAtNanos <= maxStalenessNanos;
  }

  private CachedRead<V> read(Stored<V> stored, long now, boolean fromCache, boolean stale) {
    return new CachedRead<>(stored.value, stored.fetchedAt,
        Duration.ofNanos(Math.max(0, now - stored.readAtNanos)), fromCache, stale);
  }

  /** The read in progress, or a new one. Caller holds the slot's lock. */
  private CompletableFuture<Stored<V>> flight(Slot<V> slot, Supplier<V> fetch) {
    if (slot.flight != null) {
      return slot.flight;
    }
    CompletableFuture<Stored<V>> flight = new CompletableFuture<>();
    slot.flight = flight;
    slot.lastAttemptNanos = ticker.read();
    Runnable read = () -> {
      Stored<V> stored = null;
      Throwable failure = null;
      try {
        V value = fetch.get();
        stored = new Stored<>(value, clock.instant(), ticker.read());
      } catch (Throwable t) {
        failure = t;
      }
      finish(slot, flight, stored, failure);
    };
    try {
      executor.execute(read);
    } catch (RuntimeException rejected) { // shutting down
      finish(slot, flight, null, rejected);
    }
    return flight;
  }

  private void finish(Slot<V> slot, CompletableFuture<Stored<V>> flight, Stored<V> stored, Throwable failure) {
    synchronized (slot) {
      if (slot.flight == flight) {
        slot.flight = null;
      }
      if (failure == null) {
        if (slot.lastFailed) {
          log.info("{} refresh succeeded again", name);
        }
        slot.last = stored;
        slot.lastFailed = false;
      } else {
        if (!slot.lastFailed && slot.last != null) {
          // Once per failure streak: a failing upstream must not flood the log.
          log.warn("{} refresh failed ({}); serving the last good copy, read at {}, while it is"
              + " young enough", name, describe(failure), slot.last.fetchedAt);
        }
        slot.lastFailed = true;
      }
    }
    if (failure == null) {
      flight.complete(stored);
    } else {
      flight.completeExceptionally(failure);
    }
  }

  /** Waits for a read; if it fails, falls back to the slot's last good value if servable. */
  private CompletableFuture<CachedRead<V>> await(Slot<V> slot, CompletableFuture<Stored<V>> flight) {
    return flight.handle((stored, failure) -> {
      long now = ticker.read();
      if (failure == null) {
        return read(stored, now, false, false);
      }
      Stored<V> last;
      synchronized (slot) {
        last = slot.last;
      }
      if (servable(last, now)) {
        return read(last, now, true, now - last.readAtNanos >= ttlNanos);
      }
      throw failure instanceof CompletionException ce ? ce : new CompletionException(failure);
    });
  }

  private static String describe(Throwable failure) {
    if (failure instanceof GatewayFailure f) {
      return f.kind() + ": " + Redactor.redact(f.getMessage());
    }
    return failure.getClass().getSimpleName();
  }

  /** A value and when it was read. */
  private record Stored<V>(V value, Instant fetchedAt, long readAtNanos) {}

  /** Per-key state; guarded by its own lock. */
  private static final class Slot<V> {
    Stored<V> last;
    CompletableFuture<Stored<V>> flight;
    long lastAttemptNanos;
    boolean lastFailed;
  }
}
