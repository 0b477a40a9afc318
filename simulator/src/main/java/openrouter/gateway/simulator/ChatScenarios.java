package openrouter.gateway.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The behaviours behind the {@code sim/*} models; see the table on {@link SimulatorCatalog}. */
final class ChatScenarios {
  static final int MAX_FIXED_CHUNKS = 1_000_000;
  static final int MAX_FIXED_CHUNK_CHARS = 65_536;
  static final Duration SLOW_CHUNK_DELAY = Duration.ofMillis(200);
  static final int INSPECT_CHUNK_CHARS = 64;
  /** {@code sim/huge}'s default: over the gateway's default line, event and body bounds. */
  static final int HUGE_DEFAULT_BYTES = 80 << 20;
  static final String CITED_TEXT = "The simulator cites example.com as its source.";
  static final String CITED_URL = "https://example.com/simulator";
  static final String REASONING_TEXT =
      "The user wants their message repeated, so I will echo it back.";

  private ChatScenarios() {}

  // ---- well-behaved models ----

  /** Echoes the last user message, a word (with its trailing spaces) per chunk. */
  static ChatScenario echo() {
    return (request, model, options) -> ChatAnswer.normal(
        contentDeltas(wordPieces(request.lastUserText())), "stop", "end_turn",
        request.chunkDelay(options.defaultChunkDelay()));
  }

  /** Like echo, 200 ms between chunks unless the request sets sim_chunk_delay_ms. */
  static ChatScenario slow() {
    return (request, model, options) -> ChatAnswer.normal(
        contentDeltas(wordPieces(request.lastUserText())), "stop", "end_turn",
        request.chunkDelay(SLOW_CHUNK_DELAY));
  }

  /** Answers with the raw request body, in 64-character chunks. */
  static ChatScenario inspect() {
    return (request, model, options) -> ChatAnswer.normal(
        contentDeltas(fixedPieces(request.rawBody(), INSPECT_CHUNK_CHARS)), "stop", "end_turn",
        request.chunkDelay(options.defaultChunkDelay()));
  }

  /** sim_chunks chunks (default 64) of sim_chunk_chars characters (default 8): for benchmarks. */
  static ChatScenario fixed() {
    return (request, model, options) -> {
      int chunks = request.intKnob("sim_chunks", 64, 0, MAX_FIXED_CHUNKS);
      int chars = request.intKnob("sim_chunk_chars", 8, 1, MAX_FIXED_CHUNK_CHARS);
      List<String> pieces = new ArrayList<>(chunks);
      for (int i = 0; i < chunks; i++) {
        char letter = (char) ('a' + i % 26);
        // A trailing space makes every chunk one word, so completion_tokens == chunks.
        pieces.add(chars == 1 ? String.valueOf(letter) : String.valueOf(letter).repeat(chars - 1) + " ");
      }
      return ChatAnswer.normal(contentDeltas(pieces), "stop", "end_turn",
          request.chunkDelay(options.defaultChunkDelay()));
    };
  }

  /** Calls tools (streamed as argument fragments), or acknowledges a tool result. */
  static ChatScenario tools() {
    return (request, model, options) -> {
      Duration delay = request.chunkDelay(options.defaultChunkDelay());
      if ("tool".equals(request.lastMessage().path("role").asText())) {
        String result = CompletionRequestBody.text(request.lastMessage().path("content"));
        return ChatAnswer.normal(contentDeltas(wordPieces("Tool result received: " + result)),
            "stop", "end_turn", delay);
      }
      List<String> names = request.functionNames();
      if (names.isEmpty()) {
        names = List.of("get_weather");
      }
      int calls = names.size() >= 2 && request.parallelToolCalls() ? 2 : 1;
      List<ObjectNode> deltas = new ArrayList<>();
      for (int index = 0; index < calls; index++) {
        deltas.add(toolCallDelta(index, "call_sim_" + (index + 1), names.get(index), ""));
        deltas.add(toolCallDelta(index, null, null, "{\"city\":"));
        deltas.add(toolCallDelta(index, null, null, "\"Paris\"}"));
      }
      return ChatAnswer.normal(deltas, "tool_calls", "tool_use", delay);
    };
  }

  /** Reasoning fragments (text and details), then an echo of the last user message. */
  static ChatScenario reasoning() {
    return (request, model, options) -> {
      List<ObjectNode> deltas = new ArrayList<>();
      for (String piece : wordPieces(REASONING_TEXT)) {
        ObjectNode delta = JsonBodies.object();
        delta.put("reasoning", piece);
        ObjectNode detail = delta.putArray("reasoning_details").addObject();
        detail.put("type", "reasoning.text");
        detail.put("text", piece);
        detail.put("format", "unknown");
        detail.put("index", 0);
        deltas.add(delta);
      }
      deltas.addAll(contentDeltas(wordPieces(request.lastUserText())));
      return ChatAnswer.normal(deltas, "stop", "end_turn",
          request.chunkDelay(options.defaultChunkDelay()));
    };
  }

  /** A fixed sentence with a url_citation annotation on its last chunk. */
  static ChatScenario cited() {
    return (request, model, options) -> {
      List<ObjectNode> deltas = contentDeltas(wordPieces(CITED_TEXT));
      ObjectNode annotation = JsonBodies.object();
      annotation.put("type", "url_citation");
      ObjectNode citation = annotation.putObject("url_citation");
      citation.put("url", CITED_URL);
      citation.put("title", "Simulator citation");
      citation.put("content", "A page the simulator pretends to have searched.");
      int start = CITED_TEXT.indexOf("example.com");
      citation.put("start_index", start);
      citation.put("end_index", start + "example.com".length());
      ArrayNode annotations = deltas.get(deltas.size() - 1).putArray("annotations");
      annotations.add(annotation);
      return ChatAnswer.normal(deltas, "stop", "end_turn",
          request.chunkDelay(options.defaultChunkDelay()));
    };
  }

  /** One content chunk, then only keep-alive comments, forever. */
  static ChatScenario stall() {
    return (request, model, options) -> ChatAnswer.shaped(ChatAnswer.Shape.STALL,
        contentDeltas(List.of("Working on it")), Duration.ZERO);
  }

  /** Only keep-alive comments, never a data event. */
  static ChatScenario stallFirst() {
    return (request, model, options) ->
        ChatAnswer.shaped(ChatAnswer.Shape.STALL, List.of(), Duration.ZERO);
  }

  // ---- fault models ----

  /** Fails before any output with OpenRouter's error for this status. */
  static ChatScenario error(int status) {
    return (request, model, options) -> {
      throw ErrorResponses.fault(status, model, request, options.clock());
    };
  }

  static ChatScenario capacityExhausted() {
    return (request, model, options) -> {
      throw ErrorResponses.capacityExhausted(model);
    };
  }

  /** A model id that exists but is not a chat model (e.g. embeddings). */
  static ChatScenario wrongEndpoint() {
    return (request, model, options) -> {
      throw ErrorResponses.wrongEndpoint(model);
    };
  }

  /** Three content chunks, then an error chunk (numeric or string code), no [DONE]. */
  static ChatScenario midstreamError(boolean stringCode) {
    return (request, model, options) -> ChatAnswer.shaped(
        stringCode ? ChatAnswer.Shape.MIDSTREAM_ERROR_STRING : ChatAnswer.Shape.MIDSTREAM_ERROR,
        contentDeltas(List.of("Partial ", "answer ", "before failure")),
        request.chunkDelay(options.defaultChunkDelay()));
  }

  /** Three content chunks, then the body ends. */
  static ChatScenario truncated() {
    return (request, model, options) -> ChatAnswer.shaped(ChatAnswer.Shape.TRUNCATED,
        contentDeltas(List.of("Truncated ", "answer ", "ends here")),
        request.chunkDelay(options.defaultChunkDelay()));
  }

  static ChatScenario errorIn200() {
    return (request, model, options) ->
        ChatAnswer.shaped(ChatAnswer.Shape.ERROR_IN_200, List.of(), Duration.ZERO);
  }

  /** HTTP 200 with an application/json error body, whatever the request asked for. */
  static ChatScenario jsonErrorIn200() {
    return (request, model, options) ->
        ChatAnswer.shaped(ChatAnswer.Shape.JSON_ERROR_IN_200, List.of(), Duration.ZERO);
  }

  /** One content piece of sim_huge_bytes bytes: a huge event, or a huge body. */
  static ChatScenario huge() {
    return (request, model, options) ->
        new ChatAnswer(ChatAnswer.Shape.HUGE, List.of(), "stop", "end_turn", Duration.ZERO, false);
  }

  /** A content piece that never ends: an endless SSE line, or an endless body. */
  static ChatScenario endless() {
    return (request, model, options) ->
        ChatAnswer.shaped(ChatAnswer.Shape.ENDLESS, List.of(), Duration.ZERO);
  }

  static ChatScenario redirect(boolean loop) {
    return (request, model, options) -> {
      throw ErrorResponses.redirect(loop);
    };
  }

  static ChatScenario overloadedRetryNow() {
    return (request, model, options) -> {
      throw ErrorResponses.overloadedRetryNow(model, request, options.clock());
    };
  }

  static ChatScenario echoKey() {
    return (request, model, options) -> {
      throw ErrorResponses.echoKey(request.apiKey());
    };
  }

  static ChatScenario malformed() {
    return (request, model, options) ->
        ChatAnswer.shaped(ChatAnswer.Shape.MALFORMED, List.of(), Duration.ZERO);
  }

  static ChatScenario empty() {
    return (request, model, options) ->
        ChatAnswer.shaped(ChatAnswer.Shape.EMPTY, List.of(), Duration.ZERO);
  }

  /** Echo; non-streaming answers get whitespace padding before the JSON. */
  static ChatScenario padded() {
    ChatScenario echo = echo();
    return (request, model, options) -> echo.answer(request, model, options).withPadding();
  }

  // ---- helpers ----

  /** Splits text after each run of whitespace: "a b  c" gives "a ", "b  ", "c". */
  static List<String> wordPieces(String text) {
    if (text.isEmpty()) {
      return List.of();
    }
    return List.of(text.split("(?<=\\s)(?=\\S)"));
  }

  /** Splits text into pieces of at most {@code size} chars, never inside a surrogate pair. */
  static List<String> fixedPieces(String text, int size) {
    List<String> pieces = new ArrayList<>();
    int start = 0;
    while (start < text.length()) {
      int end = Math.min(start + size, text.length());
      if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
        end--;
      }
      pieces.add(text.substring(start, end));
      start = end;
    }
    return pieces;
  }

  static List<ObjectNode> contentDeltas(List<String> pieces) {
    List<ObjectNode> deltas = new ArrayList<>(pieces.size());
    for (String piece : pieces) {
      ObjectNode delta = JsonBodies.object();
      delta.put("content", piece);
      deltas.add(delta);
    }
    return deltas;
  }

  private static ObjectNode toolCallDelta(int index, String id, String name, String arguments) {
    ObjectNode delta = JsonBodies.object();
    ObjectNode call = delta.putArray("tool_calls").addObject();
    call.put("index", index);
    if (id != null) {
      call.put("id", id);
      call.put("type", "function");
    }
    ObjectNode function = call.putObject("function");
    if (name != null) {
      function.put("name", name);
    }
    function.put("arguments", arguments);
    return delta;
  }
}
