package openrouter.gateway.server.upstream.wire;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import openrouter.gateway.server.json.Decimals;
import openrouter.gateway.server.json.OpenRouterJson;
import openrouter.gateway.server.json.StructJson;

/**
 * Reads the model reads: {@code GET /models}, {@code GET /models/{id}/endpoints} and {@code GET
 * /providers}. Prices are read without passing through a double (parse with {@link
 * OpenRouterJson#mapper()}, which reads floats as BigDecimal).
 */
public final class ModelListings {
  /** The price fields of a {@code pricing} object, as OpenRouter names them. */
  public static final List<String> PRICE_FIELDS = List.of(
      "prompt", "completion", "request", "image", "web_search", "internal_reasoning",
      "input_cache_read", "input_cache_write", "input_cache_write_1h", "audio", "audio_output",
      "image_output", "image_token", "input_audio_cache", "discount");

  private ModelListings() {}

  /** The {@code data} array of {@code GET /models}; fails on anything else. */
  public static ModelListing listing(JsonNode data) {
    if (!data.isArray()) {
      throw GatewayFailure.of(Kind.UPSTREAM_MALFORMED, "GET /models returned no data array");
    }
    List<ModelEntry> models = new ArrayList<>(data.size());
    int skipped = 0;
    for (JsonNode entry : data) {
      if (entry.isObject() && entry.path("id").isTextual() && !entry.path("id").asText().isEmpty()) {
        models.add(model(entry));
      } else {
        skipped++;
      }
    }
    return new ModelListing(models, skipped, contentId(data));
  }

  /** One model object. */
  public static ModelEntry model(JsonNode m) {
    JsonNode arch = m.get("architecture");
    JsonNode pricing = m.get("pricing");
    JsonNode top = m.get("top_provider");
    JsonNode limits = m.get("per_request_limits");
    JsonNode defaults = m.get("default_parameters");
    JsonNode reasoning = m.get("reasoning");
    JsonNode alias = m.get("alias_target");
    JsonNode benchmarks = m.get("benchmarks");
    return new ModelEntry(
        text(m.get("id")),
        text(m.get("canonical_slug")),
        text(m.get("name")),
        m.path("created").asLong(0),
        text(m.get("description")),
        text(m.get("expiration_date")),
        text(m.get("knowledge_cutoff")),
        text(m.get("hugging_face_id")),
        strings(m.get("supported_parameters")),
        strings(m.get("supported_voices")),
        number(m.get("context_length")),
        isObject(arch) ? Optional.of(new ModelEntry.Architecture(text(arch.get("modality")),
            strings(arch.get("input_modalities")), strings(arch.get("output_modalities")),
            text(arch.get("tokenizer")), text(arch.get("instruct_type")))) : Optional.empty(),
        isObject(pricing) ? Optional.of(pricing(pricing)) : Optional.empty(),
        isObject(top) ? Optional.of(new ModelEntry.TopProvider(top.path("is_moderated").asBoolean(false),
            number(top.get("context_length")), number(top.get("max_completion_tokens")))) : Optional.empty(),
        isObject(limits) ? Optional.of(new ModelEntry.PerRequestLimits(limits.path("prompt_tokens").asLong(0),
            limits.path("completion_tokens").asLong(0))) : Optional.empty(),
        isObject(defaults) ? Optional.of(StructJson.toStruct(defaults)) : Optional.empty(),
        isObject(reasoning) ? Optional.of(new ModelEntry.Reasoning(strings(reasoning.get("supported_efforts")),
            text(reasoning.get("default_effort")), reasoning.path("default_enabled").asBoolean(false),
            reasoning.path("mandatory").asBoolean(false), reasoning.path("supports_max_tokens").asBoolean(false)))
            : Optional.empty(),
        isObject(alias) ? Optional.of(new ModelEntry.AliasTarget(text(alias.get("slug")), text(alias.get("name"))))
            : Optional.empty(),
        isObject(benchmarks) ? Optional.of(StructJson.toStruct(benchmarks)) : Optional.empty(),
        StructJson.toStruct(m));
  }

  /** A {@code pricing} object as decimal strings. */
  static ModelEntry.Pricing pricing(JsonNode p) {
    Map<String, String> prices = new LinkedHashMap<>();
    for (String field : PRICE_FIELDS) {
      prices.put(field, Decimals.text(p.get(field)));
    }
    List<com.google.protobuf.Struct> overrides = new ArrayList<>();
    JsonNode list = p.get("overrides");
    if (list != null && list.isArray()) {
      for (JsonNode o : list) {
        if (o.isObject()) {
          overrides.add(StructJson.toStruct(o));
        }
      }
    }
    return new ModelEntry.Pricing(prices, overrides);
  }

