package openrouter.gateway.server.chat;

import com.google.protobuf.Struct;
import com.google.rpc.BadRequest;
import com.google.rpc.BadRequest.FieldViolation;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import openrouter.gateway.server.upstream.wire.ChatRequestBodies;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.ContentPart;
import openrouter.gateway.v1.FileInput;
import openrouter.gateway.v1.JsonSchemaFormat;
import openrouter.gateway.v1.MaxPrice;
import openrouter.gateway.v1.Message;
import openrouter.gateway.v1.Plugin;
import openrouter.gateway.v1.ProviderPreferences;
import openrouter.gateway.v1.ReasoningConfig;
import openrouter.gateway.v1.ResponseFormat;
import openrouter.gateway.v1.Role;
import openrouter.gateway.v1.Tool;
import openrouter.gateway.v1.ToolCall;
import openrouter.gateway.v1.ToolChoice;

/**
 * Checks a {@link ChatRequest} before anything is sent upstream.
 *
 * <p>Every problem is reported, not just the first, as a {@link BadRequest.FieldViolation}
 * whose {@code field} is a path into the request in proto field names ({@code
 * messages[2].tool_call_id}, {@code extra_body.temperature}) and whose {@code description} says
 * what to change.
 */
public final class ChatRequestValidator {

  /** Function and JSON schema names: letters, digits, {@code _} and {@code -}, 1 to 64. */
  static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

  private static final Pattern TOKEN_ID = Pattern.compile("-?[0-9]+");
  private static final String ROLES =
      "ROLE_SYSTEM, ROLE_DEVELOPER, ROLE_USER, ROLE_ASSISTANT or ROLE_TOOL";
  private static final int MAX_ID_LENGTH = 256;
  private static final int MAX_METADATA_PAIRS = 16;
  private static final int MAX_METADATA_KEY = 64;
  private static final int MAX_METADATA_VALUE = 512;

  /** extra_body keys that duplicate a typed field under another name. */
  private static final Map<String, String> ALIAS_KEYS =
      Map.of(
          "reasoning_effort", "ChatRequest.reasoning.effort",
          "include_reasoning", "ChatRequest.reasoning");

  private final ChatPolicy policy;
  private final InputLimits limits;

  public ChatRequestValidator(ChatPolicy policy) {
    this(policy, InputLimits.DEFAULT);
  }

  public ChatRequestValidator(ChatPolicy policy, InputLimits limits) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /** Every problem found; empty when the request is valid. */
  public List<FieldViolation> validate(ChatRequest request) {
    Violations v = new Violations();
    if (!sizes(request, v)) {
      return v.list; // too large to inspect further
    }
    messages(request, v);
    models(request, v);
    sampling(request, v);
    tools(request, v);
    responseFormat(request, v);
    reasoning(request, v);
    provider(request, v);
    plugins(request, v);
    identifiers(request, v);
    extraBody(request, v);
    return v.list;
  }

  // ---------------------------------------------------------------------------------------------
  // Sizes (checked first: a request over them is not inspected further)

