package openrouter.gateway.server.spend;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ledger of one replica: exact, per caller per UTC day, days older than the longest window
 * dropped. Callers are bounded by the keys file (or the one anonymous caller).
 */
public final class InMemorySpendLedger implements SpendLedger {
  private record Day(String callerId, long day) {}

  private final Clock clock;
  private final Map<Day, AtomicLong> days = new ConcurrentHashMap<>();
  private volatile long prunedThrough = Long.MIN_VALUE;

  public InMemorySpendLedger(Clock clock) {
    this.clock = clock;
  }

  @Override
  public void charge(String callerId, BigDecimal usd) {
    if (usd.signum() <= 0) {
      return;
    }
    long today = Math.floorDiv(clock.instant().getEpochSecond(), 86_400L);
    long amount = SpendLedger.picodollars(usd);
    days.computeIfAbsent(new Day(callerId, today), d -> new AtomicLong())
        .accumulateAndGet(amount, Math::addExact);
    prune(today);
  }

  @Override
  public BigDecimal spent(String callerId, Budget.Window window) {
    long total = 0;
    for (long d = window.firstDay(); d <= window.lastDay(); d++) {
      AtomicLong v = days.get(new Day(callerId, d));
      if (v != null) {
        total = Math.addExact(total, v.get());
      }
    }
    return SpendLedger.usd(total);
  }

  private void prune(long today) {
    long oldestKept = today - Budget.MAX_WINDOW_DAYS;
    if (prunedThrough < oldestKept) {
      prunedThrough = oldestKept;
      days.keySet().removeIf(d -> d.day() < oldestKept);
    }
  }
}
