package openrouter.gateway.server.security;

import openrouter.gateway.server.spend.Budgets;
import openrouter.gateway.v1.Usage;

/**
 * Admission on this replica's own state, in the order the checks have always run: the rate
 * limit is taken before the call is read ({@code CallerInterceptor}), then the budget, then a
 * slot. A call refused by its budget or its slots has spent its token.
 */
public final class LocalChatAdmission implements ChatAdmission {
  private final Budgets budgets;
  private final ConcurrencyLimits limits;

  public LocalChatAdmission(Budgets budgets, ConcurrencyLimits limits) {
    this.budgets = budgets;
    this.limits = limits;
  }

  @Override
  public Admitted admit(Caller caller, boolean spends) {
    if (spends) {
      budgets.checkCanStart(caller);
    }
    ConcurrencyLimits.Slot slot = limits.acquire(caller);
    return new Admitted() {
      private boolean ended;

      @Override
      public synchronized void end(Usage usage) {
        if (!ended) {
          ended = true;
          if (spends) {
            budgets.charge(caller, usage);
          }
        }
      }

      @Override
      public void close() {
        end(null);
        slot.close();
      }
    };
  }

  @Override
  public void countInvalid(Caller caller) {
    // The interceptor took this call's token before the call was read.
  }
}
