package openrouter.gateway.server.embeddings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Metadata;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import openrouter.gateway.server.security.CallerRegistry;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.v1.EmbedRequest;
import openrouter.gateway.v1.EmbeddingInput;
import openrouter.gateway.v1.EmbeddingsServiceGrpc;
import openrouter.gateway.v1.ListEmbeddingModelsRequest;
import openrouter.gateway.v1.ListModelEndpointsRequest;
import openrouter.gateway.v1.ListProvidersRequest;
import openrouter.gateway.v1.ModelsServiceGrpc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Embed counts in a rate-limit family of its own ({@code embeddings=} in the keys file), the
 * new read RPCs in the models family.
 */
class EmbeddingsRateLimitTest {
  private static final String KEY = "gw-embedder-0123456789";

  @TempDir
  Path dir;

  private static <S extends AbstractStub<S>> S as(S stub) {
    Metadata md = new Metadata();
    md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + KEY);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md)).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  @Test
  void embedHasItsOwnFamilyAndTheReadsCountAsModels() throws Exception {
    Path keys = dir.resolve("keys.txt");
    Files.writeString(keys, "embedder " + HexFormat.of().formatHex(CallerRegistry.sha256(KEY))
        + " embeddings=1/1h models=3/1h\n");
    try (GatewayHarness h = GatewayHarness.inProcess().withSimulator("GATEWAY_API_KEYS_FILE", keys.toString())) {
      var embeddings = as(EmbeddingsServiceGrpc.newBlockingStub(h.channel));
      var models = as(ModelsServiceGrpc.newBlockingStub(h.channel));
      EmbedRequest request = EmbedRequest.newBuilder().setModel("sim/embed")
          .addInputs(EmbeddingInput.newBuilder().setText("x")).build();
      embeddings.embed(request);
      StatusRuntimeException limited = catchThrowableOfType(StatusRuntimeException.class, () -> embeddings.embed(request));
      assertThat(limited.getStatus().getCode()).isEqualTo(Code.RESOURCE_EXHAUSTED);

      // The models family is untouched by Embed: three reads pass, the fourth is limited.
      models.listProviders(ListProvidersRequest.getDefaultInstance());
      models.listModelEndpoints(ListModelEndpointsRequest.newBuilder().setModel("sim/echo").build());
      embeddings.listEmbeddingModels(ListEmbeddingModelsRequest.getDefaultInstance());
      StatusRuntimeException modelsLimited = catchThrowableOfType(StatusRuntimeException.class,
          () -> models.listProviders(ListProvidersRequest.getDefaultInstance()));
      assertThat(modelsLimited.getStatus().getCode()).isEqualTo(Code.RESOURCE_EXHAUSTED);
    }
  }
}
