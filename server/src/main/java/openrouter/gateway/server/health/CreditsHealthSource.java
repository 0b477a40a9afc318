package openrouter.gateway.server.health;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;

/**
 * The credits cache's state, for the detailed health report and the cache-age metric.
 *
 * <p>MERGE POINT: the credits cache implements this and is passed to {@code Gateway} in place of
 * {@link #NOT_WIRED}. It must answer from memory, at once.
 */
public interface CreditsHealthSource {
  /** Until the credits cache is wired in: the report leaves the credits section unset. */
  CreditsHealthSource NOT_WIRED = Optional::empty;

  /** The balance's state; empty when this gateway tracks no balance. */
  Optional<CreditsStatus> status();

  /**
   * @param remaining USD left; empty when unknown or unlimited
   * @param lowBalanceThreshold USD; empty when none is configured
   * @param cacheAge age of the cached balance; empty when none is cached
   */
  record CreditsStatus(
      Optional<BigDecimal> remaining, Optional<BigDecimal> lowBalanceThreshold, Optional<Duration> cacheAge) {
    /** Known and not below the threshold, or no threshold to be below. */
    public boolean aboveThreshold() {
      if (lowBalanceThreshold.isEmpty() || remaining.isEmpty()) {
        return true;
      }
      return remaining.get().compareTo(lowBalanceThreshold.get()) >= 0;
    }
  }
}
