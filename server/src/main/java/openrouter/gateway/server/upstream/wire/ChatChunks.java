package openrouter.gateway.server.upstream.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Struct;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import openrouter.gateway.server.json.OpenRouterJson;
import openrouter.gateway.server.json.StructJson;

/**
 * Reads chat chunks and completion bodies into {@link ChatChunk}s, leniently, as OpenRouter
 * asks clients to be: unknown fields are ignored; a missing or null {@code choices} is fine; a
 * choice carrying {@code message} instead of {@code delta} is read like a delta; tool-call
 * fragments may lack {@code id}, {@code index} or {@code arguments}; {@code error.code} may be a
 * number or a string.
 */
public final class ChatChunks {
  private ChatChunks() {}

  /** One parsed {@code data:} event or 200 body; {@link ChatChunk#NONE} when it is not an object. */
  public static ChatChunk parse(JsonNode chunk) {
    if (chunk == null || !chunk.isObject()) {
      return ChatChunk.NONE;
    }
    JsonNode createdNode = chunk.get("created");
    OptionalLong created = createdNode != null && createdNode.canConvertToLong() && createdNode.isNumber()
        ? OptionalLong.of(createdNode.asLong()) : OptionalLong.empty();
    JsonNode metadata = chunk.get("openrouter_metadata");
    JsonNode error = present(chunk.get("error")) ? chunk.get("error") : null;
    JsonNode choice = firstChoice(chunk);
    if (error == null && choice != null && present(choice.get("error"))) {
      error = choice.get("error");
    }
    return new ChatChunk(
        text(chunk.get("id")),
        text(chunk.get("model")),
        text(chunk.get("provider")),
        text(chunk.get("system_fingerprint")),
        text(chunk.get("service_tier")),
        created,
        present(chunk.get("usage")) ? Optional.of(usage(chunk.get("usage"))) : Optional.empty(),
        metadata != null && metadata.isObject() ? Optional.of(StructJson.toStruct(metadata)) : Optional.empty(),
        error == null ? Optional.empty() : Optional.of(OpenRouterErrors.parse(200, error, Map.of())),
        choice == null ? Optional.empty() : Optional.of(choice(choice)));
  }

  private static ChatChunk.Choice choice(JsonNode choice) {
    JsonNode d = choice.get("delta");
    if (d == null || !d.isObject()) {
      d = choice.get("message");
    }
    JsonNode lp = choice.get("logprobs");
    return new ChatChunk.Choice(
        optionalText(choice.get("finish_reason")),
        optionalText(choice.get("native_finish_reason")),
        d != null && d.isObject() ? Optional.of(delta(d)) : Optional.empty(),
        meaningfulLogprobs(lp) ? Optional.of(StructJson.toValue(lp)) : Optional.empty());
  }

  private static ChatChunk.Delta delta(JsonNode d) {
    String reasoning = text(d.get("reasoning"));
    if (reasoning.isEmpty()) {
      reasoning = text(d.get("reasoning_content")); // alias some providers use
    }
    List<Struct> details = new ArrayList<>();
    for (JsonNode detail : list(d.get("reasoning_details"))) {
      if (detail.isObject()) {
        details.add(StructJson.toStruct(detail));
      }
    }
    List<ChatChunk.ToolCallFragment> calls = new ArrayList<>();
    int position = 0;
    for (JsonNode call : list(d.get("tool_calls"))) {
      if (call.isObject()) {
        calls.add(toolCall(call, position));
      }
      position++;
    }
    List<ChatChunk.Annotation> annotations = new ArrayList<>();
    for (JsonNode note : list(d.get("annotations"))) {
      if (note.isObject()) {
        annotations.add(annotation(note));
      }
    }
    List<String> images = new ArrayList<>();
    for (JsonNode img : list(d.get("images"))) {
      String url = text(img.path("image_url").get("url"), text(img.get("url")));
      if (!url.isEmpty()) {
        images.add(url);
      }
    }
    return new ChatChunk.Delta(contentText(d.get("content")), reasoning, text(d.get("refusal")), details, calls,
        annotations, images, audio(d.get("audio")));
  }

  private static ChatChunk.ToolCallFragment toolCall(JsonNode call, int position) {
    JsonNode fn = call.path("function");
    JsonNode args = fn.get("arguments");
    String arguments;
    if (args == null || args.isNull() || args.isMissingNode()) {
      arguments = "";
    } else if (args.isTextual()) {
      arguments = args.textValue();
    } else {
      arguments = OpenRouterJson.write(args); // a provider sent the arguments as an object
    }
    JsonNode index = call.get("index");
    return new ChatChunk.ToolCallFragment(
        index != null && index.canConvertToInt() && index.isNumber() ? index.asInt() : position,
        text(call.get("id")), text(call.get("type")), text(fn.get("name")), arguments);
  }

  private static ChatChunk.Annotation annotation(JsonNode note) {
    String type = text(note.get("type"));
    if (!type.equals("url_citation")) {
      return new ChatChunk.Annotation(type, Optional.empty(), Optional.of(StructJson.toStruct(note)));
    }
    JsonNode c = note.get("url_citation");
    if (c == null || !c.isObject()) {
      c = note; // flattened form: the citation fields on the annotation itself
    }
    return new ChatChunk.Annotation(type, Optional.of(new ChatChunk.Citation(
        text(c.get("url")), text(c.get("title")), text(c.get("content")),
        index(c.get("start_index")), index(c.get("end_index")))), Optional.empty());
  }

  private static OptionalInt index(JsonNode n) {
    return n != null && n.isIntegralNumber() && n.canConvertToInt() ? OptionalInt.of(n.asInt()) : OptionalInt.empty();
  }

