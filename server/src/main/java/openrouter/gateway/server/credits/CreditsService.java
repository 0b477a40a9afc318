package openrouter.gateway.server.credits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import openrouter.gateway.server.cache.CachedRead;
import openrouter.gateway.server.cache.SnapshotCache;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import openrouter.gateway.server.upstream.wire.CreditTotals;
import openrouter.gateway.server.upstream.wire.KeyInfo;
import openrouter.gateway.server.upstream.wire.OpenRouterError;
import openrouter.gateway.server.upstream.KeyFingerprint;
import openrouter.gateway.server.upstream.OpenRouterClient;
import openrouter.gateway.server.upstream.UpstreamGet;
import openrouter.gateway.v1.CreditsSource;
import openrouter.gateway.v1.GetKeyResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The balance ({@code GET /credits}) and key information ({@code GET /key}) of the key a call
 * spends, each in a {@link SnapshotCache} per key fingerprint.
 *
 * <p>OpenRouter answers {@code /credits} only for management keys. When it refuses the key
 * (401 or 403), the balance comes from {@code /key} instead (the key's own limit and usage),
 * and the answer says so in its {@code source} and {@code note}. A key refused with 403 is
 * remembered, so later reads go straight to {@code /key}.
 */
public final class CreditsService {
  static final Duration FETCH_TIMEOUT = Duration.ofSeconds(30);
  private static final Logger log = LoggerFactory.getLogger(CreditsService.class);

  private final OpenRouterClient client;
  private final SnapshotCache<CreditFigures> credits;
  private final SnapshotCache<GetKeyResponse> keys;
  private final LowBalanceAlarm alarm;
  /** Fingerprints of keys /credits refused with 403, and the note to show for them. */
  private final Cache<String, String> notManagementKeys = Caffeine.newBuilder().maximumSize(10_000).build();

  public CreditsService(
      OpenRouterClient client,
      SnapshotCache<CreditFigures> credits,
      SnapshotCache<GetKeyResponse> keys,
      LowBalanceAlarm alarm) {
    this.client = client;
    this.credits = credits;
    this.keys = keys;
    this.alarm = alarm;
  }

  /** The balance, with whether it is below the low-balance threshold. */
  public record Balance(CachedRead<CreditFigures> read, boolean low, Optional<BigDecimal> threshold) {}

  /** The balance of {@code callerKey} (or the gateway's key). */
  public CompletableFuture<Balance> balance(Optional<String> callerKey, boolean forceRefresh) {
    String identity = KeyFingerprint.of(callerKey, client.target());
    return credits.get(identity, forceRefresh, () -> fetchBalance(identity, callerKey))
        .thenApply(read -> new Balance(read, alarm.isLow(read.value().remaining()), alarm.threshold()));
  }

  /** The key information of {@code callerKey} (or the gateway's key). */
  public CompletableFuture<CachedRead<GetKeyResponse>> keyInfo(Optional<String> callerKey, boolean forceRefresh) {
    String identity = KeyFingerprint.of(callerKey, client.target());
    return keys.get(identity, forceRefresh,
        () -> KeyInfoMapper.toProto(UpstreamGet.keyInfo(client, callerKey, FETCH_TIMEOUT)).build());
  }

  /** The gateway key's balance as last read, for the health report; never calls upstream. */
  public Health health() {
    Optional<CachedRead<CreditFigures>> held =
        credits.peek(KeyFingerprint.of(Optional.empty(), client.target()));
    Optional<BigDecimal> remaining = held.flatMap(r -> r.value().remaining());
    return new Health(held.isPresent(), remaining, alarm.threshold(),
        held.isPresent() && !alarm.isLow(remaining), held.map(CachedRead::age));
  }

  /**
   * What the health report needs to know about the balance.
   *
   * @param known whether a balance young enough to serve is held
   * @param remaining USD left; empty when unknown or unlimited
   * @param threshold {@code OPENROUTER_LOW_BALANCE_USD}; empty when not configured
   * @param aboveThreshold known, and not below the threshold (or no threshold is set)
   * @param cacheAge age of the balance, when known
   */
  public record Health(
      boolean known,
      Optional<BigDecimal> remaining,
      Optional<BigDecimal> threshold,
      boolean aboveThreshold,
      Optional<Duration> cacheAge) {}

  private CreditFigures fetchBalance(String identity, Optional<String> callerKey) {
    CreditFigures figures = readBalance(identity, callerKey);
    alarm.observe(identity, figures.remaining());
    return figures;
  }

  private CreditFigures readBalance(String identity, Optional<String> callerKey) {
    String knownNote = notManagementKeys.getIfPresent(identity);
    if (knownNote != null) {
      return fromKey(callerKey, knownNote);
    }
    CreditTotals data;
    try {
      data = UpstreamGet.credits(client, callerKey, FETCH_TIMEOUT);
    } catch (GatewayFailure f) {
      int status = f.upstreamError().map(OpenRouterError::effectiveStatus).orElse(0);
      if (f.kind() != Kind.UPSTREAM_ERROR || (status != 401 && status != 403)) {
        throw f;
      }
      String note = "OpenRouter answered GET /credits with HTTP " + status + " (it needs a management"
          + " key); these figures are the key's own limit and usage from GET /key";
      if (status == 403) {
        notManagementKeys.put(identity, note);
        log.info("GET /credits refused key {} (not a management key); reading balances from GET /key",
            KeyFingerprint.shortForm(identity));
      }
      return fromKey(callerKey, note);
    }
    return new CreditFigures(data.totalCreditsText(), data.totalUsageText(),
        Optional.of(data.totalCredits().subtract(data.totalUsage())), CreditsSource.CREDITS_SOURCE_CREDITS_ENDPOINT, "");
  }

  private CreditFigures fromKey(Optional<String> callerKey, String note) {
    KeyInfo key = UpstreamGet.keyInfo(client, callerKey, FETCH_TIMEOUT);
    // No limit means no ceiling: the remaining balance is unlimited (empty).
    return new CreditFigures(key.limit(), key.usage(), key.limitRemainingValue(),
        CreditsSource.CREDITS_SOURCE_KEY_ENDPOINT, note);
  }
}
