package openrouter.gateway.server.credits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.math.BigDecimal;
import java.util.Optional;
import openrouter.gateway.server.upstream.KeyFingerprint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The low-balance threshold ({@code OPENROUTER_LOW_BALANCE_USD}). It logs a warning once each
 * time a key's balance crosses below the threshold, and re-arms when the balance is back at or
 * above it, so a balance that stays low does not flood the log.
 */
public final class LowBalanceAlarm {
  private static final Logger log = LoggerFactory.getLogger(LowBalanceAlarm.class);

  private final Optional<BigDecimal> threshold;
  /** Per key fingerprint: true while its last known balance was below the threshold. */
  private final Cache<String, Boolean> below = Caffeine.newBuilder().maximumSize(10_000).build();

  public LowBalanceAlarm(Optional<BigDecimal> threshold) {
    this.threshold = threshold;
  }

  public Optional<BigDecimal> threshold() {
    return threshold;
  }

  /** Whether a balance is below the threshold; an unlimited balance never is. */
  public boolean isLow(Optional<BigDecimal> remaining) {
    return threshold.isPresent() && remaining.isPresent() && remaining.get().compareTo(threshold.get()) < 0;
  }

  /**
   * Records a freshly read balance of the key {@code fingerprint}; logs on a crossing.
   *
   * @return whether the balance is low
   */
  public boolean observe(String fingerprint, Optional<BigDecimal> remaining) {
    boolean low = isLow(remaining);
    if (threshold.isEmpty()) {
      return false;
    }
    Boolean wasLow = below.asMap().put(fingerprint, low);
    if (low && !Boolean.TRUE.equals(wasLow)) {
      log.warn("OpenRouter balance is low: {} USD left, below OPENROUTER_LOW_BALANCE_USD={} (key {})",
          remaining.get().toPlainString(), threshold.get().toPlainString(), KeyFingerprint.shortForm(fingerprint));
    } else if (!low && Boolean.TRUE.equals(wasLow)) {
      log.info("OpenRouter balance is back at or above OPENROUTER_LOW_BALANCE_USD={} (key {})",
          threshold.get().toPlainString(), KeyFingerprint.shortForm(fingerprint));
    }
    return low;
  }
}
