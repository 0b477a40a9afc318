package openrouter.gateway.server.upstream.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import openrouter.gateway.server.json.OpenRouterJson;
import openrouter.gateway.server.json.StructJson;
import openrouter.gateway.v1.AudioOutputConfig;
import openrouter.gateway.v1.CacheControl;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.ContentPart;
import openrouter.gateway.v1.FileInput;
import openrouter.gateway.v1.FunctionDefinition;
import openrouter.gateway.v1.ImageUrl;
import openrouter.gateway.v1.InputAudio;
import openrouter.gateway.v1.JsonSchemaFormat;
import openrouter.gateway.v1.MaxPrice;
import openrouter.gateway.v1.Message;
import openrouter.gateway.v1.Plugin;
import openrouter.gateway.v1.ProviderPreferences;
import openrouter.gateway.v1.ProviderSort;
import openrouter.gateway.v1.ReasoningConfig;
import openrouter.gateway.v1.ResponseFormat;
import openrouter.gateway.v1.Role;
import openrouter.gateway.v1.Tool;
import openrouter.gateway.v1.ToolCall;
import openrouter.gateway.v1.ToolChoice;

/**
 * Writes a {@link ChatRequest} as OpenRouter's {@code POST /chat/completions} JSON body. Which
 * models an attempt asks for is the caller's decision (chat's {@code ChatPolicy}); this class
 * only writes them.
 *
 * <p>Fields the caller did not set are not sent: proto3 {@code optional} scalars only when
 * present, strings, lists and maps only when non-empty, messages only when set. The one
 * exception is {@code max_tokens}, which gets the configured default when the request sets
 * neither {@code max_tokens} nor {@code max_completion_tokens}.
 *
 * <p>It assumes a request that chat's validator accepted; on other requests it still produces a
 * body but makes no promise that OpenRouter accepts it.
 */
public final class ChatRequestBodies {

  /** The type sent for a {@link CacheControl} whose type is empty (the only type today). */
  static final String DEFAULT_CACHE_TYPE = "ephemeral";

  /**
   * Top-level keys the gateway sets itself: every key this class can write, plus {@code stream}
   * and {@code stream_options}. {@code extra_body} must not carry any of them.
   */
  public static final Set<String> RESERVED_KEYS =
      Set.of(
          "model", "models", "messages", "stream", "stream_options",
          "temperature", "top_p", "top_k", "min_p", "top_a",
          "frequency_penalty", "presence_penalty", "repetition_penalty", "seed",
          "max_tokens", "max_completion_tokens", "stop", "logit_bias", "logprobs", "top_logprobs",
          "response_format", "tools", "tool_choice", "parallel_tool_calls",
          "reasoning", "provider", "plugins", "user", "session_id", "metadata", "trace",
          "modalities", "image_config", "audio", "service_tier", "prediction", "verbosity",
          "web_search_options", "cache_control", "prompt_cache_key");

  private final int defaultMaxTokens;

  /**
   * {@code defaultMaxTokens}: the {@code max_tokens} sent when a request sets neither limit; 0
   * sends none.
   */
  public ChatRequestBodies(int defaultMaxTokens) {
    this.defaultMaxTokens = defaultMaxTokens;
  }

  /** {@link #toUpstreamBody} ready to send. */
  public OpenRouterBody body(ChatRequest request, List<String> attemptModels, boolean stream) {
    return new OpenRouterBody(toUpstreamBody(request, attemptModels, stream));
  }

