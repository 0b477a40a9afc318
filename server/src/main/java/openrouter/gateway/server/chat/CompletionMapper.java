package openrouter.gateway.server.chat;

import openrouter.gateway.server.upstream.wire.ChatChunk;
import openrouter.gateway.server.upstream.wire.OpenRouterError;
import openrouter.gateway.server.upstream.wire.OpenRouterErrors;
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
     * {@code finish_reason:"error"}). The caller maps it to a status as it would an HTTP error
     * body.
     */
    record ErrorBody(OpenRouterError error) implements CompletionResult {}

    /** No usable choice: {@code choices} missing, null, empty, or the body not a JSON object. */
    record NoChoices() implements CompletionResult {}
  }

  /**
   * Maps a 200 body.
   *
   * @param body the body, read as one chunk
   * @param attempts upstream attempts made for this call, copied into the summary
   */
  public static CompletionResult map(ChatChunk body, int attempts) {
    if (body.error().isPresent()) {
      return new CompletionResult.ErrorBody(body.error().get());
    }
    if (body.choice().isEmpty()) {
      return new CompletionResult.NoChoices();
    }
    if (body.choice().get().finishReason().filter("error"::equals).isPresent()) {
      // An interrupted generation without details: report it as the provider error it is.
      return new CompletionResult.ErrorBody(OpenRouterErrors.synthetic(200, 502,
          "The provider ended the completion with finish_reason \"error\" and no details."));
    }
    StreamAssembler assembler = new StreamAssembler();
    assembler.accept(body);
    return new CompletionResult.Success(
        ChatResponse.newBuilder()
            .setMessage(assembler.assembledMessage())
            .setSummary(assembler.summary(attempts))
            .build());
  }
}
