package openrouter.gateway.server.credits;

import com.google.protobuf.util.Timestamps;
import openrouter.gateway.server.upstream.wire.KeyInfo;
import openrouter.gateway.v1.GetKeyResponse;

/** Maps OpenRouter's {@code GET /key} ({@link KeyInfo}, read in upstream/wire) to {@link GetKeyResponse}. */
public final class KeyInfoMapper {
  private KeyInfoMapper() {}

  /** Everything but the cache info. Amounts stay as OpenRouter wrote them. */
  public static GetKeyResponse.Builder toProto(KeyInfo d) {
    GetKeyResponse.Builder b = GetKeyResponse.newBuilder()
        .setLabel(d.label())
        .setLimitReset(d.limitReset())
        .setIncludeByokInLimit(d.includeByokInLimit())
        .setUsage(d.usage())
        .setUsageDaily(d.usageDaily())
        .setUsageWeekly(d.usageWeekly())
        .setUsageMonthly(d.usageMonthly())
        .setByokUsage(d.byokUsage())
        .setByokUsageDaily(d.byokUsageDaily())
        .setByokUsageWeekly(d.byokUsageWeekly())
        .setByokUsageMonthly(d.byokUsageMonthly())
        .setIsFreeTier(d.isFreeTier())
        .setIsManagementKey(d.isManagementKey());
    b.setCreatorUserId(d.creatorUserId())
        .setWorkspaceId(d.workspaceId())
        .setOrganizationId(d.organizationId())
        .addAllAllowedDataRegions(d.allowedDataRegions());
    d.freeModelRequestsPerDay().ifPresent(b::setFreeModelRequestsPerDay);
    b.setRaw(d.raw());
    if (!d.limit().isEmpty()) {
      b.setLimit(d.limit());
    }
    if (!d.limitRemaining().isEmpty()) {
      b.setLimitRemaining(d.limitRemaining());
    }
    d.expiresAt().ifPresent(at -> b.setExpiresAt(Timestamps.fromMillis(at.toEpochMilli())));
    return b;
  }
}