  /**
   * The OpenRouter JSON body for one upstream attempt.
   *
   * @param attemptModels the models of this attempt: the first becomes {@code model}, the rest
   *     {@code models} (omitted when there are none; the caller keeps them to at most 3)
   * @param stream the value of {@code stream}, always sent
   */
  public ObjectNode toUpstreamBody(ChatRequest request, List<String> attemptModels, boolean stream) {
    if (attemptModels == null || attemptModels.isEmpty()) {
      throw new IllegalArgumentException("attemptModels must name at least one model");
    }
    ObjectNode body = OpenRouterJson.object();
    body.put("model", attemptModels.get(0));
    if (attemptModels.size() > 1) {
      strings(body, "models", attemptModels.subList(1, attemptModels.size()));
    }
    ArrayNode messages = body.putArray("messages");
    for (Message m : request.getMessagesList()) {
      messages.add(message(m));
    }
    body.put("stream", stream);

    // Sampling and output controls.
    if (request.hasTemperature()) body.put("temperature", request.getTemperature());
    if (request.hasTopP()) body.put("top_p", request.getTopP());
    if (request.hasTopK()) body.put("top_k", request.getTopK());
    if (request.hasMinP()) body.put("min_p", request.getMinP());
    if (request.hasTopA()) body.put("top_a", request.getTopA());
    if (request.hasFrequencyPenalty()) body.put("frequency_penalty", request.getFrequencyPenalty());
    if (request.hasPresencePenalty()) body.put("presence_penalty", request.getPresencePenalty());
    if (request.hasRepetitionPenalty()) {
      body.put("repetition_penalty", request.getRepetitionPenalty());
    }
    if (request.hasSeed()) body.put("seed", request.getSeed());
    if (request.hasMaxTokens()) {
      body.put("max_tokens", request.getMaxTokens());
    } else if (!request.hasMaxCompletionTokens() && defaultMaxTokens > 0) {
      body.put("max_tokens", defaultMaxTokens);
    }
    if (request.hasMaxCompletionTokens()) {
      body.put("max_completion_tokens", request.getMaxCompletionTokens());
    }
    strings(body, "stop", request.getStopList());
    if (request.getLogitBiasCount() > 0) {
      ObjectNode bias = body.putObject("logit_bias");
      request.getLogitBiasMap().entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(e -> bias.set(e.getKey(), StructJson.number(e.getValue())));
    }
    if (request.hasLogprobs()) body.put("logprobs", request.getLogprobs());
    if (request.hasTopLogprobs()) body.put("top_logprobs", request.getTopLogprobs());
    if (request.hasResponseFormat()) {
      body.set("response_format", responseFormat(request.getResponseFormat()));
    }

    // Tools.
    if (request.getToolsCount() > 0) {
      ArrayNode tools = body.putArray("tools");
      for (Tool t : request.getToolsList()) {
        tools.add(tool(t));
      }
    }
    if (request.hasToolChoice()) {
      JsonNode choice = toolChoice(request.getToolChoice());
      if (choice != null) {
        body.set("tool_choice", choice);
      }
    }
    if (request.hasParallelToolCalls()) {
      body.put("parallel_tool_calls", request.getParallelToolCalls());
    }

    // OpenRouter routing and features.
    if (request.hasReasoning()) body.set("reasoning", reasoning(request.getReasoning()));
    if (request.hasProvider()) body.set("provider", provider(request.getProvider()));
    if (request.getPluginsCount() > 0) {
      ArrayNode plugins = body.putArray("plugins");
      for (Plugin p : request.getPluginsList()) {
        plugins.add(plugin(p));
      }
    }
    text(body, "user", request.getUser());
    text(body, "session_id", request.getSessionId());
    if (request.getMetadataCount() > 0) {
      ObjectNode metadata = body.putObject("metadata");
      request.getMetadataMap().entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(e -> metadata.put(e.getKey(), e.getValue()));
    }
    if (request.hasTrace()) body.set("trace", StructJson.toJson(request.getTrace()));
    strings(body, "modalities", request.getModalitiesList());
    if (request.hasImageConfig()) {
      body.set("image_config", StructJson.toJson(request.getImageConfig()));
    }
    if (request.hasAudio()) body.set("audio", audio(request.getAudio()));
    text(body, "service_tier", request.getServiceTier());
    if (request.hasPrediction()) {
      ObjectNode prediction = body.putObject("prediction");
      prediction.put("type", "content");
      prediction.put("content", request.getPrediction().getContent());
    }
    text(body, "verbosity", request.getVerbosity());
    if (request.hasWebSearchOptions()) {
      body.set("web_search_options", StructJson.toJson(request.getWebSearchOptions()));
    }
    if (request.hasCacheControl()) body.set("cache_control", cacheControl(request.getCacheControl()));
    text(body, "prompt_cache_key", request.getPromptCacheKey());

    // Pass-through fields last. Keys the gateway sets itself are never taken from extra_body
    // (the validator rejects them; this is the belt to its braces).
    if (request.hasExtraBody()) {
      for (Map.Entry<String, Value> e : request.getExtraBody().getFieldsMap().entrySet()) {
        if (!RESERVED_KEYS.contains(e.getKey())) {
          body.set(e.getKey(), StructJson.toJson(e.getValue()));
        }
      }
    }
    return body;
  }

  // ---------------------------------------------------------------------------------------------
  // Messages

  /** OpenRouter's name for a role, or null for ROLE_UNSPECIFIED and unknown numbers. */
  public static String roleName(Role role) {
    switch (role) {
      case ROLE_SYSTEM:
        return "system";
      case ROLE_DEVELOPER:
        return "developer";
      case ROLE_USER:
        return "user";
      case ROLE_ASSISTANT:
        return "assistant";
      case ROLE_TOOL:
        return "tool";
      default:
        return null;
    }
  }

