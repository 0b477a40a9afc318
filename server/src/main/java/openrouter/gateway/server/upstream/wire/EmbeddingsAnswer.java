package openrouter.gateway.server.upstream.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;

/**
 * OpenRouter's {@code POST /embeddings} 200 answer, read by {@link EmbeddingsAnswers}.
 *
 * @param data the {@code data} list, when it is a list
 * @param error the body's {@code error}, when it is an object (a 200 whose body is an error)
 * @param id {@code id} when it is text, else ""
 */
public record EmbeddingsAnswer(Optional<List<Item>> data, Optional<OpenRouterError> error, String id, String model,
    String provider, Optional<Usage> usage) {

  public EmbeddingsAnswer {
    data = data.map(List::copyOf);
  }

  /**
   * One entry of {@code data}.
   *
   * @param index {@code index}, when it is an int
   */
  public record Item(OptionalInt index, Vector embedding) {}

  /** {@code usage}; counts that are missing or not numbers are 0, the cost exact or "". */
  public record Usage(long promptTokens, long totalTokens, String cost, boolean isByok, long textTokens,
      long imageTokens) {}

  /**
   * An {@code embedding}: base64 of little-endian float32s, as the gateway asks, or a JSON list
   * of numbers (a provider that ignored {@code encoding_format}). Decoded when asked, so the
   * order in which an answer's faults are reported does not depend on how it was read.
   */
  public sealed interface Vector {
    /** The values; UPSTREAM_MALFORMED when this is not a vector. */
    float[] floats();
  }

  /** A base64 vector. */
  public record Base64Floats(String text) implements Vector {
    @Override
    public float[] floats() {
      return decodeBase64(text);
    }
  }

  /** A vector sent as a list of numbers. */
  public record Numbers(float[] values) implements Vector {
    @Override
    public float[] floats() {
      return values;
    }
  }

  /** Something that is not a vector, and why. */
  public record NotAVector(String problem) implements Vector {
    @Override
    public float[] floats() {
      throw GatewayFailure.of(Kind.UPSTREAM_MALFORMED, problem);
    }
  }

  /** Base64 of little-endian IEEE 754 float32s, decoded bit for bit. */
  public static float[] decodeBase64(String text) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw GatewayFailure.of(Kind.UPSTREAM_MALFORMED, "an embedding is not valid base64");
    }
    if (bytes.length % Float.BYTES != 0) {
      throw GatewayFailure.of(Kind.UPSTREAM_MALFORMED, "an embedding's base64 holds " + bytes.length
          + " bytes, not a whole number of float32s");
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[bytes.length / Float.BYTES];
    for (int i = 0; i < out.length; i++) {
      out[i] = buffer.getFloat();
    }
    return out;
  }
}