  private static Optional<ChatChunk.AudioFragment> audio(JsonNode a) {
    if (a == null || !a.isObject() || a.isEmpty()) {
      return Optional.empty();
    }
    ChatChunk.AudioFragment fragment = new ChatChunk.AudioFragment(
        text(a.get("id")), text(a.get("data")), text(a.get("transcript")), a.path("expires_at").asLong(0));
    boolean empty = fragment.id().isEmpty() && fragment.data().isEmpty() && fragment.transcript().isEmpty()
        && fragment.expiresAt() == 0;
    return empty ? Optional.empty() : Optional.of(fragment);
  }

  /** The {@code usage} object; {@link TokenUsage#EMPTY} when it is not an object. */
  public static TokenUsage usage(JsonNode usage) {
    if (usage == null || !usage.isObject()) {
      return TokenUsage.EMPTY;
    }
    JsonNode prompt = usage.get("prompt_tokens_details");
    JsonNode completion = usage.get("completion_tokens_details");
    JsonNode cost = usage.get("cost_details");
    JsonNode tools = usage.get("server_tool_use_details");
    return new TokenUsage(
        count(usage.get("prompt_tokens")),
        count(usage.get("completion_tokens")),
        count(usage.get("total_tokens")),
        decimal(usage.get("cost")),
        usage.path("is_byok").asBoolean(false),
        isObject(prompt) ? Optional.of(new TokenUsage.PromptDetails(count(prompt.get("cached_tokens")),
            count(prompt.get("cache_write_tokens")), count(prompt.get("audio_tokens")),
            count(prompt.get("video_tokens")))) : Optional.empty(),
        isObject(completion) ? Optional.of(new TokenUsage.CompletionDetails(
            count(completion.get("reasoning_tokens")), count(completion.get("audio_tokens")),
            count(completion.get("image_tokens")), count(completion.get("accepted_prediction_tokens")),
            count(completion.get("rejected_prediction_tokens")))) : Optional.empty(),
        isObject(cost) ? Optional.of(new TokenUsage.CostDetails(decimal(cost.get("upstream_inference_cost")),
            decimal(cost.get("upstream_inference_prompt_cost")),
            decimal(cost.get("upstream_inference_completions_cost")))) : Optional.empty(),
        isObject(tools) ? Optional.of(new TokenUsage.ServerToolUse(count(tools.get("web_search_requests")),
            count(tools.get("tool_calls_requested")), count(tools.get("tool_calls_executed")))) : Optional.empty());
  }

  /**
   * A JSON number (or numeric string) as a plain decimal string, exactly as its decimal value;
   * empty for null, missing or non-numeric values.
   */
  public static String decimal(JsonNode node) {
    if (node == null) {
      return "";
    }
    if (node.isNumber()) {
      return node.decimalValue().toPlainString();
    }
    if (node.isTextual()) {
      String text = node.textValue().trim();
      try {
        new BigDecimal(text);
        return text;
      } catch (NumberFormatException e) {
        return "";
      }
    }
    return "";
  }

  /** A token count: an integral number, saturated to int; 0 for anything else. */
  static int count(JsonNode node) {
    if (node == null || !node.isNumber()) {
      return 0;
    }
    long value = node.isIntegralNumber() ? node.asLong() : node.decimalValue().longValue();
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, value));
  }

  private static JsonNode firstChoice(JsonNode chunk) {
    JsonNode choices = chunk.get("choices");
    if (choices == null || !choices.isArray() || choices.isEmpty()) {
      return null;
    }
    JsonNode first = choices.get(0);
    return first.isObject() ? first : null;
  }

  /** The text of content: a string, or the text parts of a content array joined. */
  private static String contentText(JsonNode c) {
    if (c == null) {
      return "";
    }
    if (c.isTextual()) {
      return c.textValue();
    }
    StringBuilder sb = new StringBuilder();
    for (JsonNode part : list(c)) {
      if (part.isTextual()) {
        sb.append(part.textValue());
      } else if (part.isObject() && part.path("text").isTextual()) {
        sb.append(part.get("text").textValue());
      }
    }
    return sb.toString();
  }

  /** Whether logprobs carry anything: not null, and not only empty arrays or nulls inside. */
  private static boolean meaningfulLogprobs(JsonNode lp) {
    if (!present(lp)) {
      return false;
    }
    if (lp.isObject()) {
      for (JsonNode v : lp) {
        if (present(v) && !(v.isContainerNode() && v.isEmpty())) {
          return true;
        }
      }
      return false;
    }
    return !(lp.isContainerNode() && lp.isEmpty());
  }

  private static Iterable<JsonNode> list(JsonNode n) {
    return n != null && n.isArray() ? n : List.of();
  }

  private static boolean isObject(JsonNode n) {
    return n != null && n.isObject();
  }

  private static boolean present(JsonNode n) {
    return n != null && !n.isNull() && !n.isMissingNode();
  }

  /** A string field's text; "" when missing, null, empty or not a string (a number counts). */
  private static String text(JsonNode n) {
    return text(n, "");
  }

  private static String text(JsonNode n, String otherwise) {
    if (n != null && n.isTextual() && !n.textValue().isEmpty()) {
      return n.textValue();
    }
    if (n != null && n.isNumber()) {
      return n.asText(); // e.g. a numeric id
    }
    return otherwise;
  }

  private static Optional<String> optionalText(JsonNode n) {
    String t = text(n);
    return t.isEmpty() ? Optional.empty() : Optional.of(t);
  }
}