  private static ObjectNode message(Message m) {
    ObjectNode out = OpenRouterJson.object();
    String role = roleName(m.getRole());
    out.put("role", role != null ? role : "unspecified");
    if (m.hasContent()) {
      out.put("content", m.getContent());
    } else if (m.getPartsCount() > 0) {
      ArrayNode parts = out.putArray("content");
      for (ContentPart p : m.getPartsList()) {
        parts.add(part(p));
      }
    } else if (m.getRole() == Role.ROLE_ASSISTANT) {
      // An assistant turn that only called tools (or only refused): content is null upstream.
      out.putNull("content");
    }
    text(out, "name", m.getName());
    text(out, "tool_call_id", m.getToolCallId());
    if (m.getToolCallsCount() > 0) {
      ArrayNode calls = out.putArray("tool_calls");
      for (ToolCall c : m.getToolCallsList()) {
        calls.add(toolCall(c));
      }
    }
    text(out, "reasoning", m.getReasoning());
    if (m.getReasoningDetailsCount() > 0) {
      ArrayNode details = out.putArray("reasoning_details");
      for (Struct d : m.getReasoningDetailsList()) {
        details.add(StructJson.toJson(d));
      }
    }
    text(out, "refusal", m.getRefusal());
    return out;
  }

  private static ObjectNode part(ContentPart p) {
    ObjectNode out = OpenRouterJson.object();
    switch (p.getPartCase()) {
      case TEXT:
        out.put("type", "text");
        out.put("text", p.getText());
        break;
      case IMAGE_URL:
        ImageUrl image = p.getImageUrl();
        out.put("type", "image_url");
        ObjectNode imageUrl = out.putObject("image_url");
        imageUrl.put("url", image.getUrl());
        text(imageUrl, "detail", image.getDetail());
        break;
      case INPUT_AUDIO:
        InputAudio audio = p.getInputAudio();
        out.put("type", "input_audio");
        ObjectNode inputAudio = out.putObject("input_audio");
        inputAudio.put("data", audio.getData());
        text(inputAudio, "format", audio.getFormat());
        break;
      case FILE:
        FileInput file = p.getFile();
        out.put("type", "file");
        ObjectNode f = out.putObject("file");
        text(f, "filename", file.getFilename());
        text(f, "file_data", file.getFileData());
        text(f, "file_id", file.getFileId());
        break;
      case VIDEO_URL:
        out.put("type", "video_url");
        out.putObject("video_url").put("url", p.getVideoUrl().getUrl());
        break;
      case PART_NOT_SET:
      default:
        // Rejected by the validator; an empty text part is the harmless reading.
        out.put("type", "text");
        out.put("text", "");
        break;
    }
    if (p.hasCacheControl()) {
      out.set("cache_control", cacheControl(p.getCacheControl()));
    }
    return out;
  }