  /** The {@code data} of the endpoints answer. */
  public static EndpointList endpoints(JsonNode data) {
    JsonNode endpoints = data.get("endpoints");
    if (!data.isObject() || endpoints == null || !endpoints.isArray()) {
      throw GatewayFailure.of(Kind.UPSTREAM_MALFORMED, "GET /models/{id}/endpoints returned no endpoints array");
    }
    List<EndpointList.Endpoint> out = new ArrayList<>();
    for (JsonNode e : endpoints) {
      if (e.isObject()) {
        out.add(endpoint(e));
      }
    }
    return new EndpointList(data.path("id").asText(""), data.path("name").asText(""), out);
  }

  private static EndpointList.Endpoint endpoint(JsonNode e) {
    List<String> parameters = new ArrayList<>();
    for (JsonNode p : e.path("supported_parameters")) {
      if (p.isTextual()) {
        parameters.add(p.asText());
      }
    }
    JsonNode status = e.get("status");
    return new EndpointList.Endpoint(
        e.path("name").asText(""),
        e.path("model_id").asText(""),
        e.path("model_name").asText(""),
        e.path("provider_name").asText(""),
        e.path("tag").asText(""),
        e.path("quantization").isTextual() ? e.path("quantization").asText() : "",
        e.path("supports_implicit_caching").asBoolean(false),
        whole(e.path("context_length")),
        whole(e.path("max_completion_tokens")),
        whole(e.path("max_prompt_tokens")),
        e.path("pricing").isObject() ? Optional.of(pricing(e.path("pricing"))) : Optional.empty(),
        parameters,
        status != null && status.canConvertToInt() ? OptionalInt.of(status.asInt()) : OptionalInt.empty(),
        decimal(e.path("uptime_last_5m")),
        decimal(e.path("uptime_last_30m")),
        decimal(e.path("uptime_last_1d")),
        percentiles(e.get("latency_last_30m")),
        percentiles(e.get("throughput_last_30m")));
  }

  private static Optional<EndpointList.Percentiles> percentiles(JsonNode p) {
    if (p == null || !p.isObject()) {
      return Optional.empty();
    }
    return Optional.of(new EndpointList.Percentiles(decimal(p.path("p50")), decimal(p.path("p75")),
        decimal(p.path("p90")), decimal(p.path("p99"))));
  }

  /** The {@code data} array of {@code GET /providers}: its object entries. */
  public static List<ProviderEntry> providers(JsonNode data) {
    if (!data.isArray()) {
      throw GatewayFailure.of(Kind.UPSTREAM_MALFORMED, "GET /providers returned no data array");
    }
    List<ProviderEntry> out = new ArrayList<>();
    for (JsonNode p : data) {
      if (!p.isObject()) {
        continue;
      }
      List<String> datacenters = new ArrayList<>();
      for (JsonNode country : p.path("datacenters")) {
        if (country.isTextual()) {
          datacenters.add(country.asText());
        }
      }
      out.add(new ProviderEntry(textField(p, "name"), textField(p, "slug"), textField(p, "privacy_policy_url"),
          textField(p, "terms_of_service_url"), textField(p, "status_page_url"), textField(p, "headquarters"),
          datacenters));
    }
    return out;
  }

  /** A short hash of the listing as OpenRouter sent it: same content, same id. */
  private static String contentId(JsonNode data) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256")
          .digest(OpenRouterJson.write(data).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** Text, or a container as its JSON; "" when missing or null. */
  private static String text(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return "";
    }
    return node.isValueNode() ? node.asText() : node.toString();
  }

  private static String textField(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && v.isTextual() ? v.asText() : "";
  }

  private static List<String> strings(JsonNode node) {
    if (node == null || !node.isArray()) {
      return List.of();
    }
    List<String> out = new ArrayList<>(node.size());
    for (JsonNode item : node) {
      if (!item.isNull()) {
        out.add(text(item));
      }
    }
    return out;
  }

  private static OptionalLong number(JsonNode node) {
    return node != null && node.isNumber() ? OptionalLong.of(node.asLong()) : OptionalLong.empty();
  }

  private static OptionalLong whole(JsonNode node) {
    return node.canConvertToLong() ? OptionalLong.of(node.asLong()) : OptionalLong.empty();
  }

  private static OptionalDouble decimal(JsonNode node) {
    return node.isNumber() ? OptionalDouble.of(node.asDouble()) : OptionalDouble.empty();
  }

  private static boolean isObject(JsonNode node) {
    return node != null && node.isObject();
  }
}
