package openrouter.gateway.server.spend;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * What each caller spent, in USD, per UTC day. Windows of any length are sums of whole days,
 * so changing a caller's budget never loses what it spent.
 *
 * <p>Amounts are exact decimals: the ledger counts whole picodollars (10<sup>-12</sup> USD,
 * finer than any price OpenRouter reports) in a {@code long}, never a float.
 */
public interface SpendLedger {
  /** Decimal places kept: amounts are rounded half-up to a picodollar. */
  int SCALE = 12;

  /**
   * Adds {@code usd} to the caller's spend on the current UTC day. Safe from any thread at any
   * time, including long after the call ended (a cost found later is charged when found).
   * Zero and negative amounts are ignored.
   */
  void charge(String callerId, BigDecimal usd);

  /** The caller's spend over the window's days. */
  BigDecimal spent(String callerId, Budget.Window window);

  /** An amount in whole picodollars; throws ArithmeticException beyond ±9.2 million USD. */
  static long picodollars(BigDecimal usd) {
    return usd.setScale(SCALE, RoundingMode.HALF_UP).unscaledValue().longValueExact();
  }

  static BigDecimal usd(long picodollars) {
    return BigDecimal.valueOf(picodollars, SCALE).stripTrailingZeros();
  }
}
