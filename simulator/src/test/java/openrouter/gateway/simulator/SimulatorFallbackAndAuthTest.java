package openrouter.gateway.simulator;

import static openrouter.gateway.simulator.SimulatorTestSupport.chat;
import static openrouter.gateway.simulator.SimulatorTestSupport.events;
import static openrouter.gateway.simulator.SimulatorTestSupport.get;
import static openrouter.gateway.simulator.SimulatorTestSupport.json;
import static openrouter.gateway.simulator.SimulatorTestSupport.post;
import static openrouter.gateway.simulator.SimulatorTestSupport.postChat;
import static openrouter.gateway.simulator.SimulatorTestSupport.stream;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code models} fallback list (§8.3), model resolution and the key rules. */
class SimulatorFallbackAndAuthTest {
  private static OpenRouterSimulator sim;

  @BeforeAll
  static void start() throws Exception {
    sim = OpenRouterSimulator.start(0);
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  private static ObjectNode withModels(String model, String... models) {
    ObjectNode body = chat(model, "fall back");
    if (model == null) {
      body.remove("model");
    }
    var array = body.putArray("models");
    for (String m : models) {
      array.add(m);
    }
    return body;
  }

  @Test
  void moreThanThreeModelsIsRejectedLikeOpenRouter() {
    HttpResponse<String> response = postChat(sim,
        withModels("sim/echo", "sim/echo", "sim/slow", "sim/fixed", "sim/tools"));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).at("/error/message").asText())
        .isEqualTo("'models' array must have 3 items or fewer.");
    assertThat(postChat(sim, withModels("sim/error-500", "sim/error-502", "sim/error-503",
        "sim/echo")).statusCode()).isEqualTo(200);
  }

  @Test
  void failuresBeforeOutputMoveOnToTheNextModel() {
    JsonNode body = json(postChat(sim,
        withModels("sim/error-503", "sim/error-429", "sim/echo")));

    assertThat(body.path("model").asText()).isEqualTo("sim/echo");
    assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("fall back");
  }

  @Test
  void streamingFallbackReportsTheServingModelInEveryChunk() {
    List<JsonNode> events = events(postChat(sim,
        stream(withModels("sim/error-502", "no/such-model", "sim/echo"))).body());

    assertThat(events).isNotEmpty().allSatisfy(e ->
        assertThat(e.path("model").asText()).isEqualTo("sim/echo"));
  }

  @Test
  void modelsAloneAndUnknownModelsFallBackToo() {
    assertThat(json(postChat(sim, withModels(null, "sim/error-500", "sim/reasoning")))
        .path("model").asText()).isEqualTo("sim/reasoning");
    assertThat(json(postChat(sim, withModels("nobody/nothing", "sim/echo")))
        .path("model").asText()).isEqualTo("sim/echo");
  }

  @Test
  void whenAllFailTheLastErrorIsReturned() {
    HttpResponse<String> response = postChat(sim, withModels("sim/error-500", "sim/error-402"));

    assertThat(response.statusCode()).isEqualTo(402);
    assertThat(json(response).at("/error/code").asInt()).isEqualTo(402);
  }

  @Test
  void aMidstreamFailureDoesNotFallBack() {
    HttpResponse<String> response = postChat(sim,
        stream(withModels("sim/error-midstream", "sim/echo")));

    List<JsonNode> events = events(response.body());
    assertThat(events.get(0).path("model").asText()).isEqualTo("sim/error-midstream");
    assertThat(events.get(events.size() - 1).has("error")).isTrue();
  }

  @Test
  void unknownModelIsA400ModelNotFound() {
    HttpResponse<String> response = postChat(sim, chat("nobody/nothing", "hi"));

    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode error = json(response).path("error");
    assertThat(error.path("code").asInt()).isEqualTo(400);
    assertThat(error.path("message").asText()).isEqualTo("nobody/nothing is not a valid model ID");
    assertThat(error.at("/availability/code").asText()).isEqualTo("model_not_found");
    assertThat(error.at("/metadata/error_type").asText()).isEqualTo("invalid_request");
  }

  @Test
  void embeddingModelOnChatIsWrongEndpoint() {
    HttpResponse<String> response = postChat(sim, chat("simlabs/embed-small", "hi"));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).at("/error/availability/code").asText()).isEqualTo("wrong_endpoint");
  }

  @Test
  void variantsResolveAndMissingModelDefaultsToEcho() {
    assertThat(json(postChat(sim, chat("sim/echo:nitro", "hi"))).path("model").asText())
        .isEqualTo("sim/echo");
    assertThat(json(postChat(sim, chat("simlabs/tiny:free", "hi"))).path("model").asText())
        .isEqualTo("simlabs/tiny:free");
    ObjectNode noModel = chat("x", "hi");
    noModel.remove("model");
    assertThat(json(postChat(sim, noModel)).path("model").asText()).isEqualTo("sim/echo");
  }

  @Test
  void freeModelCostsNothing() {
    assertThat(json(postChat(sim, chat("simlabs/tiny:free", "a b c"))).at("/usage/cost").asText())
        .isEqualTo("0");
  }

  @Test
  void missingMessagesIsA400() {
    HttpResponse<String> response = postChat(sim, "{\"model\":\"sim/echo\"}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(postChat(sim, "{not json").statusCode()).isEqualTo(400);
  }

  // ---- authentication ----

  @Test
  void missingAuthorizationIs401() {
    HttpResponse<String> response = post(sim, "/chat/completions", chat("sim/echo", "hi"), null);

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.body())
        .isEqualTo("{\"error\":{\"code\":401,\"message\":\"Missing Authentication header\"}}");
    assertThat(response.headers().firstValue("x-generation-id")).get().asString()
        .matches("gen-\\d+-[A-Za-z0-9]{20}");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/models", "/model/sim/echo", "/credits", "/key", "/generation?id=x"})
  void rejectedKeyIs401Everywhere(String path) {
    HttpResponse<String> response = get(sim, path, SimulatorKeys.REJECTED);

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(json(response).at("/error/message").asText()).isEqualTo("User not found.");
  }

  @Test
  void rejectedKeyIs401OnChat() {
    HttpResponse<String> response =
        post(sim, "/chat/completions", chat("sim/echo", "hi"), SimulatorKeys.REJECTED);

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(json(response).at("/error/message").asText()).isEqualTo("User not found.");
  }

  @Test
  void managementKeyCannotCallCompletions() {
    HttpResponse<String> response =
        post(sim, "/chat/completions", chat("sim/echo", "hi"), SimulatorKeys.MANAGEMENT);

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(json(response).at("/error/metadata/error_type").asText())
        .isEqualTo("permission_denied");
  }

  @Test
  void anyOtherBearerTokenIsAnInferenceKey() {
    assertThat(post(sim, "/chat/completions", chat("sim/echo", "hi"), "sk-or-v1-placeholder")
        .statusCode()).isEqualTo(200);
  }

  @Test
  void unknownPathsAndMethods() {
    assertThat(get(sim, "/nope", SimulatorKeys.DEFAULT).statusCode()).isEqualTo(404);
    assertThat(get(sim, "/chat/completions", SimulatorKeys.DEFAULT).statusCode()).isEqualTo(405);
  }
}
