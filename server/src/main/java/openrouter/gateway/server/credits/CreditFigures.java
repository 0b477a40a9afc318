package openrouter.gateway.server.credits;

import java.math.BigDecimal;
import java.util.Optional;
import openrouter.gateway.v1.CreditsSource;

/**
 * A balance as read from OpenRouter. Amounts are USD, kept as OpenRouter wrote them; the
 * remaining balance is computed exactly.
 *
 * @param totalCredits credits bought ({@code /credits}), or the key's limit ({@code /key}; ""
 *     when the key has none)
 * @param totalUsage credits used
 * @param remaining credits left; empty when unlimited (a key without a limit)
 * @param source where the figures came from
 * @param note why {@code /key} was used instead of {@code /credits}; "" otherwise
 */
public record CreditFigures(
    String totalCredits,
    String totalUsage,
    Optional<BigDecimal> remaining,
    CreditsSource source,
    String note) {}
