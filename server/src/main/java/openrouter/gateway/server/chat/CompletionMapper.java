package openrouter.gateway.server.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import openrouter.gateway.server.json.Json;
import openrouter.gateway.v1.ChatResponse;

/**
 * Maps a non-streaming {@code /chat/completions} body (HTTP 200) to a {@link ChatResponse}, or
 * says why it cannot: OpenRouter reports some failures inside a 200 body.
 *
 * <p>The answer is assembled by {@link StreamAssembler} from the body as if it were one chunk,
 * so unary and streamed calls report the same message, finish reason and usage.
 */
public final class CompletionMapper {
  private CompletionMapper() {}

  /** The outcome of mapping a 200 body. */
  public sealed interface CompletionResult {
    /** A usable completion. */
    record Success(ChatResponse response) implements CompletionResult {}

    /**
     * The body reports an error: its top-level {@code error}, or {@code choices[0].error} (with
     * {@code finish_reason:"error"}), exactly as sent; {@code code} may be a number or a string,
     * or missing. The caller maps it to a status as it would an HTTP error body.
     */
    record ErrorBody(JsonNode error) implements CompletionResult {}

    /** No usable choice: {@code choices} missing, null, empty, or the body not a JSON object. */
    record NoChoices() implements CompletionResult {}
  }

  /**
   * Maps a parsed 200 body.
   *
   * @param attempts upstream attempts made for this call, copied into the summary
   */
  public static CompletionResult map(JsonNode body, int attempts) {
    if (body == null || !body.isObject()) {
      return new CompletionResult.NoChoices();
    }
    JsonNode error = body.get("error");
    if (present(error)) {
      return new CompletionResult.ErrorBody(error);
    }
    JsonNode choices = body.get("choices");
    if (choices == null || !choices.isArray() || choices.isEmpty() || !choices.get(0).isObject()) {
      return new CompletionResult.NoChoices();
    }
    JsonNode choice = choices.get(0);
    JsonNode choiceError = choice.get("error");
    if (present(choiceError)) {
      return new CompletionResult.ErrorBody(choiceError);
    }
    if ("error".equals(choice.path("finish_reason").asText(null))) {
      // An interrupted generation without details: report it as the provider error it is.
      ObjectNode synthesized = Json.object();
      synthesized.put("code", 502);
      synthesized.put(
          "message", "The provider ended the completion with finish_reason \"error\" and no details.");
      return new CompletionResult.ErrorBody(synthesized);
    }
    StreamAssembler assembler = new StreamAssembler();
    assembler.accept(body);
    return new CompletionResult.Success(
        ChatResponse.newBuilder()
            .setMessage(assembler.assembledMessage())
            .setSummary(assembler.summary(attempts))
            .build());
  }

  private static boolean present(JsonNode n) {
    return n != null && !n.isNull() && !n.isMissingNode();
  }
}