  private boolean sizes(ChatRequest request, Violations v) {
    int bytes = request.getSerializedSize();
    if (bytes > limits.maxRequestBytes()) {
      v.add("", "The request is " + bytes + " bytes; the gateway accepts at most "
          + limits.maxRequestBytes() + " (GATEWAY_MAX_REQUEST_BYTES). Send fewer or smaller messages.");
      return false;
    }
    if (request.getMessagesCount() > limits.maxMessages()) {
      v.add("messages", "The request has " + request.getMessagesCount() + " messages; the gateway accepts at most "
          + limits.maxMessages() + " (GATEWAY_MAX_MESSAGES). Trim the conversation.");
      return false;
    }
    if (request.getToolsCount() > limits.maxTools()) {
      v.add("tools", "The request has " + request.getToolsCount() + " tools; the gateway accepts at most "
          + limits.maxTools() + " (GATEWAY_MAX_TOOLS).");
    }
    for (int i = 0; i < request.getToolsCount(); i++) {
      int schema = request.getTools(i).getFunction().getParameters().getSerializedSize();
      if (schema > limits.maxToolSchemaBytes()) {
        v.add("tools[" + i + "].function.parameters", "The schema is " + schema + " bytes; at most "
            + limits.maxToolSchemaBytes() + " are accepted (GATEWAY_MAX_TOOL_SCHEMA_BYTES).");
      }
    }
    for (int i = 0; i < request.getMessagesCount(); i++) {
      Message m = request.getMessages(i);
      String path = "messages[" + i + "]";
      tooLong(m.getContent(), path + ".content", v);
      for (int j = 0; j < m.getPartsCount(); j++) {
        ContentPart p = m.getParts(j);
        String partPath = path + ".parts[" + j + "]";
        switch (p.getPartCase()) {
          case TEXT -> tooLong(p.getText(), partPath + ".text", v);
          case IMAGE_URL -> tooLong(p.getImageUrl().getUrl(), partPath + ".image_url.url", v);
          case INPUT_AUDIO -> tooLong(p.getInputAudio().getData(), partPath + ".input_audio.data", v);
          case FILE -> tooLong(p.getFile().getFileData(), partPath + ".file.file_data", v);
          case VIDEO_URL -> tooLong(p.getVideoUrl().getUrl(), partPath + ".video_url.url", v);
          default -> { }
        }
      }
    }
    return true;
  }

