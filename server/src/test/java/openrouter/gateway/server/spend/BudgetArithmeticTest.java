package openrouter.gateway.server.spend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.security.Caller;
import openrouter.gateway.v1.Usage;
import org.junit.jupiter.api.Test;

/** Budgets, windows and the ledger's arithmetic, with no network and a clock the test moves. */
class BudgetArithmeticTest {

  /** A clock the test sets. */
  private static final class SetClock extends Clock {
    final AtomicReference<Instant> now;

    SetClock(String instant) {
      now = new AtomicReference<>(Instant.parse(instant));
    }

    @Override
    public Instant instant() {
      return now.get();
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  private static Caller caller(String id, String budgetLine) {
    return new Caller(id, Map.of(), OptionalInt.empty(),
        budgetLine == null ? Optional.empty() : Optional.of(new Caller.BudgetOverride(Budget.parse(budgetLine))));
  }

  @Test
  void parsesBudgetsAndSaysWhatIsWrong() {
    assertThat(Budget.parse("25/1d")).contains(new Budget(new BigDecimal("25"), 1));
    assertThat(Budget.parse("0.50/7d").get().usd()).isEqualByComparingTo("0.5");
    assertThat(Budget.parse("100/30d").get().windowDays()).isEqualTo(30);
    assertThat(Budget.parse("none")).isEmpty();
    assertThatThrownBy(() -> Budget.parse("25/1h")).hasMessageContaining("25/1d");
    assertThatThrownBy(() -> Budget.parse("-1/1d")).hasMessageContaining("not a budget");
    assertThatThrownBy(() -> Budget.parse("5/0d")).hasMessageContaining("1 to 366 days");
    assertThatThrownBy(() -> Budget.parse("5/400d")).hasMessageContaining("1 to 366 days");
    assertThatThrownBy(() -> Budget.parse("1e3/1d")).hasMessageContaining("not a budget");
  }

  @Test
  void windowsAreWholeUtcDaysAlignedTo1970() {
    Budget daily = Budget.parse("1/1d").get();
    Budget.Window w = daily.windowAt(Instant.parse("2026-12-07T23:59:59.999Z"));
    assertThat(w.start()).isEqualTo(Instant.parse("2026-12-07T00:00:00Z"));
    assertThat(w.end()).isEqualTo(Instant.parse("2026-12-08T00:00:00Z"));
    assertThat(daily.windowAt(Instant.parse("2026-12-08T00:00:00Z")).start()).isEqualTo(w.end());

    // 1970-01-01 was a Thursday: weekly windows start on Thursdays at 00:00 UTC.
    Budget weekly = Budget.parse("1/7d").get();
    Budget.Window week = weekly.windowAt(Instant.parse("2026-12-07T12:00:00Z")); // a Monday
    assertThat(week.start()).isEqualTo(Instant.parse("2026-12-03T00:00:00Z"));
    assertThat(week.start().atZone(ZoneOffset.UTC).getDayOfWeek()).isEqualTo(java.time.DayOfWeek.THURSDAY);
    assertThat(week.end()).isEqualTo(Instant.parse("2026-12-10T00:00:00Z"));

    Budget monthly = Budget.parse("1/30d").get();
    Budget.Window m = monthly.windowAt(Instant.parse("2026-12-07T12:00:00Z"));
    assertThat(m.firstDay() % 30).isZero();
    assertThat(Duration.between(m.start(), m.end())).isEqualTo(Duration.ofDays(30));
    assertThat(m.start()).isBeforeOrEqualTo(Instant.parse("2026-12-07T12:00:00Z"));
    assertThat(m.end()).isAfter(Instant.parse("2026-12-07T12:00:00Z"));
  }

  @Test
  void decimalCostsAddUpExactlyWhereDoublesWouldNot() {
    SpendLedger ledger = new InMemorySpendLedger(new SetClock("2026-12-07T10:00:00Z"));
    for (int i = 0; i < 10; i++) {
      ledger.charge("alice", new BigDecimal("0.1"));
    }
    ledger.charge("alice", new BigDecimal("0.000000000001")); // one picodollar
    Budget.Window today = Budget.parse("1/1d").get().windowAt(Instant.parse("2026-12-07T10:00:00Z"));
    assertThat(ledger.spent("alice", today)).isEqualByComparingTo("1.000000000001");
    assertThat(0.1 * 10).as("what a double would say").isNotEqualTo(1.0 + 1e-12);
    assertThat(ledger.spent("bob", today)).isEqualByComparingTo("0");
    // finer than a picodollar: rounded half-up
    ledger.charge("carol", new BigDecimal("0.0000000000015"));
    assertThat(ledger.spent("carol", today)).isEqualByComparingTo("0.000000000002");
  }

  @Test
  void concurrentChargesAreAllCounted() throws Exception {
    SpendLedger ledger = new InMemorySpendLedger(new SetClock("2026-12-07T10:00:00Z"));
    int threads = 8;
    int each = 1_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      done.add(pool.submit(() -> {
        go.await();
        for (int i = 0; i < each; i++) {
          ledger.charge("alice", new BigDecimal("0.000123"));
        }
        return null;
      }));
    }
    go.countDown();
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    Budget.Window today = Budget.parse("1/1d").get().windowAt(Instant.parse("2026-12-07T10:00:00Z"));
    assertThat(ledger.spent("alice", today)).isEqualByComparingTo(new BigDecimal("0.000123").multiply(BigDecimal.valueOf(threads * each)));
  }

