package openrouter.gateway.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a model "generates": the stream deltas (without {@code role}, which the writer adds), how
 * the answer ends, and the pacing. The streaming writer sends the deltas as chunks; the JSON
 * writer assembles them into one message, so both modes always agree.
 *
 * @param shape how the response ends (normal, truncated, mid-stream error ...)
 * @param deltas {@code choices[0].delta} objects, one per content chunk
 * @param finishReason normalised finish reason of a normal answer
 * @param nativeFinishReason the "provider's" raw finish reason
 * @param chunkDelay pause between delta chunks
 * @param padded non-streaming only: write whitespace padding before the JSON body
 */
record ChatAnswer(
    Shape shape,
    List<ObjectNode> deltas,
    String finishReason,
    String nativeFinishReason,
    Duration chunkDelay,
    boolean padded) {

  /** How the response ends. */
  enum Shape {
    /** Deltas, finish chunk, usage chunk, [DONE]. */
    NORMAL,
    /** No choices at all: only the usage chunk and [DONE]. */
    EMPTY,
    /** Deltas, then the body simply ends: no finish_reason, no [DONE]. */
    TRUNCATED,
    /** Deltas, then keep-alive comments until the client leaves or the simulator closes. */
    STALL,
    /** Deltas, then an error chunk with a numeric {@code code}, then the end (no [DONE]). */
    MIDSTREAM_ERROR,
    /** Same as MIDSTREAM_ERROR with {@code "code":"server_error"}. */
    MIDSTREAM_ERROR_STRING,
    /** HTTP 200 whose body (or first event) is an error with code 524. */
    ERROR_IN_200,
    /** HTTP 200 with an unparsable body (HTML, or a broken data event). */
    MALFORMED,
    /** HTTP 200 {@code application/json} error body (code 524), even to a streaming request. */
    JSON_ERROR_IN_200,
    /** One content piece of {@code sim_huge_bytes} bytes, in one event or one body. */
    HUGE,
    /** A content piece that never ends: no line break, no end of body. */
    ENDLESS
  }

  ChatAnswer {
    deltas = List.copyOf(deltas);
  }

  static ChatAnswer normal(List<ObjectNode> deltas, String finish, String nativeFinish,
      Duration delay) {
    return new ChatAnswer(Shape.NORMAL, deltas, finish, nativeFinish, delay, false);
  }

  static ChatAnswer shaped(Shape shape, List<ObjectNode> deltas, Duration delay) {
    return new ChatAnswer(shape, deltas, null, null, delay, false);
  }

  ChatAnswer withPadding() {
    return new ChatAnswer(shape, deltas, finishReason, nativeFinishReason, chunkDelay, true);
  }

  /** Time the whole answer takes to "generate" (the pauses between its chunks). */
  Duration generationTime() {
    return deltas.size() < 2 ? Duration.ZERO : chunkDelay.multipliedBy(deltas.size() - 1L);
  }

  // ---- assembling deltas into a message ----

  /** The first {@code count} deltas merged the way a client assembles a stream (§3.3). */
  static Assembled assemble(List<ObjectNode> deltas, int count) {
    StringBuilder content = new StringBuilder();
    StringBuilder reasoning = new StringBuilder();
    boolean hasContent = false;
    boolean hasReasoning = false;
    Map<Integer, ObjectNode> details = new TreeMap<>();
    Map<Integer, ObjectNode> toolCalls = new TreeMap<>();
    ArrayNode annotations = JsonBodies.array();
    for (ObjectNode delta : deltas.subList(0, Math.min(count, deltas.size()))) {
      if (delta.path("content").isTextual()) {
        content.append(delta.get("content").asText());
        hasContent = true;
      }
      if (delta.path("reasoning").isTextual()) {
        reasoning.append(delta.get("reasoning").asText());
        hasReasoning = true;
      }
      for (JsonNode detail : delta.path("reasoning_details")) {
        ObjectNode merged = details.computeIfAbsent(detail.path("index").asInt(), i -> {
          ObjectNode d = detail.deepCopy();
          d.put("text", "");
          return d;
        });
        merged.put("text", merged.get("text").asText() + detail.path("text").asText());
      }
      for (JsonNode call : delta.path("tool_calls")) {
        ObjectNode merged = toolCalls.computeIfAbsent(call.path("index").asInt(), i -> {
          ObjectNode c = JsonBodies.object();
          c.put("id", call.path("id").asText());
          c.put("type", call.path("type").asText("function"));
          ObjectNode fn = c.putObject("function");
          fn.put("name", call.path("function").path("name").asText());
          fn.put("arguments", "");
          return c;
        });
        ObjectNode fn = (ObjectNode) merged.get("function");
        fn.put("arguments",
            fn.get("arguments").asText() + call.path("function").path("arguments").asText());
      }
      delta.path("annotations").forEach(annotations::add);
    }
    ArrayNode calls = JsonBodies.array();
    toolCalls.values().forEach(calls::add);
    ArrayNode detailArray = JsonBodies.array();
    details.values().forEach(detailArray::add);
    return new Assembled(
        hasContent || calls.isEmpty() ? content.toString() : null,
        hasReasoning ? reasoning.toString() : null,
        detailArray, calls, annotations);
  }

  /** An assembled assistant message. {@code content} is null only for pure tool calls. */
  record Assembled(String content, String reasoning, ArrayNode reasoningDetails,
      ArrayNode toolCalls, ArrayNode annotations) {

    /** Completion tokens: words of the content, the reasoning and each tool call. */
    int completionWords() {
      int words = CompletionRequestBody.words(content == null ? "" : content) + reasoningWords();
      for (JsonNode call : toolCalls) {
        words += CompletionRequestBody.words(call.path("function").path("name").asText() + " "
            + call.path("function").path("arguments").asText());
      }
      return words;
    }

    int reasoningWords() {
      return CompletionRequestBody.words(reasoning == null ? "" : reasoning);
    }
  }
}
