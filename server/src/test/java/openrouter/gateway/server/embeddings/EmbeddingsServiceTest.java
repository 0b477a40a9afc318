package openrouter.gateway.server.embeddings;

import static openrouter.gateway.server.testing.Requests.detail;
import static openrouter.gateway.server.testing.Requests.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.rpc.BadRequest;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.TestKeys;
import openrouter.gateway.v1.EmbedRequest;
import openrouter.gateway.v1.EmbedResponse;
import openrouter.gateway.v1.EmbeddingInput;
import openrouter.gateway.v1.EmbeddingsServiceGrpc;
import openrouter.gateway.v1.ListEmbeddingModelsRequest;
import openrouter.gateway.v1.ListEmbeddingModelsResponse;
import openrouter.gateway.v1.Model;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Embed and ListEmbeddingModels through a real channel against the simulator: vectors equal,
 * bit for bit, to what the simulator sends as JSON floats; input order; validation before any
 * upstream call; the default model; paging of the embedding listing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddingsServiceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  GatewayHarness h;

  @BeforeAll
  void start() throws Exception {
    h = GatewayHarness.inProcess().withSimulator("GATEWAY_MAX_EMBED_INPUTS", "8", "GATEWAY_MAX_EMBED_BYTES", "4096");
  }

  @AfterAll
  void stop() throws Exception {
    h.close();
  }

  EmbeddingsServiceGrpc.EmbeddingsServiceBlockingStub embeddings() {
    return EmbeddingsServiceGrpc.newBlockingStub(h.channel).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  static EmbedRequest texts(String model, String... texts) {
    EmbedRequest.Builder b = EmbedRequest.newBuilder().setModel(model);
    for (String t : texts) {
      b.addInputs(EmbeddingInput.newBuilder().setText(t));
    }
    return b.build();
  }

  /** The simulator's own answer with encoding_format float, straight over HTTP. */
  JsonNode direct(String body) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(h.simulator.baseUrl() + "/embeddings"))
        .header("Authorization", "Bearer " + TestKeys.GATEWAY)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  @Test
  void vectorsAreTheModelsFloatsExactlyInInputOrder() throws Exception {
    EmbedResponse response = embeddings().embed(texts("sim/embed", "hello world", "one", "a b c d"));
    assertThat(response.getModel()).isEqualTo("sim/embed");
    assertThat(response.getProvider()).isNotEmpty();
    assertThat(response.getEmbeddingsList()).extracting(e -> e.getIndex()).containsExactly(0, 1, 2);
    JsonNode floats = direct("{\"model\":\"sim/embed\",\"input\":[\"hello world\",\"one\",\"a b c d\"],"
        + "\"encoding_format\":\"float\"}");
    for (int i = 0; i < 3; i++) {
      JsonNode expected = floats.path("data").get(i).path("embedding");
      List<Float> values = response.getEmbeddings(i).getValuesList();
      assertThat(values).hasSize(expected.size()).hasSize(256);
      for (int d = 0; d < values.size(); d++) {
        assertThat(Float.floatToIntBits(values.get(d))).as("input %d dimension %d", i, d)
            .isEqualTo(Float.floatToIntBits(expected.get(d).floatValue()));
      }
    }
    // 2 + 1 + 4 words at 0.00000002 per token
    assertThat(response.getUsage().getPromptTokens()).isEqualTo(7);
    assertThat(response.getUsage().getCost()).isEqualTo("0.00000014");
    assertThat(response.getId()).isNotEmpty();
  }

  @Test
  void theSameInputGivesTheSameVector() {
    EmbedResponse a = embeddings().embed(texts("sim/embed", "same", "other"));
    EmbedResponse b = embeddings().embed(texts("sim/embed", "same"));
    assertThat(b.getEmbeddings(0).getValuesList()).isEqualTo(a.getEmbeddings(0).getValuesList());
    assertThat(a.getEmbeddings(1).getValuesList()).isNotEqualTo(a.getEmbeddings(0).getValuesList());
  }

  @Test
  void dimensionsReachTheModel() {
    EmbedResponse r = embeddings().embed(texts("sim/embed", "short").toBuilder().setDimensions(64).build());
    assertThat(r.getEmbeddings(0).getValuesCount()).isEqualTo(64);
  }

  @Test
  void embeddingsAnsweredInReverseComeBackInInputOrder() throws Exception {
    EmbedResponse r = embeddings().embed(texts("sim/embed-reversed", "first", "second", "third"));
    JsonNode floats = direct("{\"model\":\"sim/embed-reversed\",\"input\":[\"first\",\"second\",\"third\"],"
        + "\"encoding_format\":\"float\"}");
    assertThat(floats.path("data").get(0).path("index").asInt()).as("the simulator answers in reverse").isEqualTo(2);
    for (JsonNode item : floats.path("data")) {
      int index = item.path("index").asInt();
      assertThat(r.getEmbeddings(index).getIndex()).isEqualTo(index);
      assertThat(r.getEmbeddings(index).getValues(0)).isEqualTo(item.path("embedding").get(0).floatValue());
    }
  }

  @Test
  void tokenArraysAndMultimodalInputsAreEmbedded() {
    EmbedRequest tokens = EmbedRequest.newBuilder().setModel("sim/embed")
        .addInputs(EmbeddingInput.newBuilder().addTokens(101).addTokens(2023).addTokens(102))
        .addInputs(EmbeddingInput.newBuilder().addTokens(7))
        .build();
    EmbedResponse r = embeddings().embed(tokens);
    assertThat(r.getEmbeddingsCount()).isEqualTo(2);
    assertThat(r.getUsage().getPromptTokens()).isEqualTo(4);
    EmbedRequest parts = EmbedRequest.newBuilder().setModel("sim/embed")
        .addInputs(EmbeddingInput.newBuilder()
            .addParts(openrouter.gateway.v1.EmbeddingPart.newBuilder().setText("a cat"))
            .addParts(openrouter.gateway.v1.EmbeddingPart.newBuilder().setImageUrl("https://example.com/cat.png")))
        .build();
    assertThat(embeddings().embed(parts).getUsage().getPromptTokens()).isEqualTo(2 + 85);
  }

  @Test
  void invalidRequestsFailBeforeAnyUpstreamCall() {
    int before = h.simulator.requestCount("/embeddings");
    record Case(EmbedRequest request, String field, String text) {}
    List<Case> cases = List.of(
        new Case(EmbedRequest.newBuilder().setModel("sim/embed").build(), "inputs", "at least one"),
        new Case(texts("sim/embed", "1", "2", "3", "4", "5", "6", "7", "8", "9"), "inputs", "at most 8"),
        new Case(texts("sim/embed", "x".repeat(5000)), "inputs", "GATEWAY_MAX_EMBED_BYTES"),
        new Case(texts("sim/embed", "x").toBuilder().setDimensions(-1).build(), "dimensions", "got -1"),
        new Case(texts("sim/embed", "x").toBuilder().setDimensions(100_000).build(), "dimensions", "got 100000"),
        new Case(texts("", "x"), "model", "OPENROUTER_DEFAULT_EMBEDDING_MODEL"),
        new Case(texts("sim/embed", "x").toBuilder().addInputs(EmbeddingInput.newBuilder().addTokens(1)).build(),
            "inputs[1]", "one kind of input"),
        new Case(texts("sim/embed", "x").toBuilder().addInputs(EmbeddingInput.getDefaultInstance()).build(),
            "inputs[1]", "exactly one of"));
    for (Case c : cases) {
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> embeddings().embed(c.request()));
      assertThat(e).as(c.field()).isNotNull();
      assertThat(e.getStatus().getCode()).isEqualTo(Code.INVALID_ARGUMENT);
      BadRequest bad = detail(e, BadRequest.class);
      assertThat(bad).isNotNull();
      assertThat(bad.getFieldViolationsList()).anySatisfy(v -> {
        assertThat(v.getField()).isEqualTo(c.field());
        assertThat(v.getDescription()).contains(c.text());
      });
    }
    assertThat(h.simulator.requestCount("/embeddings")).isEqualTo(before);
  }

  @Test
  void theDefaultEmbeddingModelServesRequestsWithoutOne() throws Exception {
    try (GatewayHarness withDefault = GatewayHarness.inProcess().withSimulator("OPENROUTER_DEFAULT_EMBEDDING_MODEL", "sim/embed")) {
      EmbedResponse r = EmbeddingsServiceGrpc.newBlockingStub(withDefault.channel)
          .withDeadlineAfter(20, TimeUnit.SECONDS).embed(texts("", "no model named"));
      assertThat(r.getModel()).isEqualTo("sim/embed");
      assertThat(withDefault.simulator.requests()).anySatisfy(req ->
          assertThat(JSON.readTree(req.body()).path("model").asText()).isEqualTo("sim/embed"));
    }
  }

  @Test
  void anIdempotentEmbedIsRetriedAfterA500WhereChatIsNot() throws Exception {
    try (GatewayHarness retrying = GatewayHarness.inProcess().withSimulator("OPENROUTER_MAX_RETRIES", "2")) {
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () ->
          EmbeddingsServiceGrpc.newBlockingStub(retrying.channel).withDeadlineAfter(20, TimeUnit.SECONDS)
              .embed(texts("sim/error-500", "x")));
      assertThat(e.getStatus().getCode()).isEqualTo(Code.INTERNAL);
      assertThat(errorInfo(e).getMetadataMap()).containsEntry("attempts", "3");
      assertThat(retrying.simulator.requestCount("/embeddings")).isEqualTo(3);
      StatusRuntimeException chat = catchThrowableOfType(StatusRuntimeException.class, () ->
          retrying.chat().chat(openrouter.gateway.server.testing.Requests.chat("sim/error-500", "x")));
      assertThat(errorInfo(chat).getMetadataMap()).containsEntry("attempts", "1");
    }
  }

  @Test
  void aStalledUpstreamEndsAtTheCallersDeadline() {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () ->
        EmbeddingsServiceGrpc.newBlockingStub(h.channel).withDeadlineAfter(1, TimeUnit.SECONDS)
            .embed(texts("sim/stall", "x")));
    assertThat(e.getStatus().getCode()).isEqualTo(Code.DEADLINE_EXCEEDED);
  }

  @Test
  void embeddingModelsAreListedAndPaged() {
    ListEmbeddingModelsResponse all = embeddings().listEmbeddingModels(ListEmbeddingModelsRequest.getDefaultInstance());
    assertThat(all.getModelsList()).extracting(Model::getId)
        .contains("sim/embed", "sim/embed-reversed", "simlabs/embed-small");
    assertThat(all.getModelsList()).allSatisfy(m ->
        assertThat(m.getArchitecture().getOutputModalitiesList()).containsExactly("embeddings"));
    List<String> paged = new ArrayList<>();
    String token = "";
    do {
      ListEmbeddingModelsResponse page = embeddings().listEmbeddingModels(
          ListEmbeddingModelsRequest.newBuilder().setPageSize(1).setPageToken(token).build());
      assertThat(page.getModelsCount()).isEqualTo(1);
      assertThat(page.getTotalSize()).isEqualTo(all.getTotalSize());
      paged.add(page.getModels(0).getId());
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    assertThat(paged).isEqualTo(all.getModelsList().stream().map(Model::getId).toList());
    assertThat(embeddings().listEmbeddingModels(ListEmbeddingModelsRequest.newBuilder().setAuthorPrefix("simlabs/").build())
        .getModelsList()).extracting(Model::getId).containsExactly("simlabs/embed-small");
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () ->
        embeddings().listEmbeddingModels(ListEmbeddingModelsRequest.newBuilder().setPageSize(-1).build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Code.INVALID_ARGUMENT);
  }
}
