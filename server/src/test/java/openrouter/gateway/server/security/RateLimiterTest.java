package openrouter.gateway.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The per-caller token buckets in this replica's memory, on a time meter the test moves by hand:
 * who is limited, by which limit, and the exact wait a refused call is told.
 */
class RateLimiterTest {
  private static final RateLimit THREE_PER_6S = RateLimit.parse("3/6s");

  private final ManualTime time = new ManualTime();
  private final LocalRateLimitStore store = new LocalRateLimitStore(time);
  private final RateLimiter limiter = new RateLimiter(Map.of(MethodFamily.CHAT, THREE_PER_6S), store);
  private final Caller alice = new Caller("alice", Map.of(), OptionalInt.empty());

  @Test
  void aFullBucketAllowsItsCapacityThenSaysExactlyWhenTheNextTokenComes() {
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.tryAcquire(alice, MethodFamily.CHAT)).as("call %d", i + 1).isEmpty();
    }
    Optional<RateLimiter.Rejection> refused = limiter.tryAcquire(alice, MethodFamily.CHAT);
    assertThat(refused).isPresent();
    assertThat(refused.get().family()).isEqualTo(MethodFamily.CHAT);
    assertThat(refused.get().limit()).isEqualTo(THREE_PER_6S);
    // Greedy refill: 3 per 6 s is one token every 2 s.
    assertThat(refused.get().retryAfter()).isEqualTo(Duration.ofSeconds(2));

    time.advance(Duration.ofMillis(500));
    assertThat(limiter.tryAcquire(alice, MethodFamily.CHAT).map(RateLimiter.Rejection::retryAfter))
        .contains(Duration.ofMillis(1500));

    time.advance(Duration.ofMillis(1500));
    assertThat(limiter.tryAcquire(alice, MethodFamily.CHAT)).as("one token refilled").isEmpty();
    assertThat(limiter.tryAcquire(alice, MethodFamily.CHAT)).isPresent();
  }

  @Test
  void aLongPauseRefillsNoMoreThanTheCapacity() {
    for (int i = 0; i < 3; i++) {
      limiter.tryAcquire(alice, MethodFamily.CHAT);
    }
    time.advance(Duration.ofHours(1));
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.tryAcquire(alice, MethodFamily.CHAT)).isEmpty();
    }
    assertThat(limiter.tryAcquire(alice, MethodFamily.CHAT)).isPresent();
  }

  @Test
  void eachCallerAndFamilyHasItsOwnBucket() {
    Caller bob = new Caller("bob", Map.of(), OptionalInt.empty());
    RateLimiter both = new RateLimiter(
        Map.of(MethodFamily.CHAT, THREE_PER_6S, MethodFamily.MODELS, RateLimit.parse("1/1m")), store);
    for (int i = 0; i < 3; i++) {
      both.tryAcquire(alice, MethodFamily.CHAT);
    }
    assertThat(both.tryAcquire(alice, MethodFamily.CHAT)).isPresent();
    assertThat(both.tryAcquire(bob, MethodFamily.CHAT)).as("bob's bucket is his own").isEmpty();
    assertThat(both.tryAcquire(alice, MethodFamily.MODELS)).as("models have their own bucket").isEmpty();
    assertThat(both.tryAcquire(alice, MethodFamily.MODELS).map(RateLimiter.Rejection::retryAfter))
        .contains(Duration.ofMinutes(1));
  }

  @Test
  void aCallersOwnLimitWinsOverTheDefault() {
    RateLimit one = RateLimit.parse("1/10s");
    Caller strict = new Caller("strict", Map.of(MethodFamily.CHAT, one), OptionalInt.empty());
    assertThat(limiter.tryAcquire(strict, MethodFamily.CHAT)).isEmpty();
    Optional<RateLimiter.Rejection> refused = limiter.tryAcquire(strict, MethodFamily.CHAT);
    assertThat(refused.map(RateLimiter.Rejection::limit)).contains(one);
    assertThat(refused.map(RateLimiter.Rejection::retryAfter)).contains(Duration.ofSeconds(10));
  }

  @Test
  void aChangedLimitStartsANewFullBucket() {
    for (int i = 0; i < 3; i++) {
      store.tryConsume("alice", MethodFamily.CHAT, THREE_PER_6S);
    }
    assertThat(store.tryConsume("alice", MethodFamily.CHAT, THREE_PER_6S).isConsumed()).isFalse();
    RateLimit raised = RateLimit.parse("5/6s");
    assertThat(store.tryConsume("alice", MethodFamily.CHAT, raised).isConsumed()).isTrue();
    assertThat(store.tryConsume("alice", MethodFamily.CHAT, raised).getRemainingTokens()).isEqualTo(3);
  }

  @Test
  void anonymousCallersUnlimitedFamiliesAndUnknownMethodsAreNeverRefused() {
    for (int i = 0; i < 10; i++) {
      assertThat(limiter.tryAcquire(Caller.ANONYMOUS, MethodFamily.CHAT)).isEmpty();
      assertThat(limiter.tryAcquire(alice, MethodFamily.CREDITS)).as("no default for credits").isEmpty();
      assertThat(limiter.tryAcquire(alice, null)).as("health and reflection").isEmpty();
    }
  }

  @Test
  void aLimitBeyondExactCountingIsRefusedWithTheReason() {
    assertThat(RateLimit.parse("100000000/1h").requests()).isEqualTo(100_000_000L);
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> RateLimit.parse("9007199254740993/1ms")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("below 2^53");
  }

  /** Time that moves only when told to. */
  private static final class ManualTime implements TimeMeter {
    private long nanos = 1_000_000_000L;

    void advance(Duration d) {
      nanos += d.toNanos();
    }

    @Override
    public long currentTimeNanos() {
      return nanos;
    }

    @Override
    public boolean isWallClockBased() {
      return false;
    }
  }
}