  private static ObjectNode toolCall(ToolCall c) {
    ObjectNode out = OpenRouterJson.object();
    text(out, "id", c.getId());
    out.put("type", c.getType().isEmpty() ? "function" : c.getType());
    ObjectNode function = out.putObject("function");
    function.put("name", c.getName());
    // Upstream wants a JSON string; an empty one would not parse on providers that decode it.
    function.put("arguments", c.getArguments().isEmpty() ? "{}" : c.getArguments());
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Tools and output format

  /** Whether a tool is a function tool: type empty or {@code function}. */
  public static boolean isFunctionTool(Tool t) {
    return t.getType().isEmpty() || t.getType().equals("function");
  }

  private static ObjectNode tool(Tool t) {
    ObjectNode out = OpenRouterJson.object();
    if (isFunctionTool(t)) {
      out.put("type", "function");
      FunctionDefinition fn = t.getFunction();
      ObjectNode function = out.putObject("function");
      function.put("name", fn.getName());
      text(function, "description", fn.getDescription());
      if (fn.hasParameters()) function.set("parameters", StructJson.toJson(fn.getParameters()));
      if (fn.hasStrict()) function.put("strict", fn.getStrict());
    } else {
      out.put("type", t.getType());
      if (t.hasServerToolConfig()) {
        ObjectNode config = StructJson.toJson(t.getServerToolConfig());
        config.remove("type"); // the typed field wins
        out.setAll(config);
      }
    }
    if (t.hasCacheControl()) out.set("cache_control", cacheControl(t.getCacheControl()));
    return out;
  }

  private static JsonNode toolChoice(ToolChoice c) {
    switch (c.getChoiceCase()) {
      case MODE:
        return OpenRouterJson.mapper().getNodeFactory().textNode(c.getMode());
      case FUNCTION_NAME:
        ObjectNode function = OpenRouterJson.object();
        function.put("type", "function");
        function.putObject("function").put("name", c.getFunctionName());
        return function;
      case SERVER_TOOL_TYPE:
        ObjectNode server = OpenRouterJson.object();
        server.put("type", c.getServerToolType());
        return server;
      case CHOICE_NOT_SET:
      default:
        return null;
    }
  }

  private static ObjectNode responseFormat(ResponseFormat f) {
    ObjectNode out = OpenRouterJson.object();
    text(out, "type", f.getType());
    if (f.hasJsonSchema()) {
      JsonSchemaFormat s = f.getJsonSchema();
      ObjectNode schema = out.putObject("json_schema");
      text(schema, "name", s.getName());
      text(schema, "description", s.getDescription());
      if (s.hasSchema()) schema.set("schema", StructJson.toJson(s.getSchema()));
      if (s.hasStrict()) schema.put("strict", s.getStrict());
    }
    text(out, "grammar", f.getGrammar());
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Routing and features

  private static ObjectNode reasoning(ReasoningConfig r) {
    ObjectNode out = OpenRouterJson.object();
    text(out, "effort", r.getEffort());
    if (r.hasMaxTokens()) out.put("max_tokens", r.getMaxTokens());
    if (r.hasExclude()) out.put("exclude", r.getExclude());
    if (r.hasEnabled()) out.put("enabled", r.getEnabled());
    text(out, "summary", r.getSummary());
    text(out, "context", r.getContext());
    text(out, "mode", r.getMode());
    return out;
  }

  /** Provider preferences as OpenRouter's {@code provider} object; Embed sends the same. */
  public static ObjectNode provider(ProviderPreferences p) {
    ObjectNode out = OpenRouterJson.object();
    strings(out, "order", p.getOrderList());
    if (p.hasAllowFallbacks()) out.put("allow_fallbacks", p.getAllowFallbacks());
    if (p.hasRequireParameters()) out.put("require_parameters", p.getRequireParameters());
    text(out, "data_collection", p.getDataCollection());
    if (p.hasZdr()) out.put("zdr", p.getZdr());
    if (p.hasEnforceDistillableText()) {
      out.put("enforce_distillable_text", p.getEnforceDistillableText());
    }
    strings(out, "only", p.getOnlyList());
    strings(out, "ignore", p.getIgnoreList());
    strings(out, "quantizations", p.getQuantizationsList());
    if (p.hasSort()) {
      ProviderSort sort = p.getSort();
      if (sort.getPartition().isEmpty()) {
        if (!sort.getBy().isEmpty()) out.put("sort", sort.getBy());
      } else {
        ObjectNode s = out.putObject("sort");
        text(s, "by", sort.getBy());
        s.put("partition", sort.getPartition());
      }
    }
    if (p.hasPreferredMinThroughput() && hasKind(p.getPreferredMinThroughput())) {
      out.set("preferred_min_throughput", StructJson.toJson(p.getPreferredMinThroughput()));
    }
    if (p.hasPreferredMaxLatency() && hasKind(p.getPreferredMaxLatency())) {
      out.set("preferred_max_latency", StructJson.toJson(p.getPreferredMaxLatency()));
    }
    if (p.hasMaxPrice()) {
      MaxPrice mp = p.getMaxPrice();
      ObjectNode price = out.putObject("max_price");
      text(price, "prompt", mp.getPrompt());
      text(price, "completion", mp.getCompletion());
      text(price, "request", mp.getRequest());
      text(price, "image", mp.getImage());
      text(price, "audio", mp.getAudio());
    }
    return out;
  }

  private static ObjectNode plugin(Plugin p) {
    ObjectNode out = OpenRouterJson.object();
    out.put("id", p.getId());
    if (p.hasEnabled()) out.put("enabled", p.getEnabled());
    if (p.hasConfig()) {
      ObjectNode config = StructJson.toJson(p.getConfig());
      config.remove("id"); // the typed fields win
      if (p.hasEnabled()) config.remove("enabled");
      out.setAll(config);
    }
    return out;
  }

  private static ObjectNode audio(AudioOutputConfig a) {
    ObjectNode out = OpenRouterJson.object();
    text(out, "voice", a.getVoice());
    text(out, "format", a.getFormat());
    return out;
  }

  static ObjectNode cacheControl(CacheControl c) {
    ObjectNode out = OpenRouterJson.object();
    out.put("type", c.getType().isEmpty() ? DEFAULT_CACHE_TYPE : c.getType());
    text(out, "ttl", c.getTtl());
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private static boolean hasKind(Value v) {
    return v.getKindCase() != Value.KindCase.KIND_NOT_SET;
  }

  private static void text(ObjectNode out, String key, String value) {
    if (!value.isEmpty()) {
      out.put(key, value);
    }
  }

  private static void strings(ObjectNode out, String key, Collection<String> values) {
    if (!values.isEmpty()) {
      ArrayNode array = out.putArray(key);
      for (String v : values) {
        array.add(v);
      }
    }
  }
}
