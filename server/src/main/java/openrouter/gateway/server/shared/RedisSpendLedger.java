package openrouter.gateway.server.shared;

import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import openrouter.gateway.server.spend.Budget;
import openrouter.gateway.server.spend.SpendLedger;

/**
 * Spend shared by every replica: one Redis integer per caller per UTC day, in picodollars
 * ({@code INCRBY}, exact), kept a little longer than the longest window.
 *
 * <p>While Redis is unreachable a charge is kept here and added to Redis once it is back, so
 * no spend is lost; reads then answer from the last totals Redis gave this replica plus what it
 * counted since (open mode) or refuse the call (closed mode).
 */
public final class RedisSpendLedger implements SpendLedger {
  private static final long KEEP_SECONDS = Duration.ofDays(Budget.MAX_WINDOW_DAYS + 1).toSeconds();

  private static final String ADD = """
      local total = redis.call('INCRBY', KEYS[1], ARGV[1])
      redis.call('EXPIRE', KEYS[1], ARGV[2])
      return total
      """;

  private record Day(String callerId, long day) {}

  private final SharedState state;
  private final Clock clock;
  /** Charges not yet in Redis. */
  private final Map<Day, AtomicLong> pending = new ConcurrentHashMap<>();
  /** The last total Redis reported for each day this replica read or charged. */
  private final Map<Day, Long> lastSeen = new ConcurrentHashMap<>();

  public RedisSpendLedger(SharedState state, Clock clock) {
    this.state = state;
    this.clock = clock;
    state.background().scheduleWithFixedDelay(this::flushPending, 1, 1, TimeUnit.SECONDS);
  }

  @Override
  public void charge(String callerId, BigDecimal usd) {
    if (usd.signum() <= 0) {
      return;
    }
    Day day = new Day(callerId, Math.floorDiv(clock.instant().getEpochSecond(), 86_400L));
    long amount = SpendLedger.picodollars(usd);
    state.call("spend_charge", redis -> {
      add(redis, day, amount);
      return null;
    }, () -> {
      pending.computeIfAbsent(day, d -> new AtomicLong()).accumulateAndGet(amount, Math::addExact);
      return null;
    }, true);
  }

  /** One script, so a charge is either stored with its expiry or not at all (then kept pending). */
  private void add(io.lettuce.core.api.StatefulRedisConnection<String, String> redis, Day day, long amount) {
    Long total = redis.sync().eval(ADD, ScriptOutputType.INTEGER, new String[] {key(day)},
        Long.toString(amount), Long.toString(KEEP_SECONDS));
    lastSeen.put(day, total);
  }

  @Override
  public BigDecimal spent(String callerId, Budget.Window window) {
    List<Day> days = new ArrayList<>();
    for (long d = window.firstDay(); d <= window.lastDay(); d++) {
      days.add(new Day(callerId, d));
    }
    long stored = state.call("spend_read", redis -> {
      List<KeyValue<String, String>> values = redis.sync().mget(days.stream().map(this::key).toArray(String[]::new));
      long sum = 0;
      for (int i = 0; i < values.size(); i++) {
        KeyValue<String, String> v = values.get(i);
        if (v.hasValue()) {
          long n = Long.parseLong(v.getValue());
          lastSeen.put(days.get(i), n);
          sum = Math.addExact(sum, n);
        }
      }
      return sum;
    }, () -> days.stream().mapToLong(d -> lastSeen.getOrDefault(d, 0L)).reduce(0L, Math::addExact), false);
    long notYetStored = days.stream().mapToLong(d -> {
      AtomicLong p = pending.get(d);
      return p == null ? 0 : p.get();
    }).reduce(0L, Math::addExact);
    return SpendLedger.usd(Math.addExact(stored, notYetStored));
  }

  private void flushPending() {
    for (Map.Entry<Day, AtomicLong> e : pending.entrySet()) {
      long amount = e.getValue().getAndSet(0);
      if (amount == 0) {
        continue;
      }
      boolean stored = state.call("spend_flush", redis -> {
        add(redis, e.getKey(), amount);
        return true;
      }, () -> false, true);
      if (!stored) {
        e.getValue().accumulateAndGet(amount, Math::addExact);
        return; // still down: try again later
      }
    }
    long oldestKept = Math.floorDiv(clock.instant().getEpochSecond(), 86_400L) - Budget.MAX_WINDOW_DAYS;
    lastSeen.keySet().removeIf(d -> d.day() < oldestKept);
    pending.keySet().removeIf(d -> d.day() < oldestKept);
  }

  private String key(Day day) {
    return state.key("spend:" + day.callerId() + ":" + day.day());
  }
}
