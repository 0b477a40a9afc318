package openrouter.gateway.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One model of the simulator's catalogue: what {@code GET /models} shows (every field of the
 * model object, api reference §4.1) and the {@link ChatScenario} that answers for it.
 * Built with the fluent setters below; values are fixed so listings are deterministic.
 */
final class CatalogEntry {
  private static final List<String> BASE_PARAMETERS = List.of(
      "frequency_penalty", "max_tokens", "presence_penalty", "response_format", "seed", "stop",
      "structured_outputs", "temperature", "top_p");

  final String id;
  private String canonicalSlug;
  private String name;
  private long created;
  private String description = "";
  private Integer contextLength = 131_072;
  private List<String> inputModalities = List.of("text");
  private List<String> outputModalities = List.of("text");
  private String tokenizer = "Other";
  private String instructType;
  private String promptPrice = "0.000001";
  private String completionPrice = "0.000002";
  private final Map<String, String> extraPrices = new LinkedHashMap<>();
  private ArrayNode priceOverrides;
  private Integer maxCompletionTokens = 16_384;
  private boolean moderated;
  private final TreeSet<String> supportedParameters = new TreeSet<>(BASE_PARAMETERS);
  private boolean reasoning;
  private String expirationDate;
  private String knowledgeCutoff;
  private String huggingFaceId;
  private ChatScenario scenario = ChatScenarios.echo();

  CatalogEntry(String id) {
    this.id = id;
    this.canonicalSlug = id;
    this.name = id;
  }

  // ---- fluent setters used by SimulatorCatalog ----

  CatalogEntry name(String value) { this.name = value; return this; }
  CatalogEntry canonicalSlug(String value) { this.canonicalSlug = value; return this; }
  CatalogEntry created(long epochSeconds) { this.created = epochSeconds; return this; }
  CatalogEntry description(String value) { this.description = value; return this; }
  CatalogEntry context(int tokens, int maxCompletion) {
    this.contextLength = tokens;
    this.maxCompletionTokens = maxCompletion;
    return this;
  }
  CatalogEntry input(String... modalities) { this.inputModalities = List.of(modalities); return this; }
  CatalogEntry output(String... modalities) { this.outputModalities = List.of(modalities); return this; }
  CatalogEntry tokenizer(String value, String instruct) {
    this.tokenizer = value;
    this.instructType = instruct;
    return this;
  }
  CatalogEntry prices(String prompt, String completion) {
    this.promptPrice = prompt;
    this.completionPrice = completion;
    return this;
  }
  CatalogEntry price(String key, String value) { extraPrices.put(key, value); return this; }
  CatalogEntry priceOverride(int minPromptTokens, String prompt, String completion) {
    if (priceOverrides == null) {
      priceOverrides = JsonBodies.array();
    }
    ObjectNode o = priceOverrides.addObject();
    o.put("min_prompt_tokens", minPromptTokens);
    o.put("prompt", prompt);
    o.put("completion", completion);
    return this;
  }
  CatalogEntry moderated() { this.moderated = true; return this; }
  CatalogEntry parameters(String... names) { supportedParameters.addAll(List.of(names)); return this; }
  CatalogEntry onlyParameters(String... names) {
    supportedParameters.clear();
    supportedParameters.addAll(List.of(names));
    return this;
  }
  CatalogEntry tools() { return parameters("tools", "tool_choice", "parallel_tool_calls"); }
  CatalogEntry reasoning() {
    this.reasoning = true;
    return parameters("include_reasoning", "reasoning", "reasoning_effort");
  }
  CatalogEntry expires(String date) { this.expirationDate = date; return this; }
  CatalogEntry knowledgeCutoff(String date) { this.knowledgeCutoff = date; return this; }
  CatalogEntry huggingFace(String value) { this.huggingFaceId = value; return this; }
  CatalogEntry scenario(ChatScenario value) { this.scenario = value; return this; }

  // ---- accessors ----

  ChatScenario scenario() {
    return scenario;
  }

  List<String> outputModalities() {
    return outputModalities;
  }

  BigDecimal promptPrice() {
    return new BigDecimal(promptPrice);
  }

  BigDecimal completionPrice() {
    return new BigDecimal(completionPrice);
  }

  /** The model object of {@code GET /models}, fields in OpenRouter's order. */
  ObjectNode toJson() {
    ObjectNode m = JsonBodies.object();
    m.put("id", id);
    m.put("canonical_slug", canonicalSlug);
    m.put("name", name);
    m.put("created", created);
    m.put("description", description);
    putNullable(m, "context_length", contextLength);
    ObjectNode arch = m.putObject("architecture");
    arch.put("modality", String.join("+", inputModalities) + "->" + String.join("+", outputModalities));
    arch.set("input_modalities", JsonBodies.strings(inputModalities));
    arch.set("output_modalities", JsonBodies.strings(outputModalities));
    arch.put("tokenizer", tokenizer);
    arch.put("instruct_type", instructType);
    ObjectNode pricing = m.putObject("pricing");
    pricing.put("prompt", promptPrice);
    pricing.put("completion", completionPrice);
    pricing.put("request", "0");
    pricing.put("image", "0");
    pricing.put("web_search", "0");
    pricing.put("internal_reasoning", reasoning ? completionPrice : "0");
    pricing.put("input_cache_read", "0");
    pricing.put("input_cache_write", "0");
    extraPrices.forEach(pricing::put);
    pricing.put("discount", 0);
    if (priceOverrides != null) {
      pricing.set("overrides", priceOverrides.deepCopy());
    }
    ObjectNode top = m.putObject("top_provider");
    putNullable(top, "context_length", contextLength);
    putNullable(top, "max_completion_tokens", maxCompletionTokens);
    top.put("is_moderated", moderated);
    m.putNull("per_request_limits");
    m.set("supported_parameters", JsonBodies.strings(new ArrayList<>(supportedParameters)));
    ObjectNode defaults = m.putObject("default_parameters");
    for (String p : List.of("temperature", "top_p", "top_k", "frequency_penalty",
        "presence_penalty", "repetition_penalty")) {
      defaults.putNull(p);
    }
    if (reasoning) {
      ObjectNode r = m.putObject("reasoning");
      r.set("supported_efforts", JsonBodies.strings(List.of("high", "medium", "low", "minimal")));
      r.put("default_effort", "medium");
      r.put("default_enabled", true);
      r.put("mandatory", false);
      r.put("supports_max_tokens", true);
    }
    m.put("expiration_date", expirationDate);
    m.put("knowledge_cutoff", knowledgeCutoff);
    m.put("hugging_face_id", huggingFaceId);
    String base = id.contains(":") ? id.substring(0, id.indexOf(':')) : id;
    m.putObject("links").put("details", "/api/v1/models/" + base + "/endpoints");
    m.putNull("supported_voices");
    return m;
  }

  private static void putNullable(ObjectNode node, String field, Integer value) {
    if (value == null) {
      node.putNull(field);
    } else {
      node.put(field, value);
    }
  }
}
