package openrouter.gateway.server.spend;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.security.Caller;
import openrouter.gateway.v1.Usage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spend budgets: which budget a caller has (its own {@code budget=} line, else
 * {@code GATEWAY_BUDGET}), whether it may start a chat call, and charging what calls cost.
 *
 * <p>A call is refused once the spend of the current window has reached the budget; calls in
 * flight when it is crossed finish and are charged, so spend can exceed a budget by what those
 * calls cost. With authentication off, every call is the anonymous caller and shares one budget.
 */
public final class Budgets {
  private static final Logger log = LoggerFactory.getLogger(Budgets.class);

  /** A caller's spend and budget now. With no budget, the window is the current UTC day. */
  public record Status(String callerId, Optional<Budget> budget, BigDecimal spent, Budget.Window window) {
    /** Budget minus spent, never below zero; empty with no budget. */
    public Optional<BigDecimal> remaining() {
      return budget.map(b -> b.usd().subtract(spent).max(BigDecimal.ZERO));
    }

    public boolean exhausted() {
      return budget.isPresent() && spent.compareTo(budget.get().usd()) >= 0;
    }
  }

  private static final Budget ONE_DAY = new Budget(BigDecimal.ZERO, 1);

  private final Optional<Budget> defaultBudget;
  private final SpendLedger ledger;
  private final Clock clock;
  private final SpendObserver observer;
  private final boolean labelCallers;

  /**
   * @param labelCallers whether metrics may carry caller ids (only when a keys file bounds them)
   */
  public Budgets(Optional<Budget> defaultBudget, SpendLedger ledger, Clock clock, SpendObserver observer,
      boolean labelCallers) {
    this.defaultBudget = defaultBudget;
    this.ledger = ledger;
    this.clock = clock;
    this.observer = observer;
    this.labelCallers = labelCallers;
  }

  public Optional<Budget> budgetOf(Caller caller) {
    return caller.budget().map(Caller.BudgetOverride::budget).orElse(defaultBudget);
  }


  public Status status(Caller caller) {
    Optional<Budget> budget = budgetOf(caller);
    Budget.Window window = budget.orElse(ONE_DAY).windowAt(clock.instant());
    return new Status(caller.id(), budget, ledger.spent(caller.id(), window), window);
  }

  /** Throws RESOURCE_EXHAUSTED {@code BUDGET_EXCEEDED} when the caller's budget is spent. */
  public void checkCanStart(Caller caller) {
    if (budgetOf(caller).isEmpty()) {
      return;
    }
    Status s = status(caller);
    if (s.exhausted()) {
      throw refusal(s);
    }
  }

  /** The caller's budget and its window now; empty with no budget. */
  public Optional<Status> budgetNow(Caller caller) {
    return budgetOf(caller).map(b -> new Status(caller.id(), Optional.of(b), BigDecimal.ZERO, b.windowAt(clock.instant())));
  }

  /** The refusal of a call whose caller's budget is exhausted ({@code s}), counted as one. */
  public GatewayFailure refusal(Status s) {
    observer.budgetRefused();
    Instant now = clock.instant();
    Budget budget = s.budget().orElseThrow();
    return GatewayFailure.budgetExceeded("caller:" + s.callerId() + "/budget",
        "caller " + s.callerId() + " has spent " + s.spent().toPlainString() + " USD of its budget of "
            + budget + " (USD per fixed UTC window); the window resets at " + s.window().end()
            + ", or ask the gateway's operator to raise the budget",
        s.window().untilEnd(now),
        Map.of("caller", s.callerId(), "budget", budget.toString(),
            "spent", s.spent().toPlainString(), "windowReset", s.window().end().toString()));
  }

  /** Charges what a finished call cost, as OpenRouter reported it; no usage or no cost: nothing. */
  public void charge(Caller caller, Usage usage) {
    costOf(caller, usage).ifPresent(cost -> charge(caller.id(), cost));
  }

  /** What a call cost, as OpenRouter reported it: empty with no usage, no cost or a cost that is not a number. */
  public Optional<BigDecimal> costOf(Caller caller, Usage usage) {
    if (usage == null || usage.getCost().isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new BigDecimal(usage.getCost().trim()));
    } catch (NumberFormatException e) {
      log.warn("not charging caller {}: OpenRouter reported a cost that is not a number", caller.id());
      return Optional.empty();
    }
  }

  /** Reports a charge a ledger recorded by itself (with other work in one Redis round trip). */
  public void charged(String callerId, BigDecimal usd) {
    if (usd.signum() > 0) {
      observer.charged(labelCallers ? callerId : "all", usd);
    }
  }

  /** Charges {@code usd} to the caller now: safe from any thread, at any time after the call. */
  public void charge(String callerId, BigDecimal usd) {
    if (usd.signum() <= 0) {
      return;
    }
    try {
      ledger.charge(callerId, usd);
    } catch (RuntimeException e) { // the call is over: failing it now would help no one
      log.error("could not record a charge of {} USD to caller {}: {}", usd.toPlainString(), callerId, e.toString());
    }
    charged(callerId, usd);
  }
}
