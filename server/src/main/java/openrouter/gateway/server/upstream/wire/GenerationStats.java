package openrouter.gateway.server.upstream.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Struct;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import openrouter.gateway.server.json.Decimals;
import openrouter.gateway.server.json.StructJson;

/**
 * The {@code data} of {@code GET /generation?id=...} (api reference §5.3): what one completion
 * cost and took. Counts that are missing or not numbers are 0; {@code raw} holds every field.
 *
 * @param totalCost the exact decimal text OpenRouter sent, "" when missing
 * @param createdAt {@code created_at}, when it is an ISO instant
 */
public record GenerationStats(
    String id,
    String model,
    String providerName,
    String totalCost,
    int tokensPrompt,
    int tokensCompletion,
    int nativeTokensPrompt,
    int nativeTokensCompletion,
    int nativeTokensReasoning,
    int nativeTokensCached,
    long latencyMs,
    long generationTimeMs,
    boolean streamed,
    boolean cancelled,
    String finishReason,
    String nativeFinishReason,
    boolean isByok,
    Optional<Instant> createdAt,
    Struct raw) {

  /** Reads the answer's {@code data}; UPSTREAM_MALFORMED when it is not an object. */
  public static GenerationStats parse(JsonNode body) {
    JsonNode d = body.path("data");
    if (!d.isObject()) {
      throw GatewayFailure.of(Kind.UPSTREAM_MALFORMED, "GET /generation returned no data object");
    }
    JsonNode created = d.get("created_at");
    Optional<Instant> createdAt = Optional.empty();
    if (created != null && created.isTextual()) {
      try {
        createdAt = Optional.of(Instant.parse(created.asText()));
      } catch (DateTimeParseException unreadable) {
        // left unset; the raw value is in raw
      }
    }
    return new GenerationStats(
        d.path("id").asText(""),
        text(d.get("model")),
        text(d.get("provider_name")),
        Decimals.text(d.get("total_cost")),
        d.path("tokens_prompt").asInt(0),
        d.path("tokens_completion").asInt(0),
        d.path("native_tokens_prompt").asInt(0),
        d.path("native_tokens_completion").asInt(0),
        d.path("native_tokens_reasoning").asInt(0),
        d.path("native_tokens_cached").asInt(0),
        d.path("latency").asLong(0),
        d.path("generation_time").asLong(0),
        d.path("streamed").asBoolean(false),
        d.path("cancelled").asBoolean(false),
        text(d.get("finish_reason")),
        text(d.get("native_finish_reason")),
        d.path("is_byok").asBoolean(false),
        createdAt,
        StructJson.toStruct(d));
  }

  private static String text(JsonNode node) {
    return node == null || node.isNull() ? "" : node.asText();
  }
}
