package openrouter.gateway.server.errors;

import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.v1.EmbedRequest;
import openrouter.gateway.v1.EmbeddingInput;
import openrouter.gateway.v1.EmbeddingsServiceGrpc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every row of the README's error mapping table for Embed, through a real channel against the
 * simulator's fault models on {@code /embeddings}: the one StatusMapper maps them as for chat.
 * Retries are off so each row shows the first attempt's mapping.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbedErrorMappingTest {
  GatewayHarness h;

  @BeforeAll
  void start() throws Exception {
    h = GatewayHarness.inProcess().withSimulator("OPENROUTER_MAX_RETRIES", "0");
  }

  @AfterAll
  void stop() throws Exception {
    h.close();
  }

  static Stream<Arguments> rows() {
    Stream<Arguments> chatRows = ErrorMappingTest.rows()
        // sim/empty is a chat shape (no choices); embeddings have sim/truncated instead.
        .filter(a -> !((ErrorMappingTest.Row) a.get()[0]).model().equals("sim/empty"));
    return Stream.concat(chatRows, Stream.of(Arguments.of(new ErrorMappingTest.Row("sim/truncated", Code.UNAVAILABLE,
        "UPSTREAM_MALFORMED_RESPONSE", "openrouter-grpc-gateway", Map.of(), null, null, "malformed"))));
  }

  @ParameterizedTest(name = "Embed {0}")
  @MethodSource("rows")
  void embed(ErrorMappingTest.Row row) {
    EmbedRequest request = EmbedRequest.newBuilder().setModel(row.model())
        .addInputs(EmbeddingInput.newBuilder().setText("map my error")).build();
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () ->
        EmbeddingsServiceGrpc.newBlockingStub(h.channel).withDeadlineAfter(20, TimeUnit.SECONDS).embed(request));
    ErrorMappingTest.check(row, e);
  }
}
