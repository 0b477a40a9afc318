package openrouter.gateway.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed {@code POST /chat/completions} body, with the few views the scenarios need and the
 * per-request {@code metadata.sim_*} knobs that tests and benchmarks use to drive the simulator.
 */
final class CompletionRequestBody {
  private final String rawBody;
  private final ObjectNode root;
  private final Map<String, String> metadata;
  private int promptWords = -1;
  private String apiKey = "";

  private CompletionRequestBody(String rawBody, ObjectNode root) {
    this.rawBody = rawBody;
    this.root = root;
    Map<String, String> meta = new LinkedHashMap<>();
    root.path("metadata").properties().forEach(e -> meta.put(e.getKey(), e.getValue().asText()));
    this.metadata = Collections.unmodifiableMap(meta);
  }

  /** Parses and validates the body; throws OpenRouter's 400 errors for bad input. */
  static CompletionRequestBody parse(String body) {
    JsonNode node;
    try {
      node = JsonBodies.MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw ErrorResponses.invalidRequest("Invalid JSON in request body");
    }
    if (node == null || !node.isObject()) {
      throw ErrorResponses.invalidRequest("Request body must be a JSON object");
    }
    JsonNode messages = node.path("messages");
    if (!messages.isArray() || messages.isEmpty()) {
      throw ErrorResponses.invalidRequest("Input required: specify \"prompt\" or \"messages\"");
    }
    JsonNode models = node.path("models");
    if (!models.isMissingNode() && !models.isNull()) {
      if (!models.isArray()) {
        throw ErrorResponses.invalidRequest("'models' must be an array of strings");
      }
      if (models.size() > 3) {
        throw ErrorResponses.tooManyFallbackModels();
      }
    }
    CompletionRequestBody request = new CompletionRequestBody(body, (ObjectNode) node);
    request.validateKnobs();
    return request;
  }

  /** Rejects bad {@code sim_*} knobs up front, so they never count as a model failure. */
  private void validateKnobs() {
    lineEnding();
    chunkDelay(Duration.ZERO);
    intKnob("sim_chunks", 0, 0, ChatScenarios.MAX_FIXED_CHUNKS);
    intKnob("sim_chunk_chars", 1, 1, ChatScenarios.MAX_FIXED_CHUNK_CHARS);
  }

  String rawBody() {
    return rawBody;
  }

  /** The key the request was sent with (for {@code sim/error-echo-key}); empty if none. */
  String apiKey() {
    return apiKey;
  }

  CompletionRequestBody withApiKey(String authorization) {
    String value = authorization == null ? "" : authorization.strip();
    this.apiKey = value.regionMatches(true, 0, "Bearer ", 0, 7) ? value.substring(7).strip() : value;
    return this;
  }

  /** {@code sim_huge_bytes}: the size of {@code sim/huge}'s one content piece. */
  long hugeBytes() {
    return intKnob("sim_huge_bytes", ChatScenarios.HUGE_DEFAULT_BYTES, 1, Integer.MAX_VALUE);
  }

  boolean stream() {
    return root.path("stream").asBoolean(false);
  }

  /** {@code model} then the {@code models} entries, without duplicates, in order. */
  List<String> candidateModels() {
    List<String> candidates = new ArrayList<>();
    if (root.path("model").isTextual()) {
      candidates.add(root.get("model").asText());
    }
    for (JsonNode m : root.path("models")) {
      if (m.isTextual() && !candidates.contains(m.asText())) {
        candidates.add(m.asText());
      }
    }
    return candidates;
  }

  /** Text of the last {@code user} message ("" if none). */
  String lastUserText() {
    JsonNode messages = root.path("messages");
    for (int i = messages.size() - 1; i >= 0; i--) {
      if ("user".equals(messages.get(i).path("role").asText())) {
        return text(messages.get(i).path("content"));
      }
    }
    return "";
  }

  JsonNode lastMessage() {
    JsonNode messages = root.path("messages");
    return messages.get(messages.size() - 1);
  }

  /** Names of the function tools, in order. */
  List<String> functionNames() {
    List<String> names = new ArrayList<>();
    for (JsonNode tool : root.path("tools")) {
      String name = tool.path("function").path("name").asText("");
      if (!name.isEmpty()) {
        names.add(name);
      }
    }
    return names;
  }

  boolean parallelToolCalls() {
    return root.path("parallel_tool_calls").asBoolean(true);
  }

  /** Prompt tokens: whitespace-separated words over every message's text. */
  int promptWords() {
    if (promptWords < 0) { // asked for several times per response: count once
      int words = 0;
      for (JsonNode message : root.path("messages")) {
        words += words(text(message.path("content")));
      }
      promptWords = words;
    }
    return promptWords;
  }

  /** Number of image, audio, file and video parts in the prompt (for /generation stats). */
  int mediaParts(String... types) {
    int count = 0;
    for (JsonNode message : root.path("messages")) {
      for (JsonNode part : message.path("content")) {
        for (String type : types) {
          if (type.equals(part.path("type").asText())) {
            count++;
          }
        }
      }
    }
    return count;
  }

  String user() {
    return root.path("user").isTextual() ? root.get("user").asText() : null;
  }

  String sessionId() {
    return root.path("session_id").isTextual() ? root.get("session_id").asText() : null;
  }

  // ---- knobs read from metadata ----

  /** {@code sim_chunk_delay_ms}, else the given default. */
  Duration chunkDelay(Duration fallback) {
    int ms = intKnob("sim_chunk_delay_ms", -1, 0, 600_000);
    return ms < 0 ? fallback : Duration.ofMillis(ms);
  }

  /** {@code sim_line_ending=crlf} switches every line ending of the stream to CRLF. */
  String lineEnding() {
    String value = metadata.getOrDefault("sim_line_ending", "lf");
    return switch (value.toLowerCase(java.util.Locale.ROOT)) {
      case "lf" -> "\n";
      case "crlf" -> "\r\n";
      default -> throw ErrorResponses.invalidRequest("metadata.sim_line_ending must be lf or crlf");
    };
  }

  /** {@code sim_split_writes=true} writes every event in 3-byte pieces. */
  boolean splitWrites() {
    return Boolean.parseBoolean(metadata.getOrDefault("sim_split_writes", "false"));
  }

  /** An integer knob from metadata within [min, max]; 400 if present but invalid. */
  int intKnob(String name, int fallback, int min, int max) {
    String value = metadata.get(name);
    if (value == null) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw ErrorResponses.invalidRequest(
        "metadata." + name + " must be an integer between " + min + " and " + max);
  }

  // ---- helpers ----

  /** A content value as text: a string, or the concatenated {@code text} of its parts. */
  static String text(JsonNode content) {
    if (content.isTextual()) {
      return content.asText();
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode part : content) {
      if (part.path("text").isTextual()) {
        text.append(part.get("text").asText());
      }
    }
    return text.toString();
  }

  static int words(String text) {
    // The words of text.strip() split on regex \s+, counted without a regex (a hot path):
    // a word starts at each non-\s character that follows a \s one, or the stripped start.
    String trimmed = text.strip();
    int words = 0;
    boolean inWord = false;
    for (int i = 0; i < trimmed.length(); i++) {
      boolean space = isRegexSpace(trimmed.charAt(i));
      if (!space && !inWord) {
        words++;
      }
      inWord = !space;
    }
    return words;
  }

  /** Regex {@code \s} without UNICODE_CHARACTER_CLASS: {@code [ \t\n\x0B\f\r]}. */
  private static boolean isRegexSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
  }
}