  private void tooLong(String value, String path, Violations v) {
    if (value.length() > limits.maxContentChars()) {
      v.add(path, "This is " + value.length() + " characters; one content part may have at most "
          + limits.maxContentChars() + " (GATEWAY_MAX_CONTENT_CHARS).");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Messages

  private static void messages(ChatRequest request, Violations v) {
    if (request.getMessagesCount() == 0) {
      v.add("messages", "Add at least one message; messages is empty.");
      return;
    }
    for (int i = 0; i < request.getMessagesCount(); i++) {
      message(request.getMessages(i), "messages[" + i + "]", v);
    }
  }

  private static void message(Message m, String path, Violations v) {
    Role role = Role.forNumber(m.getRoleValue());
    boolean knownRole = role != null && role != Role.ROLE_UNSPECIFIED;
    if (role == Role.ROLE_UNSPECIFIED) {
      v.add(path + ".role", "Set role to " + ROLES + "; the role is unset.");
    } else if (role == null) {
      v.add(
          path + ".role",
          "Role number " + m.getRoleValue() + " is not a known Role; use " + ROLES + ".");
    }

    if (m.hasContent() && m.getPartsCount() > 0) {
      v.add(path + ".parts", "Set either content or parts, not both.");
    } else if (knownRole
        && role != Role.ROLE_ASSISTANT
        && !m.hasContent()
        && m.getPartsCount() == 0) {
      v.add(
          path + ".content",
          "Set content (or parts); a " + ChatRequestBodies.roleName(role) + " message needs content.");
    }

    if (role == Role.ROLE_TOOL && m.getToolCallId().isEmpty()) {
      v.add(
          path + ".tool_call_id",
          "Set tool_call_id to the id of the tool call this ROLE_TOOL message answers.");
    }

    boolean textOnly = role == Role.ROLE_SYSTEM || role == Role.ROLE_DEVELOPER;
    for (int j = 0; j < m.getPartsCount(); j++) {
      part(m.getParts(j), path + ".parts[" + j + "]", textOnly, v);
    }

    if (m.getToolCallsCount() > 0 && knownRole && role != Role.ROLE_ASSISTANT) {
      v.add(
          path + ".tool_calls",
          "Remove tool_calls; only ROLE_ASSISTANT messages carry the tool calls a model made.");
    }
    for (int k = 0; k < m.getToolCallsCount(); k++) {
      ToolCall c = m.getToolCalls(k);
      if (c.getName().isEmpty()) {
        v.add(
            path + ".tool_calls[" + k + "].name",
            "Set name to the name of the function the model called.");
      }
    }
  }

  private static void part(ContentPart p, String path, boolean textOnly, Violations v) {
    switch (p.getPartCase()) {
      case PART_NOT_SET:
        v.add(path, "Set one of text, image_url, input_audio, file or video_url; the part is empty.");
        return;
      case IMAGE_URL:
        if (p.getImageUrl().getUrl().isEmpty()) {
          v.add(path + ".image_url.url", "Set url to an https:// or data: URL of the image.");
        } else {
          UrlRules.check(p.getImageUrl().getUrl(), path + ".image_url.url", v::add);
        }
        break;
      case INPUT_AUDIO:
        if (p.getInputAudio().getData().isEmpty()) {
          v.add(path + ".input_audio.data", "Set data to the base64-encoded audio.");
        } else if (!UrlRules.isBase64(p.getInputAudio().getData())) {
          v.add(path + ".input_audio.data", "data is not well-formed base64; send the audio bytes base64-encoded (not a URL).");
        }
        if (p.getInputAudio().getFormat().isEmpty()) {
          v.add(path + ".input_audio.format", "Set format to the audio format, e.g. wav or mp3.");
        }
        break;
      case FILE:
        FileInput f = p.getFile();
        if (f.getFileData().isEmpty() && f.getFileId().isEmpty()) {
          v.add(
              path + ".file",
              "Set file_data (an https:// or data: URL) or file_id (an uploaded file's id).");
        } else if (!f.getFileData().isEmpty()) {
          UrlRules.check(f.getFileData(), path + ".file.file_data", v::add);
        }
        break;
      case VIDEO_URL:
        if (p.getVideoUrl().getUrl().isEmpty()) {
          v.add(path + ".video_url.url", "Set url to an https:// or data: URL of the video.");
        } else {
          UrlRules.check(p.getVideoUrl().getUrl(), path + ".video_url.url", v::add);
        }
        break;
      case TEXT:
      default:
        break;
    }
    if (p.getPartCase() != ContentPart.PartCase.TEXT) {
      String kind = p.getPartCase().name().toLowerCase(Locale.ROOT);
      if (p.hasCacheControl()) {
        v.add(
            path + ".cache_control",
            "Remove cache_control from this " + kind + " part; it is allowed on text parts only.");
      }
      if (textOnly) {
        v.add(
            path,
            "System and developer messages accept text parts only; move the "
                + kind
                + " part to a user message.");
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Models

  private void models(ChatRequest request, Violations v) {
    boolean anyFallback = false;
    for (int k = 0; k < request.getModelsCount(); k++) {
      if (request.getModels(k).isBlank()) {
        v.add("models[" + k + "]", "Remove the empty entry or set it to a model slug.");
      } else {
        anyFallback = true;
      }
    }
    boolean hasPrimary = !request.getModel().isEmpty() || policy.defaultModel() != null;
    if (!hasPrimary && !anyFallback) {
      v.add(
          "model",
          "No model given: set model, or configure OPENROUTER_DEFAULT_MODEL on the gateway.");
    }
    int chain = (hasPrimary ? 1 : 0) + request.getModelsCount();
    if (chain > policy.maxModelChain()) {
      String primary =
          !request.getModel().isEmpty()
              ? "model plus models"
              : hasPrimary ? "the default model plus models" : "models";
      v.add(
          "models",
          String.format(
              "Name at most %d models in model and models together; %s make %d. Remove %d.",
              policy.maxModelChain(), primary, chain, chain - policy.maxModelChain()));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Sampling and output controls

  private void sampling(ChatRequest r, Violations v) {
    if (r.hasTemperature()) range(v, "temperature", r.getTemperature(), 0, 2);
    if (r.hasTopP()) range(v, "top_p", r.getTopP(), 0, 1);
    if (r.hasTopK() && r.getTopK() < 0) {
      v.add("top_k", "Set top_k to 0 (disabled) or more; got " + r.getTopK() + ".");
    }
    if (r.hasMinP()) range(v, "min_p", r.getMinP(), 0, 1);
    if (r.hasTopA()) range(v, "top_a", r.getTopA(), 0, 1);
    if (r.hasFrequencyPenalty()) range(v, "frequency_penalty", r.getFrequencyPenalty(), -2, 2);
    if (r.hasPresencePenalty()) range(v, "presence_penalty", r.getPresencePenalty(), -2, 2);
    if (r.hasRepetitionPenalty()) {
      double p = r.getRepetitionPenalty();
      if (!(p > 0 && p <= 2)) {
        v.add(
            "repetition_penalty",
            "Set repetition_penalty above 0 and at most 2 (1 means no penalty); got "
                + num(p)
                + ".");
      }
    }
    if (r.hasMaxTokens() && r.getMaxTokens() < 1) {
      v.add("max_tokens", "Set max_tokens to 1 or more, or leave it unset; got " + r.getMaxTokens() + ".");
    }
    if (r.hasMaxCompletionTokens() && r.getMaxCompletionTokens() < 1) {
      v.add(
          "max_completion_tokens",
          "Set max_completion_tokens to 1 or more, or leave it unset; got "
              + r.getMaxCompletionTokens()
              + ".");
    }
    if (r.hasTopLogprobs()) {
      if (r.getTopLogprobs() < 0 || r.getTopLogprobs() > 20) {
        v.add("top_logprobs", "Set top_logprobs between 0 and 20; got " + r.getTopLogprobs() + ".");
      }
      if (!(r.hasLogprobs() && r.getLogprobs())) {
        v.add("top_logprobs", "Set logprobs to true to use top_logprobs, or leave top_logprobs unset.");
      }
    }
    if (r.getStopCount() > policy.maxStopSequences()) {
      v.add(
          "stop",
          "Give at most " + policy.maxStopSequences() + " stop sequences; got " + r.getStopCount() + ".");
    }
    for (int k = 0; k < r.getStopCount(); k++) {
      if (r.getStop(k).isEmpty()) {
        v.add("stop[" + k + "]", "Remove the empty stop sequence.");
      }
    }
    for (Map.Entry<String, Double> e : new TreeMap<>(r.getLogitBiasMap()).entrySet()) {
      String path = "logit_bias." + e.getKey();
      if (!TOKEN_ID.matcher(e.getKey()).matches()) {
        v.add(path, "Use a token id written as a decimal integer as the key, not \"" + e.getKey() + "\".");
      }
      double bias = e.getValue();
      if (!(bias >= -100 && bias <= 100)) {
        v.add(path, "Set the bias between -100 and 100; got " + num(bias) + ".");
      }
    }
  }

  private static void range(Violations v, String field, double value, double min, double max) {
    if (!(value >= min && value <= max)) {
      v.add(
          field,
          "Set " + field + " between " + num(min) + " and " + num(max) + "; got " + num(value) + ".");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Tools

  private static void tools(ChatRequest r, Violations v) {
    Map<String, Integer> functions = new HashMap<>();
    Set<String> declared = new LinkedHashSet<>();
    for (int i = 0; i < r.getToolsCount(); i++) {
      Tool t = r.getTools(i);
      String path = "tools[" + i + "]";
      if (ChatRequestBodies.isFunctionTool(t)) {
        String name = t.getFunction().getName();
        if (name.isEmpty()) {
          v.add(
              path + ".function.name",
              "Set the function's name (letters, digits, _ and -, at most 64 characters).");
        } else if (!NAME.matcher(name).matches()) {
          v.add(
              path + ".function.name",
              "Rename function \""
                  + name
                  + "\": use only letters, digits, _ and -, at most 64 characters.");
        } else if (functions.containsKey(name)) {
          v.add(
              path + ".function.name",
              "Function \""
                  + name
                  + "\" is already declared by tools["
                  + functions.get(name)
                  + "]; give each function a unique name.");
        } else {
          functions.put(name, i);
        }
        declared.add(name);
        if (t.hasServerToolConfig()) {
          v.add(
              path + ".server_tool_config",
              "Remove server_tool_config from this function tool, or set type to a server tool"
                  + " type such as openrouter:web_search.");
        }
      } else {
        if (t.hasFunction()) {
          v.add(
              path + ".function",
              "Remove function; it is only for function tools, and this tool's type is \""
                  + t.getType()
                  + "\".");
        }
        if (t.getServerToolConfig().containsFields("type")) {
          v.add(
              path + ".server_tool_config.type",
              "Remove type from server_tool_config; Tool.type sets it.");
        }
      }
    }

    if (!r.hasToolChoice()) {
      return;
    }
    ToolChoice c = r.getToolChoice();
    switch (c.getChoiceCase()) {
      case MODE:
        if (c.getMode().isEmpty()) {
          v.add("tool_choice.mode", "Set mode to none, auto or required.");
        }
        break;
      case FUNCTION_NAME:
        if (!functions.containsKey(c.getFunctionName())) {
          v.add(
              "tool_choice.function_name",
              declared.isEmpty()
                  ? "Declare a function tool named \""
                      + c.getFunctionName()
                      + "\" in tools; no function tools are declared."
                  : "Name one of the declared functions ("
                      + String.join(", ", declared)
                      + "); \""
                      + c.getFunctionName()
                      + "\" is not declared in tools.");
        }
        break;
      case SERVER_TOOL_TYPE:
        if (c.getServerToolType().isEmpty()) {
          v.add(
              "tool_choice.server_tool_type",
              "Set server_tool_type to a server tool type such as openrouter:web_search.");
        }
        break;
      case CHOICE_NOT_SET:
      default:
        break;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Response format, reasoning, provider, plugins

  private static void responseFormat(ChatRequest r, Violations v) {
    if (!r.hasResponseFormat()) {
      return;
    }
    ResponseFormat f = r.getResponseFormat();
    switch (f.getType()) {
      case "":
        v.add(
            "response_format.type",
            "Set type to text, json_object, json_schema, grammar or python.");
        break;
      case "json_schema":
        JsonSchemaFormat s = f.getJsonSchema();
        if (s.getName().isEmpty()) {
          v.add(
              "response_format.json_schema.name",
              "Set json_schema.name (letters, digits, _ and -, at most 64 characters); type"
                  + " json_schema needs it.");
        }
        if (!s.hasSchema()) {
          v.add(
              "response_format.json_schema.schema",
              "Set json_schema.schema to the JSON Schema the output must follow.");
        }
        break;
      case "grammar":
        if (f.getGrammar().isEmpty()) {
          v.add("response_format.grammar", "Set grammar; type grammar needs it.");
        }
        break;
      default:
        break;
    }
    String name = f.getJsonSchema().getName();
    if (!name.isEmpty() && !NAME.matcher(name).matches()) {
      v.add(
          "response_format.json_schema.name",
          "Rename schema \"" + name + "\": use only letters, digits, _ and -, at most 64 characters.");
    }
  }

  private static void reasoning(ChatRequest r, Violations v) {
    if (!r.hasReasoning()) {
      return;
    }
    ReasoningConfig c = r.getReasoning();
    if (!c.getEffort().isEmpty() && c.hasMaxTokens()) {
      v.add(
          "reasoning.max_tokens",
          "Set either reasoning.effort or reasoning.max_tokens, not both.");
    }
    if (c.hasMaxTokens() && c.getMaxTokens() < 1) {
      v.add(
          "reasoning.max_tokens",
          "Set reasoning.max_tokens to 1 or more, or leave it unset; got " + c.getMaxTokens() + ".");
    }
  }

  private static void provider(ChatRequest r, Violations v) {
    if (!r.hasProvider()) {
      return;
    }
    ProviderPreferences p = r.getProvider();
    if (p.hasSort() && p.getSort().getBy().isEmpty() && !p.getSort().getPartition().isEmpty()) {
      v.add(
          "provider.sort.by",
          "Set by (price, throughput, latency or exacto) when partition is set.");
    }
    if (p.hasMaxPrice()) {
      MaxPrice m = p.getMaxPrice();
      price(v, "prompt", m.getPrompt());
      price(v, "completion", m.getCompletion());
      price(v, "request", m.getRequest());
      price(v, "image", m.getImage());
      price(v, "audio", m.getAudio());
    }
  }

  private static void price(Violations v, String field, String value) {
    if (value.isEmpty()) {
      return;
    }
    boolean ok;
    try {
      ok = new BigDecimal(value).signum() >= 0;
    } catch (NumberFormatException e) {
      ok = false;
    }
    if (!ok) {
      v.add(
          "provider.max_price." + field,
          "Set " + field + " to a non-negative decimal number of USD such as \"1.5\"; got \""
              + value
              + "\".");
    }
  }

  private static void plugins(ChatRequest r, Violations v) {
    for (int i = 0; i < r.getPluginsCount(); i++) {
      Plugin p = r.getPlugins(i);
      String path = "plugins[" + i + "]";
      if (p.getId().isEmpty()) {
        v.add(path + ".id", "Set the plugin id, e.g. web, file-parser or response-healing.");
      }
      if (p.getConfig().containsFields("id")) {
        v.add(path + ".config.id", "Remove id from config; Plugin.id sets it.");
      }
      if (p.getConfig().containsFields("enabled")) {
        v.add(path + ".config.enabled", "Remove enabled from config; set Plugin.enabled instead.");
      }
    }
  }

  private static void identifiers(ChatRequest r, Violations v) {
    maxLength(v, "user", r.getUser(), MAX_ID_LENGTH);
    maxLength(v, "session_id", r.getSessionId(), MAX_ID_LENGTH);
    if (r.getMetadataCount() > MAX_METADATA_PAIRS) {
      v.add(
          "metadata",
          "Give at most " + MAX_METADATA_PAIRS + " metadata pairs; got " + r.getMetadataCount() + ".");
    }
    for (Map.Entry<String, String> e : new TreeMap<>(r.getMetadataMap()).entrySet()) {
      String path = "metadata." + e.getKey();
      if (e.getKey().isEmpty() || length(e.getKey()) > MAX_METADATA_KEY) {
        v.add(path, "Use a metadata key of 1 to " + MAX_METADATA_KEY + " characters.");
      }
      maxLength(v, path, e.getValue(), MAX_METADATA_VALUE);
    }
  }

  private static void maxLength(Violations v, String field, String value, int max) {
    int n = length(value);
    if (n > max) {
      v.add(field, "Shorten " + field + " to at most " + max + " characters; it has " + n + ".");
    }
  }

  private static int length(String s) {
    return s.codePointCount(0, s.length());
  }

  // ---------------------------------------------------------------------------------------------
  // extra_body

  private static void extraBody(ChatRequest r, Violations v) {
    if (!r.hasExtraBody()) {
      return;
    }
    Struct extra = r.getExtraBody();
    for (String key : new TreeMap<>(extra.getFieldsMap()).keySet()) {
      String path = "extra_body." + key;
      switch (key) {
        case "stream":
          v.add(
              path,
              "Remove stream from extra_body; the gateway sets it (call StreamChat to stream).");
          break;
        case "stream_options":
          v.add(
              path,
              "Remove stream_options from extra_body; the gateway sets it, and usage is always"
                  + " reported.");
          break;
        default:
          if (ChatRequestBodies.RESERVED_KEYS.contains(key)) {
            v.add(path, "Remove " + key + " from extra_body; set ChatRequest." + key + " instead.");
          } else if (ALIAS_KEYS.containsKey(key)) {
            v.add(
                path,
                "Remove " + key + " from extra_body; set " + ALIAS_KEYS.get(key) + " instead.");
          }
          break;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static String num(double d) {
    if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return Double.toString(d);
  }

  private static final class Violations {
    final List<FieldViolation> list = new ArrayList<>();

    void add(String field, String description) {
      list.add(FieldViolation.newBuilder().setField(field).setDescription(description).build());
    }
  }
}
