package openrouter.gateway.server.embeddings;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.Map;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import openrouter.gateway.server.upstream.wire.OpenRouterErrors;
import openrouter.gateway.server.json.Decimals;
import openrouter.gateway.v1.EmbedResponse;
import openrouter.gateway.v1.Embedding;
import openrouter.gateway.v1.EmbeddingUsage;

/**
 * OpenRouter's {@code /embeddings} answer as an EmbedResponse: one embedding per input, put in
 * input order by their {@code index} (providers may list them in any order). Anything that
 * cannot be matched to the inputs one to one is UPSTREAM_MALFORMED: a caller must never get a
 * vector under the wrong index.
 */
public final class EmbedResponseMapper {
  private EmbedResponseMapper() {}

  /** The response to a request of {@code inputs} inputs. */
  public static EmbedResponse fromJson(JsonNode body, int inputs) {
    JsonNode data = body.get("data");
    if ((data == null || !data.isArray()) && body.path("error").isObject()) {
      // HTTP 200 whose body is an error (api reference §6.6): the error it carries.
      throw GatewayFailure.upstream(OpenRouterErrors.parse(200, body.get("error"), Map.of()));
    }
    if (data == null || !data.isArray()) {
      throw GatewayFailure.of(Kind.UPSTREAM_MALFORMED, "POST /embeddings returned no data array");
    }
    if (data.size() != inputs) {
      throw GatewayFailure.of(Kind.UPSTREAM_MALFORMED, "POST /embeddings returned " + data.size()
          + " embeddings for " + inputs + " inputs");
    }
    Embedding[] ordered = new Embedding[inputs];
    for (JsonNode item : data) {
      JsonNode indexNode = item.get("index");
      if (indexNode == null || !indexNode.canConvertToInt()) {
        throw GatewayFailure.of(Kind.UPSTREAM_MALFORMED, "an embedding has no index");
      }
      int index = indexNode.asInt();
      if (index < 0 || index >= inputs || ordered[index] != null) {
        throw GatewayFailure.of(Kind.UPSTREAM_MALFORMED, "embedding index " + index
            + " is out of range or repeated (" + inputs + " inputs)");
      }
      Embedding.Builder embedding = Embedding.newBuilder().setIndex(index);
      for (float v : values(item.get("embedding"))) {
        embedding.addValues(v); // protobuf keeps them unboxed
      }
      ordered[index] = embedding.build();
    }
    EmbedResponse.Builder out = EmbedResponse.newBuilder()
        .setModel(body.path("model").asText(""))
        .setProvider(body.path("provider").asText(""))
        .setId(body.path("id").isTextual() ? body.path("id").asText() : "");
    for (Embedding e : ordered) {
      out.addEmbeddings(e);
    }
    JsonNode usage = body.get("usage");
    if (usage != null && usage.isObject()) {
      out.setUsage(EmbeddingUsage.newBuilder()
          .setPromptTokens(usage.path("prompt_tokens").asLong(0))
          .setTotalTokens(usage.path("total_tokens").asLong(0))
          .setCost(Decimals.text(usage.get("cost")))
          .setIsByok(usage.path("is_byok").asBoolean(false))
          .setTextTokens(usage.path("prompt_tokens_details").path("text_tokens").asLong(0))
          .setImageTokens(usage.path("prompt_tokens_details").path("image_tokens").asLong(0)));
    }
    return out.build();
  }

  /**
   * The vector: base64 of little-endian float32s, as asked; a JSON array of numbers is taken
   * too (a provider that ignored {@code encoding_format}).
   */
  static float[] values(JsonNode embedding) {
    if (embedding != null && embedding.isTextual()) {
      return decodeBase64(embedding.asText());
    }
    if (embedding != null && embedding.isArray()) {
      float[] out = new float[embedding.size()];
      for (int i = 0; i < out.length; i++) {
        JsonNode v = embedding.get(i);
        if (!v.isNumber()) {
          throw GatewayFailure.of(Kind.UPSTREAM_MALFORMED, "an embedding holds a value that is not a number");
        }
        out[i] = v.floatValue();
      }
      return out;
    }
    throw GatewayFailure.of(Kind.UPSTREAM_MALFORMED, "an embedding is neither base64 nor an array of numbers");
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
