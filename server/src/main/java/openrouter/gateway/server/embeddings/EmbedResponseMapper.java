package openrouter.gateway.server.embeddings;

import java.util.List;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import openrouter.gateway.server.upstream.wire.EmbeddingsAnswer;
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
  public static EmbedResponse map(EmbeddingsAnswer body, int inputs) {
    if (body.data().isEmpty() && body.error().isPresent()) {
      // HTTP 200 whose body is an error (api reference §6.6): the error it carries.
      throw GatewayFailure.upstream(body.error().get());
    }
    if (body.data().isEmpty()) {
      throw GatewayFailure.of(Kind.UPSTREAM_MALFORMED, "POST /embeddings returned no data array");
    }
    List<EmbeddingsAnswer.Item> data = body.data().get();
    if (data.size() != inputs) {
      throw GatewayFailure.of(Kind.UPSTREAM_MALFORMED, "POST /embeddings returned " + data.size()
          + " embeddings for " + inputs + " inputs");
    }
    Embedding[] ordered = new Embedding[inputs];
    for (EmbeddingsAnswer.Item item : data) {
      if (item.index().isEmpty()) {
        throw GatewayFailure.of(Kind.UPSTREAM_MALFORMED, "an embedding has no index");
      }
      int index = item.index().getAsInt();
      if (index < 0 || index >= inputs || ordered[index] != null) {
        throw GatewayFailure.of(Kind.UPSTREAM_MALFORMED, "embedding index " + index
            + " is out of range or repeated (" + inputs + " inputs)");
      }
      Embedding.Builder embedding = Embedding.newBuilder().setIndex(index);
      for (float v : item.embedding().floats()) {
        embedding.addValues(v); // protobuf keeps them unboxed
      }
      ordered[index] = embedding.build();
    }
    EmbedResponse.Builder out = EmbedResponse.newBuilder()
        .setModel(body.model())
        .setProvider(body.provider())
        .setId(body.id());
    for (Embedding e : ordered) {
      out.addEmbeddings(e);
    }
    body.usage().ifPresent(usage -> out.setUsage(EmbeddingUsage.newBuilder()
        .setPromptTokens(usage.promptTokens())
        .setTotalTokens(usage.totalTokens())
        .setCost(usage.cost())
        .setIsByok(usage.isByok())
        .setTextTokens(usage.textTokens())
        .setImageTokens(usage.imageTokens())));
    return out.build();
  }
}
