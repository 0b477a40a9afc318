package openrouter.gateway.server.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cache's policy with a hand-moved clock: reads run inline (except in the single-flight
 * test, which needs real concurrency), so every step is deterministic.
 */
class SnapshotCacheTest {
  private static final Duration TTL = Duration.ofSeconds(100);
  private static final Duration MAX_STALENESS = Duration.ofSeconds(300);
  private static final Duration MIN_INTERVAL = Duration.ofSeconds(10);

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final AtomicInteger fetches = new AtomicInteger();
  private volatile boolean upstreamDown;
  private ExecutorService pool;

  @AfterEach
  void stopPool() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }

  private SnapshotCache<String> inlineCache() {
    return new SnapshotCache<>("test", TTL, MAX_STALENESS, MIN_INTERVAL, 100, Runnable::run,
        Clock.systemUTC(), nanos::get);
  }

  /** A fetch that returns "v<n>" for the n-th upstream read, or fails while the upstream is down. */
  private Supplier<String> upstream() {
    return () -> {
      int n = fetches.incrementAndGet();
      if (upstreamDown) {
        throw GatewayFailure.of(Kind.UPSTREAM_UNREACHABLE, "connection refused");
      }
      return "v" + n;
    };
  }

  private void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  private static CachedRead<String> now(CompletableFuture<CachedRead<String>> f) {
    assertThat(f).isDone();
    return f.join();
  }

  @Test
  void concurrentColdReadsShareOneUpstreamRead() throws Exception {
    pool = Executors.newCachedThreadPool();
    SnapshotCache<String> cache = new SnapshotCache<>("test", TTL, MAX_STALENESS, MIN_INTERVAL, 100,
        pool, Clock.systemUTC(), nanos::get);
    CountDownLatch release = new CountDownLatch(1);
    Supplier<String> slowFetch = () -> {
      fetches.incrementAndGet();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return "catalogue";
    };
    List<CompletableFuture<CachedRead<String>>> reads = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      reads.add(cache.get("key", false, slowFetch));
    }
    assertThat(reads).noneMatch(CompletableFuture::isDone);
    release.countDown();
    for (CompletableFuture<CachedRead<String>> read : reads) {
      assertThat(read.get(30, TimeUnit.SECONDS).value()).isEqualTo("catalogue");
      assertThat(read.get().fromCache()).isFalse();
    }
    assertThat(fetches).hasValue(1);
  }

  @Test
  void servesFromCacheWithinTheTtlThenReadsAgain() {
    SnapshotCache<String> cache = inlineCache();
    CachedRead<String> first = now(cache.get("key", false, upstream()));
    assertThat(first.value()).isEqualTo("v1");
    assertThat(first.fromCache()).isFalse();

    advance(Duration.ofSeconds(50));
    CachedRead<String> cached = now(cache.get("key", false, upstream()));
    assertThat(cached.value()).isEqualTo("v1");
    assertThat(cached.fromCache()).isTrue();
    assertThat(cached.stale()).isFalse();
    assertThat(cached.age()).isEqualTo(Duration.ofSeconds(50));
    assertThat(fetches).hasValue(1);

    advance(Duration.ofSeconds(50)); // exactly the TTL
    CachedRead<String> refreshed = now(cache.get("key", false, upstream()));
    assertThat(refreshed.value()).isEqualTo("v2");
    assertThat(refreshed.fromCache()).isFalse();
    assertThat(refreshed.age()).isZero();
  }

  @Test
  void refreshesAheadOfExpiryWithoutMakingTheCallerWait() {
    SnapshotCache<String> cache = inlineCache();
    now(cache.get("key", false, upstream()));
    advance(Duration.ofSeconds(79));
    assertThat(now(cache.get("key", false, upstream())).value()).isEqualTo("v1");
    assertThat(fetches).hasValue(1);

    advance(Duration.ofSeconds(2)); // 81% of the TTL
    CachedRead<String> read = now(cache.get("key", false, upstream()));
    assertThat(read.value()).as("this caller gets the value it had").isEqualTo("v1");
    assertThat(read.fromCache()).isTrue();
    assertThat(fetches).as("one background refresh started").hasValue(2);
    assertThat(now(cache.get("key", false, upstream())).value()).isEqualTo("v2");
  }

  @Test
  void servesTheLastGoodValueMarkedStaleWhenARefreshFails() {
    SnapshotCache<String> cache = inlineCache();
    now(cache.get("key", false, upstream()));
    upstreamDown = true;
    advance(Duration.ofSeconds(120));

    CachedRead<String> stale = now(cache.get("key", false, upstream()));
    assertThat(stale.value()).isEqualTo("v1");
    assertThat(stale.stale()).isTrue();
    assertThat(stale.age()).isEqualTo(Duration.ofSeconds(120));
    assertThat(fetches).hasValue(2);

    // Within the minimum interval the failing upstream is left alone.
    advance(Duration.ofSeconds(5));
    assertThat(now(cache.get("key", false, upstream())).stale()).isTrue();
    assertThat(fetches).hasValue(2);
    assertThat(cache.peek("key")).get().extracting(CachedRead::stale).isEqualTo(true);

    // After it, the next read tries again, and recovers.
    advance(MIN_INTERVAL);
    upstreamDown = false;
    CachedRead<String> recovered = now(cache.get("key", false, upstream()));
    assertThat(recovered.value()).isEqualTo("v3");
    assertThat(recovered.stale()).isFalse();
  }

  @Test
  void failsOnceTheLastGoodValueIsOlderThanTheMaximumStaleness() {
    SnapshotCache<String> cache = inlineCache();
    now(cache.get("key", false, upstream()));
    upstreamDown = true;
    advance(MAX_STALENESS.plusSeconds(1));

    CompletableFuture<CachedRead<String>> read = cache.get("key", false, upstream());
    assertThatThrownBy(read::get).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(GatewayFailure.class).hasMessage("connection refused");
    assertThat(cache.peek("key")).isEmpty();
  }

  @Test
  void failuresAreNotCached() {
    SnapshotCache<String> cache = inlineCache();
    upstreamDown = true;
    assertThat(cache.get("key", false, upstream())).isCompletedExceptionally();
    assertThat(cache.get("key", false, upstream())).isCompletedExceptionally();
    assertThat(fetches).as("each call without a value tries the upstream").hasValue(2);

    upstreamDown = false;
    assertThat(now(cache.get("key", false, upstream())).value()).isEqualTo("v3");
  }

  @Test
  void forcedRefreshesReachTheUpstreamAtMostOncePerInterval() {
    SnapshotCache<String> cache = inlineCache();
    now(cache.get("key", false, upstream()));
    advance(Duration.ofSeconds(11));

    CachedRead<String> forced = now(cache.get("key", true, upstream()));
    assertThat(forced.value()).isEqualTo("v2");
    assertThat(forced.fromCache()).isFalse();

    for (int i = 0; i < 50; i++) {
      CachedRead<String> again = now(cache.get("key", true, upstream()));
      assertThat(again.value()).isEqualTo("v2");
      assertThat(again.fromCache()).isTrue();
    }
    assertThat(fetches).hasValue(2);

    advance(MIN_INTERVAL);
    assertThat(now(cache.get("key", true, upstream())).value()).isEqualTo("v3");
  }

  @Test
  void keysAreIndependent() {
    SnapshotCache<String> cache = inlineCache();
    assertThat(now(cache.get("key-a", false, () -> "figures of a")).value()).isEqualTo("figures of a");
    assertThat(now(cache.get("key-b", false, () -> "figures of b")).value()).isEqualTo("figures of b");
    assertThat(now(cache.get("key-a", false, () -> "not read")).value()).isEqualTo("figures of a");
    assertThat(cache.peek("key-c")).isEmpty();
  }
}
