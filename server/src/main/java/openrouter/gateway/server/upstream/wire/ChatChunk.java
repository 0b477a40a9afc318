package openrouter.gateway.server.upstream.wire;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One {@code data:} event of a streamed {@code /chat/completions} answer, or a whole
 * non-streaming body read the same way (a completion is one chunk whose choice carries {@code
 * message} instead of {@code delta}). Read by {@link ChatChunks}. Text fields are "" when
 * missing, null, empty or not text; a numeric value (e.g. an id) counts as its text.
 *
 * @param created {@code created}, when it is an integral number
 * @param usage {@code usage}, when present and not null
 * @param openrouterMetadata {@code openrouter_metadata}, when it is an object (free-form, passed
 *     through)
 * @param error the chunk's top-level {@code error} or, failing that, its first choice's
 * @param choice the first choice, when it is an object (OpenRouter's chat endpoint sends one)
 */
public record ChatChunk(
    String id,
    String model,
    String provider,
    String systemFingerprint,
    String serviceTier,
    OptionalLong created,
    Optional<TokenUsage> usage,
    Optional<Struct> openrouterMetadata,
    Optional<OpenRouterError> error,
    Optional<Choice> choice) {

  /** What a chunk that is not a JSON object stands for: nothing. */
  public static final ChatChunk NONE = new ChatChunk("", "", "", "", "", OptionalLong.empty(),
      Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

  /**
   * The first choice.
   *
   * @param finishReason {@code finish_reason}, when sent
   * @param delta {@code delta}, or {@code message} when there is no delta object
   * @param logprobs {@code logprobs}, when they carry anything (not null, not only empty lists)
   */
  public record Choice(Optional<String> finishReason, Optional<String> nativeFinishReason, Optional<Delta> delta,
      Optional<Value> logprobs) {}

  /**
   * What one delta added. Lists hold only the entries that carry something: objects among
   * {@code reasoning_details}, {@code tool_calls} and {@code annotations}, images with a URL.
   *
   * @param content the text of {@code content}: a string, or the text parts of a list joined
   * @param reasoning {@code reasoning}, or its alias {@code reasoning_content}
   * @param reasoningDetails free-form entries, passed through
   * @param audio a fragment of {@code audio}, when it has any field set
   */
  public record Delta(String content, String reasoning, String refusal, List<Struct> reasoningDetails,
      List<ToolCallFragment> toolCalls, List<Annotation> annotations, List<String> imageUrls,
      Optional<AudioFragment> audio) {
    public Delta {
      reasoningDetails = List.copyOf(reasoningDetails);
      toolCalls = List.copyOf(toolCalls);
      annotations = List.copyOf(annotations);
      imageUrls = List.copyOf(imageUrls);
    }
  }

  /**
   * A fragment of a tool call; fragments of one call share its index.
   *
   * @param index {@code index}, or the fragment's position in the list when it has none
   * @param arguments {@code function.arguments}: text, or an object some providers send, as
   *     compact JSON; "" when missing
   */
  public record ToolCallFragment(int index, String id, String type, String name, String arguments) {}

  /**
   * An annotation: a {@code url_citation} (nested or flattened onto the annotation), or any other
   * type passed through whole.
   */
  public record Annotation(String type, Optional<Citation> urlCitation, Optional<Struct> other) {}

  /** A web citation; {@code title}, {@code start_index} and {@code end_index} can be missing. */
  public record Citation(String url, String title, String content, OptionalInt startIndex, OptionalInt endIndex) {}

  /** A fragment of generated audio: {@code data} is this fragment's own base64 string. */
  public record AudioFragment(String id, String data, String transcript, long expiresAt) {}
}
