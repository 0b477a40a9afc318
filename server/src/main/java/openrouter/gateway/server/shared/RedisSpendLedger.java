package openrouter.gateway.server.shared;

import io.lettuce.core.KeyValue;
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
    chargeAndEndLease("spend_charge", callerId, SpendLedger.picodollars(usd), null, null);
  }

  /**
   * Charges {@code picodollars} (0: nothing) and ends a lease ({@code member} in the set
   * {@code slotsKey}; null: none) in one round trip. A charge Redis did not take is kept
   * pending; a lease not ended ends by itself.
   */
  void chargeAndEndLease(String operation, String callerId, long picodollars, String slotsKey, String member) {
    Day day = new Day(callerId, Math.floorDiv(clock.instant().getEpochSecond(), 86_400L));
    state.call(operation, redis -> {
      add(redis, day, picodollars, slotsKey, member);
      return null;
    }, () -> {
      if (picodollars > 0) {
        pending.computeIfAbsent(day, d -> new AtomicLong()).accumulateAndGet(picodollars, Math::addExact);
      }
      return null;
    }, true);
  }

  /** One script, so a charge is either stored with its expiry or not at all (then kept pending). */
  private void add(io.lettuce.core.api.StatefulRedisConnection<String, String> redis, Day day, long amount,
      String slotsKey, String member) {
    String total = AdmissionScripts.end(redis, key(day), amount, KEEP_SECONDS, slotsKey == null ? key(day) : slotsKey, member);
    if (total != null) {
      lastSeen.put(day, Long.parseLong(total));
    }
  }

  @Override
  public BigDecimal spent(String callerId, Budget.Window window) {
    List<String> keys = dayKeys(callerId, window);
    long stored = state.call("spend_read", redis -> {
      List<KeyValue<String, String>> values = redis.sync().mget(keys.toArray(String[]::new));
      List<String> read = new ArrayList<>();
      for (KeyValue<String, String> v : values) {
        read.add(v.hasValue() ? v.getValue() : null);
      }
      return seen(callerId, window, read);
    }, () -> storedAsLastSeen(callerId, window), false);
    return SpendLedger.usd(Math.addExact(stored, notYetStored(callerId, window)));
  }

  /** The keys of the window's days, first day first. */
  List<String> dayKeys(String callerId, Budget.Window window) {
    List<String> keys = new ArrayList<>();
    for (long d = window.firstDay(); d <= window.lastDay(); d++) {
      keys.add(key(new Day(callerId, d)));
    }
    return keys;
  }

  /** Remembers what Redis holds for each day of the window ({@link #dayKeys} order; null: nothing); their sum. */
  long seen(String callerId, Budget.Window window, List<String> values) {
    long sum = 0;
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i) != null) {
        long n = Long.parseLong(values.get(i));
        lastSeen.put(new Day(callerId, window.firstDay() + i), n);
        sum = Math.addExact(sum, n);
      }
    }
    return sum;
  }

  /** While Redis is unreachable: the last totals it gave this replica plus what this replica counted since. */
  long spentLocally(String callerId, Budget.Window window) {
    return Math.addExact(storedAsLastSeen(callerId, window), notYetStored(callerId, window));
  }

  /** Charges this replica counted that are not in Redis yet. */
  long notYetStored(String callerId, Budget.Window window) {
    long sum = 0;
    for (long d = window.firstDay(); d <= window.lastDay(); d++) {
      AtomicLong p = pending.get(new Day(callerId, d));
      sum = Math.addExact(sum, p == null ? 0 : p.get());
    }
    return sum;
  }

  private long storedAsLastSeen(String callerId, Budget.Window window) {
    long sum = 0;
    for (long d = window.firstDay(); d <= window.lastDay(); d++) {
      sum = Math.addExact(sum, lastSeen.getOrDefault(new Day(callerId, d), 0L));
    }
    return sum;
  }

  private void flushPending() {
    for (Map.Entry<Day, AtomicLong> e : pending.entrySet()) {
      long amount = e.getValue().getAndSet(0);
      if (amount == 0) {
        continue;
      }
      boolean stored = state.call("spend_flush", redis -> {
        add(redis, e.getKey(), amount, null, null);
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
