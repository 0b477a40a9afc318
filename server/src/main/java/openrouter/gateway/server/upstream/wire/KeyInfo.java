package openrouter.gateway.server.upstream.wire;

import com.google.protobuf.Struct;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The {@code data} of OpenRouter's {@code GET /key} (api reference §5.2), read by {@link
 * AccountReads}. Amounts stay as OpenRouter wrote them ("" when missing or null).
 *
 * @param limitReset {@code limit_reset} when it is text
 * @param isManagementKey {@code is_management_key}, or its older name {@code is_provisioning_key}
 * @param allowedDataRegions the text entries of {@code allowed_data_regions}
 * @param limitRemainingValue {@code limit_remaining} as a number, when it is one
 * @param expiresAt {@code expires_at}, when it is an ISO instant
 * @param raw every field as sent, so a field OpenRouter adds reaches callers before it is named
 */
public record KeyInfo(
    String label,
    String limitReset,
    boolean includeByokInLimit,
    String usage,
    String usageDaily,
    String usageWeekly,
    String usageMonthly,
    String byokUsage,
    String byokUsageDaily,
    String byokUsageWeekly,
    String byokUsageMonthly,
    boolean isFreeTier,
    boolean isManagementKey,
    String creatorUserId,
    String workspaceId,
    String organizationId,
    List<String> allowedDataRegions,
    OptionalLong freeModelRequestsPerDay,
    String limit,
    String limitRemaining,
    Optional<BigDecimal> limitRemainingValue,
    Optional<Instant> expiresAt,
    Struct raw) {

  public KeyInfo {
    allowedDataRegions = List.copyOf(allowedDataRegions);
  }
}
