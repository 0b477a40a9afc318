package openrouter.gateway.server.upstream.wire;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import openrouter.gateway.server.json.Decimals;
import openrouter.gateway.server.json.StructJson;

/** Reads the {@code data} of {@code GET /key} and {@code GET /credits}. */
public final class AccountReads {
  private AccountReads() {}

  /** {@code GET /key}'s data; UPSTREAM_MALFORMED when it is not an object. */
  public static KeyInfo keyInfo(JsonNode data) {
    JsonNode d = object(data, "/key");
    List<String> regions = new ArrayList<>();
    for (JsonNode region : d.path("allowed_data_regions")) {
      if (region.isTextual()) {
        regions.add(region.asText());
      }
    }
    return new KeyInfo(
        d.path("label").asText(""),
        d.path("limit_reset").isTextual() ? d.path("limit_reset").asText() : "",
        d.path("include_byok_in_limit").asBoolean(false),
        Decimals.text(d.get("usage")),
        Decimals.text(d.get("usage_daily")),
        Decimals.text(d.get("usage_weekly")),
        Decimals.text(d.get("usage_monthly")),
        Decimals.text(d.get("byok_usage")),
        Decimals.text(d.get("byok_usage_daily")),
        Decimals.text(d.get("byok_usage_weekly")),
        Decimals.text(d.get("byok_usage_monthly")),
        d.path("is_free_tier").asBoolean(false),
        d.path("is_management_key").asBoolean(false) || d.path("is_provisioning_key").asBoolean(false),
        d.path("creator_user_id").asText(""),
        d.path("workspace_id").asText(""),
        d.path("organization_id").asText(""),
        regions,
        d.path("free_model_requests_per_day").canConvertToLong()
            ? OptionalLong.of(d.path("free_model_requests_per_day").asLong()) : OptionalLong.empty(),
        Decimals.text(d.get("limit")),
        Decimals.text(d.get("limit_remaining")),
        Decimals.value(d.get("limit_remaining")),
        instant(d.get("expires_at")),
        StructJson.toStruct(d));
  }

  /**
   * {@code GET /credits}' data; UPSTREAM_MALFORMED when it is not an object or lacks either
   * amount.
   */
  public static CreditTotals credits(JsonNode data) {
    JsonNode d = object(data, "/credits");
    Optional<BigDecimal> total = Decimals.value(d.get("total_credits"));
    Optional<BigDecimal> usage = Decimals.value(d.get("total_usage"));
    if (total.isEmpty() || usage.isEmpty()) {
      throw GatewayFailure.of(Kind.UPSTREAM_MALFORMED, "GET /credits returned no total_credits or total_usage");
    }
    return new CreditTotals(Decimals.text(d.get("total_credits")), Decimals.text(d.get("total_usage")),
        total.get(), usage.get());
  }

  private static Optional<Instant> instant(JsonNode n) {
    if (n == null || !n.isTextual()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(n.asText()));
    } catch (DateTimeParseException unreadable) {
      return Optional.empty(); // not a time that can be passed on faithfully
    }
  }

  private static JsonNode object(JsonNode data, String path) {
    if (!data.isObject()) {
      throw GatewayFailure.of(Kind.UPSTREAM_MALFORMED, "GET " + path + " returned data that is not an object");
    }
    return data;
  }
}
