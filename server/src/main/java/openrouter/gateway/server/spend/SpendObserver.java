package openrouter.gateway.server.spend;

import java.math.BigDecimal;

/** What the budgets report to metrics. */
public interface SpendObserver {
  SpendObserver NONE = new SpendObserver() {};

  /** A charge; {@code callerLabel} is the caller id when callers are a bounded, configured set. */
  default void charged(String callerLabel, BigDecimal usd) {}

  /** A chat call refused because its caller's budget is spent. */
  default void budgetRefused() {}
}
