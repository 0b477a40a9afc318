package openrouter.gateway.server.models;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import openrouter.gateway.server.json.Decimals;
import openrouter.gateway.server.json.StructJson;
import openrouter.gateway.v1.AliasTarget;
import openrouter.gateway.v1.Architecture;
import openrouter.gateway.v1.Model;
import openrouter.gateway.v1.ModelPricing;
import openrouter.gateway.v1.PerRequestLimits;
import openrouter.gateway.v1.ReasoningCapabilities;
import openrouter.gateway.v1.TopProvider;

/**
 * Maps one model object of OpenRouter's {@code GET /models} (api reference §4.1) to {@link
 * Model}. Lenient: a missing or null field is left unset, a field of an unexpected type is
 * kept as its text, and every field, named or not, is also in {@code raw}.
 *
 * <p>Prices stay the decimal strings OpenRouter sent ({@code "0.0000025"}, {@code "-1"}); a
 * price sent as a JSON number is written in plain decimal notation, never through a double
 * (parse with {@link openrouter.gateway.server.json.Json#mapper()}, which reads floats as
 * BigDecimal).
 */
public final class ModelJson {
  private static final List<String> PRICE_FIELDS = List.of(
      "prompt", "completion", "request", "image", "web_search", "internal_reasoning",
      "input_cache_read", "input_cache_write", "input_cache_write_1h", "audio", "audio_output",
      "image_output", "image_token", "input_audio_cache", "discount");

  private ModelJson() {}

  public static Model fromJson(JsonNode m) {
    Model.Builder b = Model.newBuilder()
        .setId(text(m.get("id")))
        .setCanonicalSlug(text(m.get("canonical_slug")))
        .setName(text(m.get("name")))
        .setCreated(m.path("created").asLong(0))
        .setDescription(text(m.get("description")))
        .setExpirationDate(text(m.get("expiration_date")))
        .setKnowledgeCutoff(text(m.get("knowledge_cutoff")))
        .setHuggingFaceId(text(m.get("hugging_face_id")))
        .addAllSupportedParameters(strings(m.get("supported_parameters")))
        .addAllSupportedVoices(strings(m.get("supported_voices")))
        .setRaw(StructJson.toStruct(m));
    if (isNumber(m.get("context_length"))) {
      b.setContextLength(m.get("context_length").asLong());
    }
    JsonNode arch = m.get("architecture");
    if (isObject(arch)) {
      b.setArchitecture(Architecture.newBuilder()
          .setModality(text(arch.get("modality")))
          .addAllInputModalities(strings(arch.get("input_modalities")))
          .addAllOutputModalities(strings(arch.get("output_modalities")))
          .setTokenizer(text(arch.get("tokenizer")))
          .setInstructType(text(arch.get("instruct_type"))));
    }
    JsonNode pricing = m.get("pricing");
    if (isObject(pricing)) {
      b.setPricing(pricing(pricing));
    }
    JsonNode top = m.get("top_provider");
    if (isObject(top)) {
      TopProvider.Builder t = TopProvider.newBuilder()
          .setIsModerated(top.path("is_moderated").asBoolean(false));
      if (isNumber(top.get("context_length"))) {
        t.setContextLength(top.get("context_length").asLong());
      }
      if (isNumber(top.get("max_completion_tokens"))) {
        t.setMaxCompletionTokens(top.get("max_completion_tokens").asLong());
      }
      b.setTopProvider(t);
    }
    JsonNode limits = m.get("per_request_limits");
    if (isObject(limits)) {
      b.setPerRequestLimits(PerRequestLimits.newBuilder()
          .setPromptTokens(limits.path("prompt_tokens").asLong(0))
          .setCompletionTokens(limits.path("completion_tokens").asLong(0)));
    }
    JsonNode defaults = m.get("default_parameters");
    if (isObject(defaults)) {
      b.setDefaultParameters(StructJson.toStruct(defaults));
    }
    JsonNode reasoning = m.get("reasoning");
    if (isObject(reasoning)) {
      b.setReasoning(ReasoningCapabilities.newBuilder()
          .addAllSupportedEfforts(strings(reasoning.get("supported_efforts")))
          .setDefaultEffort(text(reasoning.get("default_effort")))
          .setDefaultEnabled(reasoning.path("default_enabled").asBoolean(false))
          .setMandatory(reasoning.path("mandatory").asBoolean(false))
          .setSupportsMaxTokens(reasoning.path("supports_max_tokens").asBoolean(false)));
    }
    JsonNode alias = m.get("alias_target");
    if (isObject(alias)) {
      b.setAliasTarget(AliasTarget.newBuilder()
          .setSlug(text(alias.get("slug")))
          .setName(text(alias.get("name"))));
    }
    JsonNode benchmarks = m.get("benchmarks");
    if (isObject(benchmarks)) {
      b.setBenchmarks(StructJson.toStruct(benchmarks));
    }
    return b.build();
  }

  /** A {@code pricing} object (a model's or an endpoint's) as decimal strings. */
  public static ModelPricing pricing(JsonNode p) {
    ModelPricing.Builder b = ModelPricing.newBuilder();
    var descriptor = ModelPricing.getDescriptor();
    for (String field : PRICE_FIELDS) {
      b.setField(descriptor.findFieldByName(field), Decimals.text(p.get(field)));
    }
    JsonNode overrides = p.get("overrides");
    if (overrides != null && overrides.isArray()) {
      for (JsonNode o : overrides) {
        if (o.isObject()) {
          b.addOverrides(StructJson.toStruct(o));
        }
      }
    }
    return b.build();
  }

  private static String text(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return "";
    }
    return node.isValueNode() ? node.asText() : node.toString();
  }

  private static List<String> strings(JsonNode node) {
    if (node == null || !node.isArray()) {
      return List.of();
    }
    java.util.ArrayList<String> out = new java.util.ArrayList<>(node.size());
    for (JsonNode item : node) {
      if (!item.isNull()) {
        out.add(text(item));
      }
    }
    return out;
  }

  private static boolean isObject(JsonNode node) {
    return node != null && node.isObject();
  }

  private static boolean isNumber(JsonNode node) {
    return node != null && node.isNumber();
  }
}
