package openrouter.gateway.server.upstream.wire;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import openrouter.gateway.server.json.Decimals;

/** Reads OpenRouter's {@code POST /embeddings} 200 body into an {@link EmbeddingsAnswer}. */
public final class EmbeddingsAnswers {
  private EmbeddingsAnswers() {}

  public static EmbeddingsAnswer parse(JsonNode body) {
    JsonNode data = body.get("data");
    Optional<List<EmbeddingsAnswer.Item>> items = Optional.empty();
    if (data != null && data.isArray()) {
      List<EmbeddingsAnswer.Item> list = new ArrayList<>(data.size());
      for (JsonNode item : data) {
        JsonNode index = item.get("index");
        list.add(new EmbeddingsAnswer.Item(
            index != null && index.canConvertToInt() ? OptionalInt.of(index.asInt()) : OptionalInt.empty(),
            vector(item.get("embedding"))));
      }
      items = Optional.of(list);
    }
    JsonNode usage = body.get("usage");
    return new EmbeddingsAnswer(
        items,
        body.path("error").isObject()
            ? Optional.of(OpenRouterErrors.parse(200, body.get("error"), Map.of())) : Optional.empty(),
        body.path("id").isTextual() ? body.path("id").asText() : "",
        body.path("model").asText(""),
        body.path("provider").asText(""),
        usage != null && usage.isObject() ? Optional.of(new EmbeddingsAnswer.Usage(
            usage.path("prompt_tokens").asLong(0),
            usage.path("total_tokens").asLong(0),
            Decimals.text(usage.get("cost")),
            usage.path("is_byok").asBoolean(false),
            usage.path("prompt_tokens_details").path("text_tokens").asLong(0),
            usage.path("prompt_tokens_details").path("image_tokens").asLong(0))) : Optional.empty());
  }

  private static EmbeddingsAnswer.Vector vector(JsonNode embedding) {
    if (embedding != null && embedding.isTextual()) {
      return new EmbeddingsAnswer.Base64Floats(embedding.asText());
    }
    if (embedding != null && embedding.isArray()) {
      float[] out = new float[embedding.size()];
      for (int i = 0; i < out.length; i++) {
        JsonNode v = embedding.get(i);
        if (!v.isNumber()) {
          return new EmbeddingsAnswer.NotAVector("an embedding holds a value that is not a number");
        }
        out[i] = v.floatValue();
      }
      return new EmbeddingsAnswer.Numbers(out);
    }
    return new EmbeddingsAnswer.NotAVector("an embedding is neither base64 nor an array of numbers");
  }
}
