package openrouter.gateway.server.credits;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.util.Timestamps;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import openrouter.gateway.server.json.Decimals;
import openrouter.gateway.server.json.StructJson;
import openrouter.gateway.v1.GetKeyResponse;

/** Maps the {@code data} of OpenRouter's {@code GET /key} (api reference §5.2) to {@link GetKeyResponse}. */
public final class KeyInfoJson {
  private KeyInfoJson() {}

  /** Everything but the cache info. Amounts stay as OpenRouter wrote them. */
  public static GetKeyResponse.Builder fromJson(JsonNode d) {
    GetKeyResponse.Builder b = GetKeyResponse.newBuilder()
        .setLabel(d.path("label").asText(""))
        .setLimitReset(d.path("limit_reset").isTextual() ? d.path("limit_reset").asText() : "")
        .setIncludeByokInLimit(d.path("include_byok_in_limit").asBoolean(false))
        .setUsage(Decimals.text(d.get("usage")))
        .setUsageDaily(Decimals.text(d.get("usage_daily")))
        .setUsageWeekly(Decimals.text(d.get("usage_weekly")))
        .setUsageMonthly(Decimals.text(d.get("usage_monthly")))
        .setByokUsage(Decimals.text(d.get("byok_usage")))
        .setByokUsageDaily(Decimals.text(d.get("byok_usage_daily")))
        .setByokUsageWeekly(Decimals.text(d.get("byok_usage_weekly")))
        .setByokUsageMonthly(Decimals.text(d.get("byok_usage_monthly")))
        .setIsFreeTier(d.path("is_free_tier").asBoolean(false))
        // is_provisioning_key is the older name of the same flag.
        .setIsManagementKey(d.path("is_management_key").asBoolean(false)
            || d.path("is_provisioning_key").asBoolean(false));
    b.setCreatorUserId(d.path("creator_user_id").asText(""))
        .setWorkspaceId(d.path("workspace_id").asText(""))
        .setOrganizationId(d.path("organization_id").asText(""));
    for (JsonNode region : d.path("allowed_data_regions")) {
      if (region.isTextual()) {
        b.addAllowedDataRegions(region.asText());
      }
    }
    if (d.path("free_model_requests_per_day").canConvertToLong()) {
      b.setFreeModelRequestsPerDay(d.path("free_model_requests_per_day").asLong());
    }
    // Every field as sent, so a field OpenRouter adds reaches callers before this class names it.
    if (d.isObject()) {
      b.setRaw(StructJson.toStruct(d));
    }
    String limit = Decimals.text(d.get("limit"));
    if (!limit.isEmpty()) {
      b.setLimit(limit);
    }
    String limitRemaining = Decimals.text(d.get("limit_remaining"));
    if (!limitRemaining.isEmpty()) {
      b.setLimitRemaining(limitRemaining);
    }
    JsonNode expires = d.get("expires_at");
    if (expires != null && expires.isTextual()) {
      try {
        b.setExpiresAt(Timestamps.fromMillis(Instant.parse(expires.asText()).toEpochMilli()));
      } catch (DateTimeParseException unreadable) {
        // left unset: the raw value is not a time we can pass on faithfully
      }
    }
    return b;
  }
}