  @Test
  void aCallerIsRefusedOnceItsWindowsSpendReachesTheBudgetAndServedAgainInTheNextWindow() {
    SetClock clock = new SetClock("2026-12-07T22:00:00Z");
    Budgets budgets = new Budgets(Budget.parse("1/1d"), new InMemorySpendLedger(clock), clock, SpendObserver.NONE, true);
    Caller alice = caller("alice", null);

    budgets.checkCanStart(alice);
    budgets.charge(alice, Usage.newBuilder().setCost("0.6").build());
    budgets.checkCanStart(alice); // 0.6 < 1: in flight calls may still start
    budgets.charge(alice, Usage.newBuilder().setCost("0.4").build()); // exactly the budget

    GatewayFailure refused = catchThrowableOfType(GatewayFailure.class, () -> budgets.checkCanStart(alice));
    assertThat(refused.reason()).contains("BUDGET_EXCEEDED");
    assertThat(refused.kind()).isEqualTo(GatewayFailure.Kind.RATE_LIMITED);
    assertThat(refused.retryAfter()).contains(Duration.ofHours(2));
    assertThat(refused.metadata()).containsEntry("caller", "alice").containsEntry("budget", "1/1d")
        .containsEntry("spent", "1").containsEntry("windowReset", "2026-12-08T00:00:00Z");
    assertThat(budgets.status(alice).remaining()).contains(BigDecimal.ZERO);

    clock.now.set(Instant.parse("2026-12-08T00:00:00Z"));
    budgets.checkCanStart(alice);
    assertThat(budgets.status(alice).spent()).isEqualByComparingTo("0");
  }

  @Test
  void aCallersOwnLineOverridesTheDefaultIncludingNone() {
    SetClock clock = new SetClock("2026-12-07T10:00:00Z");
    Budgets budgets = new Budgets(Budget.parse("0.001/1d"), new InMemorySpendLedger(clock), clock, SpendObserver.NONE, true);
    Caller unlimited = caller("batch", "none");
    Caller generous = caller("search", "100/30d");
    budgets.charge(unlimited, Usage.newBuilder().setCost("5").build());
    budgets.checkCanStart(unlimited);
    assertThat(budgets.status(unlimited).budget()).isEmpty();
    assertThat(budgets.status(unlimited).spent()).as("spend today is still counted").isEqualByComparingTo("5");

    budgets.charge(generous, Usage.newBuilder().setCost("5").build());
    budgets.checkCanStart(generous);
    assertThat(budgets.status(generous).remaining()).hasValueSatisfying(r -> assertThat(r).isEqualByComparingTo("95"));

    Caller plain = caller("plain", null);
    budgets.charge(plain, Usage.newBuilder().setCost("0.001").build());
    assertThat(catchThrowableOfType(GatewayFailure.class, () -> budgets.checkCanStart(plain))).isNotNull();
  }

  @Test
  void spendOfEarlierDaysCountsInLongerWindowsAndChargesWithoutACostAreIgnored() {
    SetClock clock = new SetClock("2026-12-03T10:00:00Z"); // a Thursday: a 7d window starts
    InMemorySpendLedger ledger = new InMemorySpendLedger(clock);
    Budgets budgets = new Budgets(Budget.parse("10/7d"), ledger, clock, SpendObserver.NONE, true);
    Caller alice = caller("alice", null);
    budgets.charge(alice, Usage.newBuilder().setCost("1.25").build());
    clock.now.set(Instant.parse("2026-12-06T10:00:00Z"));
    budgets.charge(alice, Usage.newBuilder().setCost("2.5").build());
    budgets.charge(alice, Usage.newBuilder().build());
    budgets.charge(alice, Usage.newBuilder().setCost("not a number").build());
    budgets.charge(alice, (Usage) null);
    budgets.charge("alice", new BigDecimal("-3"));
    assertThat(budgets.status(alice).spent()).isEqualByComparingTo("3.75");
    clock.now.set(Instant.parse("2026-12-10T00:00:00Z"));
    assertThat(budgets.status(alice).spent()).isEqualByComparingTo("0");
  }
}
