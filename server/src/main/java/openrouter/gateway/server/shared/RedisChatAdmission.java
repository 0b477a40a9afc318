package openrouter.gateway.server.shared;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.security.Caller;
import openrouter.gateway.server.security.CallerSlots;
import openrouter.gateway.server.security.ChatAdmission;
import openrouter.gateway.server.security.ConcurrencyLimits;
import openrouter.gateway.server.security.MethodFamily;
import openrouter.gateway.server.security.RateLimit;
import openrouter.gateway.server.security.RateLimiter;
import openrouter.gateway.server.spend.Budgets;
import openrouter.gateway.server.spend.SpendLedger;
import openrouter.gateway.v1.Usage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission with shared state: a chat call's rate-limit token, its caller's budget and a
 * concurrency lease are checked in one Redis round trip ({@link AdmissionScripts#ADMIT}), all
 * or nothing (a refused call takes no token and holds no lease), in the order of the in-memory
 * checks: rate limit, budget, the caller's slots, then this replica's slots
 * ({@code GATEWAY_MAX_CONCURRENT_STREAMS}, taken first, locally, so that a full replica asks
 * Redis only what to refuse). Its end (the charge and the lease's end) is one more round trip.
 * While Redis is unreachable: this replica's own buckets, slots and last-known spend (open
 * mode), or SHARED_STATE_UNAVAILABLE (closed).
 */
public final class RedisChatAdmission implements ChatAdmission {
  private static final Logger log = LoggerFactory.getLogger(RedisChatAdmission.class);
  private static final BigDecimal MAX_USD = SpendLedger.usd(Long.MAX_VALUE);

  private final SharedState state;
  private final RateLimiter rateLimiter;
  private final RedisRateLimitStore buckets;
  private final Budgets budgets;
  private final RedisSpendLedger ledger;
  private final RedisCallerSlots slots;
  private final ConcurrencyLimits limits;
  private final Runnable onRateLimited;

  /**
   * @param rateLimiter the limits, on {@code buckets}
   * @param onRateLimited counts a chat call refused by its rate limit
   */
  public RedisChatAdmission(SharedState state, RateLimiter rateLimiter, RedisRateLimitStore buckets, Budgets budgets,
      RedisSpendLedger ledger, RedisCallerSlots slots, ConcurrencyLimits limits, Runnable onRateLimited) {
    this.state = state;
    this.rateLimiter = rateLimiter;
    this.buckets = buckets;
    this.budgets = budgets;
    this.ledger = ledger;
    this.slots = slots;
    this.limits = limits;
    this.onRateLimited = onRateLimited;
  }

  @Override
  public void countInvalid(Caller caller) {
    rateLimiter.tryAcquire(caller, MethodFamily.CHAT).ifPresent(r -> {
      onRateLimited.run();
      throw r.failure(caller);
    });
  }

  @Override
  public Admitted admit(Caller caller, boolean spends) {
    boolean replicaSlot = limits.tryTakeTotal();
    try {
      Lease lease = check(caller, spends, replicaSlot);
      if (!replicaSlot) {
        throw limits.overloaded(); // nothing was taken in Redis
      }
      return new SharedAdmitted(caller, spends, lease);
    } catch (RuntimeException refused) {
      if (replicaSlot) {
        limits.releaseTotal();
      }
      throw refused;
    }
  }

  /** The caller's slot: a lease in Redis ({@code member} of {@code key}), or this replica's own during an outage. */
  private record Lease(String key, String member, Optional<CallerSlots.Held> local) {
    static final Lease NONE = new Lease(null, null, Optional.empty());
  }

  /** Takes (when {@code take}) or only checks the token, the budget and the lease; throws the refusal. */
  private Lease check(Caller caller, boolean spends, boolean take) {
    Optional<RateLimit> rate = spends ? rateLimiter.limitOf(caller, MethodFamily.CHAT) : Optional.empty();
    Optional<Budgets.Status> budget = spends ? budgets.budgetNow(caller) : Optional.empty();
    int slotLimit = caller.anonymous() ? 0 : limits.limitFor(caller);
    if (rate.isEmpty() && budget.isEmpty() && slotLimit == 0) {
      return Lease.NONE; // nothing shared to check
    }
    String slotsKey = slots.key(caller.id());
    String member = slots.newMember();
    List<String> dayKeys = budget.map(b -> ledger.dayKeys(caller.id(), b.window())).orElse(List.of());
    // Charges this replica has not stored yet (kept during an outage) count too.
    String budgetPicodollars = budget.map(b -> Long.toString(Math.max(0, Math.subtractExact(
        picodollars(b.budget().orElseThrow().usd()), ledger.notYetStored(caller.id(), b.window())))))
        .orElse("");
    AdmissionScripts.Request request = new AdmissionScripts.Request(
        rate.map(r -> buckets.key(caller.id(), MethodFamily.CHAT, r)).orElse(slotsKey),
        rate.map(RateLimit::requests).orElse(0L), rate.map(r -> r.period().toMillis()).orElse(0L),
        slotsKey, slotLimit, slots.leaseMs(), member, dayKeys, budgetPicodollars, take);
    // Redis's answer (a failure inside call() would count as Redis's own)
    AdmissionScripts.Answer a = state.call("chat_admit", redis -> AdmissionScripts.admit(redis, request), () -> null, false);
    if (a == null) {
      return checkLocally(caller, rate, budget, slotLimit);
    }
    switch (a.code()) {
      case AdmissionScripts.RATE_LIMITED -> throw rateLimited(caller, rate.orElseThrow(),
          Duration.ofNanos(Math.multiplyExact(a.retryMicros(), 1000L)));
      case AdmissionScripts.BUDGET_SPENT -> throw budgetSpent(budget.orElseThrow(), Math.addExact(
          ledger.seen(caller.id(), budget.get().window(), a.days()), ledger.notYetStored(caller.id(), budget.get().window())));
      case AdmissionScripts.SLOTS_FULL -> throw limits.callerFull(caller);
      default -> {
        budget.ifPresent(b -> ledger.seen(caller.id(), b.window(), a.days()));
        if (take && slotLimit > 0) {
          slots.track(member, slotsKey);
          return new Lease(slotsKey, member, Optional.empty());
        }
        return Lease.NONE;
      }
    }
  }

  /** Open mode while Redis is unreachable: this replica's own buckets, last-known spend and slots. */
  private Lease checkLocally(Caller caller, Optional<RateLimit> rate, Optional<Budgets.Status> budget, int slotLimit) {
    if (rate.isPresent()) {
      var probe = buckets.tryConsumeLocally(caller.id(), MethodFamily.CHAT, rate.get());
      if (!probe.isConsumed()) {
        throw rateLimited(caller, rate.get(), Duration.ofNanos(probe.getNanosToWaitForRefill()));
      }
    }
    if (budget.isPresent()) {
      long spent = ledger.spentLocally(caller.id(), budget.get().window());
      if (spent >= picodollars(budget.get().budget().orElseThrow().usd())) {
        throw budgetSpent(budget.get(), spent);
      }
    }
    if (slotLimit == 0) {
      return Lease.NONE;
    }
    Optional<CallerSlots.Held> local = slots.tryAcquireLocally(caller.id(), slotLimit);
    if (local.isEmpty()) {
      throw limits.callerFull(caller);
    }
    return new Lease(null, null, local);
  }

  /** A budget in picodollars; one beyond what a long holds (9.2 million USD) is as good as unlimited. */
  private static long picodollars(BigDecimal usd) {
    return usd.compareTo(MAX_USD) >= 0 ? Long.MAX_VALUE : SpendLedger.picodollars(usd);
  }

  private GatewayFailure rateLimited(Caller caller, RateLimit limit, Duration retryAfter) {
    onRateLimited.run();
    return new RateLimiter.Rejection(MethodFamily.CHAT, limit, retryAfter).failure(caller);
  }

  private GatewayFailure budgetSpent(Budgets.Status budget, long spentPicodollars) {
    return budgets.refusal(new Budgets.Status(budget.callerId(), budget.budget(), SpendLedger.usd(spentPicodollars),
        budget.window()));
  }

  /** An admitted call: its end charges the cost and ends the lease in one round trip. */
  private final class SharedAdmitted implements Admitted {
    private final Caller caller;
    private final boolean spends;
    private final Lease lease;
    private boolean ended;
    private boolean closed;

    SharedAdmitted(Caller caller, boolean spends, Lease lease) {
      this.caller = caller;
      this.spends = spends;
      this.lease = lease;
    }

    @Override
    public synchronized void end(Usage usage) {
      if (ended) {
        return;
      }
      ended = true;
      Optional<BigDecimal> cost = spends ? budgets.costOf(caller, usage).filter(c -> c.signum() > 0) : Optional.empty();
      try {
        long picodollars = cost.map(SpendLedger::picodollars).orElse(0L);
        if (picodollars > 0 || lease.member() != null) {
          ledger.chargeAndEndLease("chat_end", caller.id(), picodollars, lease.key(), lease.member());
        }
      } catch (RuntimeException e) { // the call is over: failing it now would help no one
        log.error("could not record a charge of {} USD to caller {}: {}",
            cost.map(BigDecimal::toPlainString).orElse("0"), caller.id(), e.toString());
      } finally {
        if (lease.member() != null) {
          slots.forget(lease.member());
        }
        lease.local().ifPresent(CallerSlots.Held::release);
      }
      cost.ifPresent(c -> budgets.charged(caller.id(), c));
    }

    @Override
    public synchronized void close() {
      end(null);
      if (!closed) {
        closed = true;
        limits.releaseTotal();
      }
    }
  }
}
