package openrouter.gateway.server.shared;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import openrouter.gateway.server.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admission and end scripts' arithmetic on a real redis-server. Redis's clock cannot be
 * moved, so a test writes a bucket's state as of a time in the past and bounds the answer by
 * Redis's TIME read just before and just after the script ran (tight on a quiet machine, still
 * exact on a busy one).
 */
class AdmissionScriptsTest {
  private static final String BUCKET = "t:bucket";
  private static final String SLOTS = "t:slots";

  private RedisServer redis;
  private RedisClient client;
  private StatefulRedisConnection<String, String> connection;

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start();
    client = RedisClient.create(redis.url());
    connection = client.connect();
  }

  @AfterEach
  void stop() throws Exception {
    connection.close();
    client.shutdown();
    redis.close();
  }

  private long redisNowMs() {
    List<String> t = connection.sync().time();
    return Long.parseLong(t.get(0)) * 1000 + Long.parseLong(t.get(1)) / 1000;
  }

  private static AdmissionScripts.Request rate(long capacity, long periodMs) {
    return new AdmissionScripts.Request(BUCKET, capacity, periodMs, SLOTS, 0, 0, "", List.of(), "", true);
  }

  private AdmissionScripts.Answer admit(AdmissionScripts.Request r) {
    return AdmissionScripts.admit(connection, r);
  }

  private void bucketAsOf(long tokens, long last, long err) {
    connection.sync().hset(BUCKET, Map.of("tokens", Long.toString(tokens), "last", Long.toString(last), "err", Long.toString(err)));
  }

  @Test
  void aNewBucketIsFullThenRefusesUntilItsNextTokenWithoutTakingAnything() {
    for (int left = 2; left >= 0; left--) {
      AdmissionScripts.Answer a = admit(rate(3, 3 * 3_600_000L));
      assertThat(a.code()).isEqualTo(AdmissionScripts.ADMITTED);
      assertThat(a.tokensLeft()).isEqualTo(left);
    }
    long before = redisNowMs();
    Map<String, String> state = connection.sync().hgetall(BUCKET);
    AdmissionScripts.Answer refused = admit(rate(3, 3 * 3_600_000L));
    long after = redisNowMs();
    assertThat(refused.code()).isEqualTo(AdmissionScripts.RATE_LIMITED);
    // One token an hour: the wait is an hour less the time since the bucket was created, which
    // the bucket carries as its last refill less the fraction of a token since (err / 3 ms).
    long created = Long.parseLong(state.get("last")) - Long.parseLong(state.get("err")) / 3;
    assertThat(Long.parseLong(state.get("err")) % 3).isZero();
    assertThat(refused.retryMicros())
        .isBetween(3_600_000_000L - (after - created) * 1000, 3_600_000_000L - (before - created) * 1000);
    assertThat(connection.sync().hgetall(BUCKET)).as("a refused call writes nothing").isEqualTo(state);
    assertThat(connection.sync().pttl(BUCKET)).as("the key lives until the bucket is full again").isBetween(1L, 3 * 3_600_000L);
  }

  @Test
  void theWaitIsExactlyWhatIsLeftOfTheNextTokensInterval() {
    long before = redisNowMs();
    bucketAsOf(0, before - 1_800_000, 0);
    AdmissionScripts.Answer a = admit(rate(3, 21_600_000));
    long after = redisNowMs();
    // 3 per 6 h is a token every 2 h; 30 min of it have passed: 90 min to go.
    assertThat(a.code()).isEqualTo(AdmissionScripts.RATE_LIMITED);
    assertThat(a.retryMicros()).isBetween(5_400_000_000L - (after - before) * 1000, 5_400_000_000L);
  }

  @Test
  void theFractionOfATokenIsCarriedExactly() {
    // 3 per 7 h: a token every 8,400,000 ms (hours of margin for a slow machine). 8,399,999 ms
    // and the 3 token-milliseconds carried are exactly one token; without them it would be refused.
    long sevenHours = 25_200_000L;
    long before = redisNowMs();
    bucketAsOf(0, before - 8_399_999, 3);
    AdmissionScripts.Answer a = admit(rate(3, sevenHours));
    long after = redisNowMs();
    assertThat(a.code()).isEqualTo(AdmissionScripts.ADMITTED);
    assertThat(a.tokensLeft()).isZero();
    long err = Long.parseLong(connection.sync().hget(BUCKET, "err"));
    // 3 x the milliseconds beyond 8,399,999 that passed before the script ran.
    assertThat(err).isBetween(0L, 3 * (after - before));
    assertThat(err % 3).isZero();

    // 3 per (7 h + 1 ms), 2 h since the last refill: (25,200,001 - 3 x 7,200,000) / 3 ms to go,
    // 1,200,000,333.3 us, rounded up to the microsecond.
    long now = redisNowMs();
    bucketAsOf(0, now - 7_200_000, 0);
    AdmissionScripts.Answer refused = admit(rate(3, sevenHours + 1));
    long end = redisNowMs();
    assertThat(refused.code()).isEqualTo(AdmissionScripts.RATE_LIMITED);
    assertThat(refused.retryMicros()).isBetween(1_200_000_334L - (end - now) * 1000, 1_200_000_334L);
  }

  @Test
  void aLongPauseRefillsNoMoreThanTheCapacity() {
    bucketAsOf(1, redisNowMs() - 3_600_000, 5);
    AdmissionScripts.Answer a = admit(rate(3, 6_000));
    assertThat(a.code()).isEqualTo(AdmissionScripts.ADMITTED);
    assertThat(a.tokensLeft()).isEqualTo(2);
    assertThat(connection.sync().hget(BUCKET, "err")).isEqualTo("0");
  }

  @Test
  void aRefusedCallTakesNoTokenAndHoldsNoLease() {
    connection.sync().set("t:day:1", "5");
    AdmissionScripts.Request overBudget = new AdmissionScripts.Request(BUCKET, 3, 60_000, SLOTS, 2, 60_000, "m1",
        List.of("t:day:1"), "5", true);
    assertThat(admit(overBudget).code()).isEqualTo(AdmissionScripts.BUDGET_SPENT);
    assertThat(connection.sync().exists(BUCKET, SLOTS)).as("no token taken, no lease").isZero();

    connection.sync().zadd(SLOTS, redisNowMs() + 60_000, "held-elsewhere");
    AdmissionScripts.Request slotsFull = new AdmissionScripts.Request(BUCKET, 3, 60_000, SLOTS, 1, 60_000, "m2",
        List.of("t:day:1"), "6", true);
    assertThat(admit(slotsFull).code()).isEqualTo(AdmissionScripts.SLOTS_FULL);
    assertThat(connection.sync().exists(BUCKET)).as("no token taken").isZero();
    assertThat(connection.sync().zrange(SLOTS, 0, -1)).containsExactly("held-elsewhere");

    AdmissionScripts.Request onlyCheck = new AdmissionScripts.Request(BUCKET, 3, 60_000, SLOTS, 2, 60_000, "m3",
        List.of("t:day:1"), "6", false);
    assertThat(admit(onlyCheck).code()).isEqualTo(AdmissionScripts.ADMITTED);
    assertThat(connection.sync().exists(BUCKET)).as("a check takes nothing").isZero();
    assertThat(connection.sync().zrange(SLOTS, 0, -1)).containsExactly("held-elsewhere");

    AdmissionScripts.Request admitted = new AdmissionScripts.Request(BUCKET, 3, 60_000, SLOTS, 2, 60_000, "m4",
        List.of("t:day:1"), "6", true);
    AdmissionScripts.Answer a = admit(admitted);
    assertThat(a.code()).isEqualTo(AdmissionScripts.ADMITTED);
    assertThat(a.tokensLeft()).isEqualTo(2);
    assertThat(a.spentPicodollars()).isEqualTo(5);
    assertThat(connection.sync().zrange(SLOTS, 0, -1)).containsExactlyInAnyOrder("held-elsewhere", "m4");
  }

  @Test
  void expiredLeasesAreNotCounted() {
    connection.sync().zadd(SLOTS, redisNowMs() - 1, "a-dead-replica's");
    AdmissionScripts.Request one = new AdmissionScripts.Request(SLOTS, 0, 0, SLOTS, 1, 60_000, "mine", List.of(), "", true);
    assertThat(admit(one).code()).isEqualTo(AdmissionScripts.ADMITTED);
    assertThat(connection.sync().zrange(SLOTS, 0, -1)).containsExactly("mine");
    assertThat(connection.sync().pttl(SLOTS)).isBetween(1L, 60_000L);
  }

  @Test
  void spendIsSummedExactlyBeyondWhatADoubleHolds() {
    // 2^53 + 1 picodollars (about 9007 USD) is not a double; two days whose sum carries past 10^9.
    connection.sync().set("t:day:1", "9007199254740993");
    connection.sync().set("t:day:2", "999999999");
    connection.sync().set("t:day:3", "1");
    List<String> days = List.of("t:day:1", "t:day:2", "t:day:3", "t:day:4");
    long spent = 9_007_199_254_740_993L + 1_000_000_000L;
    AdmissionScripts.Answer under = admit(new AdmissionScripts.Request(SLOTS, 0, 0, SLOTS, 0, 0, "", days,
        Long.toString(spent + 1), true));
    assertThat(under.code()).isEqualTo(AdmissionScripts.ADMITTED);
    assertThat(under.spentPicodollars()).isEqualTo(spent);
    assertThat(under.days()).containsExactly("9007199254740993", "999999999", "1", null);

    AdmissionScripts.Answer reached = admit(new AdmissionScripts.Request(SLOTS, 0, 0, SLOTS, 0, 0, "", days,
        Long.toString(spent), true));
    assertThat(reached.code()).isEqualTo(AdmissionScripts.BUDGET_SPENT);
    assertThat(reached.spentPicodollars()).isEqualTo(spent);
  }

  @Test
  void theEndChargesExactlyAndEndsTheLeaseInOneScript() {
    connection.sync().set("t:day:1", "9007199254740993");
    connection.sync().zadd(SLOTS, redisNowMs() + 60_000, "mine");
    String total = AdmissionScripts.end(connection, "t:day:1", 2, 86_400, SLOTS, "mine");
    assertThat(total).isEqualTo("9007199254740995");
    assertThat(connection.sync().ttl("t:day:1")).isBetween(1L, 86_400L);
    assertThat(connection.sync().exists(SLOTS)).isZero();
    assertThat(AdmissionScripts.end(connection, "t:day:1", 0, 86_400, SLOTS, null)).as("nothing to charge").isNull();
  }

  @Test
  void twoClientsTakingAtOnceNeverExceedTheLimit() throws Exception {
    ExecutorService two = Executors.newFixedThreadPool(2);
    try {
      List<Future<Integer>> takers = new ArrayList<>();
      for (int c = 0; c < 2; c++) {
        takers.add(two.submit((Callable<Integer>) () -> {
          try (StatefulRedisConnection<String, String> own = client.connect()) {
            int taken = 0;
            for (int i = 0; i < 100; i++) {
              // 50 a day: no token refills while the test runs.
              if (AdmissionScripts.admit(own, rate(50, 86_400_000L)).code() == AdmissionScripts.ADMITTED) {
                taken++;
              }
            }
            return taken;
          }
        }));
      }
      assertThat(takers.get(0).get() + takers.get(1).get()).isEqualTo(50);
    } finally {
      two.shutdownNow();
    }
  }

  @Test
  void aRedisThatForgotTheScriptIsSentItAgain() {
    assertThat(admit(rate(3, 60_000)).code()).isEqualTo(AdmissionScripts.ADMITTED);
    connection.sync().scriptFlush();
    assertThat(admit(rate(3, 60_000)).tokensLeft()).isEqualTo(1);
    connection.sync().scriptFlush();
    assertThat(AdmissionScripts.end(connection, "t:day:1", 7, 60, SLOTS, null)).isEqualTo("7");
  }
}
