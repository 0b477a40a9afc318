package openrouter.gateway.server.upstream.wire;

import java.math.BigDecimal;

/**
 * The {@code data} of OpenRouter's {@code GET /credits} (management keys only), read by {@link
 * AccountReads}: the amounts exactly as written and as numbers.
 */
public record CreditTotals(String totalCreditsText, String totalUsageText, BigDecimal totalCredits,
    BigDecimal totalUsage) {}
