package openrouter.gateway.server.embeddings;

import com.google.rpc.BadRequest.FieldViolation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import openrouter.gateway.v1.EmbedRequest;
import openrouter.gateway.v1.EmbeddingInput;
import openrouter.gateway.v1.EmbeddingPart;

/**
 * Checks an Embed request before anything is sent upstream: every problem in one list of
 * field violations (INVALID_ARGUMENT with BadRequest), each saying what to fix.
 */
public final class EmbedRequestValidator {
  /** Larger than any embedding model's output today; past it a number is a mistake. */
  public static final int MAX_DIMENSIONS = 16_384;

  /** The kind of every input of a valid request (OpenRouter takes one kind per request). */
  public enum InputKind { TEXT, TOKENS, PARTS }

  private final Optional<String> defaultModel;
  private final int maxInputs;
  private final int maxRequestBytes;

  /**
   * @param defaultModel model used when a request names none
   * @param maxInputs most inputs in one request
   * @param maxRequestBytes most bytes of one serialized request
   */
  public EmbedRequestValidator(Optional<String> defaultModel, int maxInputs, int maxRequestBytes) {
    this.defaultModel = defaultModel.map(String::trim).filter(m -> !m.isEmpty());
    this.maxInputs = maxInputs;
    this.maxRequestBytes = maxRequestBytes;
  }

  /** The violations of {@code request}; empty when it may be sent. */
  public List<FieldViolation> validate(EmbedRequest request) {
    List<FieldViolation> out = new ArrayList<>();
    if (model(request).isEmpty()) {
      out.add(violation("model", "model is required (e.g. openai/text-embedding-3-small): this gateway"
          + " has no default embedding model (OPENROUTER_DEFAULT_EMBEDDING_MODEL)"));
    }
    int n = request.getInputsCount();
    if (n == 0) {
      out.add(violation("inputs", "inputs must hold at least one input (text, tokens or parts)"));
    } else if (n > maxInputs) {
      out.add(violation("inputs", "inputs holds " + n + " inputs; at most " + maxInputs
          + " are allowed per request: split the batch"));
    }
    int size = request.getSerializedSize();
    if (size > maxRequestBytes) {
      out.add(violation("inputs", "the request is " + size + " bytes; at most " + maxRequestBytes
          + " are allowed (GATEWAY_MAX_EMBED_BYTES): split the batch"));
    }
    int dimensions = request.getDimensions();
    if (dimensions < 0 || dimensions > MAX_DIMENSIONS) {
      out.add(violation("dimensions", "dimensions must be 0 (the model's default) or 1 to "
          + MAX_DIMENSIONS + ", got " + dimensions));
    }
    InputKind first = null;
    for (int i = 0; i < n && out.size() < 20; i++) {
      EmbeddingInput input = request.getInputs(i);
      String field = "inputs[" + i + "]";
      Optional<InputKind> kind = kind(input);
      if (kind.isEmpty()) {
        out.add(violation(field, "set exactly one of text (non-empty), tokens or parts"));
        continue;
      }
      if (first == null) {
        first = kind.get();
      } else if (kind.get() != first) {
        out.add(violation(field, "is " + name(kind.get()) + " but inputs[0] is " + name(first)
            + ": OpenRouter takes one kind of input per request; send them in separate calls"));
      }
      for (int p = 0; p < input.getPartsCount(); p++) {
        String problem = partProblem(input.getParts(p));
        if (problem != null) {
          out.add(violation(field + ".parts[" + p + "]", problem));
        }
      }
    }
    return out;
  }

  /** The model the request names, or the default; empty when neither. */
  public String model(EmbedRequest request) {
    String model = request.getModel().trim();
    return model.isEmpty() ? defaultModel.orElse("") : model;
  }

  /** The kind of an input, or empty unless exactly one of text, tokens and parts is set. */
  public static Optional<InputKind> kind(EmbeddingInput input) {
    int set = (input.getText().isEmpty() ? 0 : 1) + (input.getTokensCount() == 0 ? 0 : 1)
        + (input.getPartsCount() == 0 ? 0 : 1);
    if (set != 1) {
      return Optional.empty();
    }
    return Optional.of(!input.getText().isEmpty() ? InputKind.TEXT
        : input.getTokensCount() > 0 ? InputKind.TOKENS : InputKind.PARTS);
  }

  private static String name(InputKind kind) {
    return switch (kind) {
      case TEXT -> "text";
      case TOKENS -> "tokens";
      case PARTS -> "parts";
    };
  }

  private static String partProblem(EmbeddingPart part) {
    return switch (part.getPartCase()) {
      case PART_NOT_SET -> "set one of text, image_url, input_audio, input_video or input_file";
      case TEXT -> part.getText().isEmpty() ? "text must not be empty" : null;
      case IMAGE_URL -> part.getImageUrl().startsWith("https://") || part.getImageUrl().startsWith("http://")
          || part.getImageUrl().startsWith("data:") ? null
          : "image_url must be an http(s) URL or a data: URL";
      case INPUT_AUDIO -> part.getInputAudio().getData().isEmpty() ? "input_audio.data must hold base64 audio" : null;
      case INPUT_VIDEO -> part.getInputVideo().getData().isEmpty() ? "input_video.data must hold base64 video" : null;
      case INPUT_FILE -> part.getInputFile().getData().isEmpty() ? "input_file.data must hold the base64 file" : null;
    };
  }

  private static FieldViolation violation(String field, String description) {
    return FieldViolation.newBuilder().setField(field).setDescription(description).build();
  }
}
