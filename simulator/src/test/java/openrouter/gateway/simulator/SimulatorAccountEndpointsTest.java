package openrouter.gateway.simulator;

import static openrouter.gateway.simulator.SimulatorTestSupport.chat;
import static openrouter.gateway.simulator.SimulatorTestSupport.get;
import static openrouter.gateway.simulator.SimulatorTestSupport.json;
import static openrouter.gateway.simulator.SimulatorTestSupport.postChat;
import static openrouter.gateway.simulator.SimulatorTestSupport.stream;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import openrouter.gateway.simulator.testing.Eventually;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** /models, /model/{id}, /credits, /key, /generation and failEndpoint (§4, §5). */
class SimulatorAccountEndpointsTest {
  private static final List<String> MODEL_FIELDS = List.of("id", "canonical_slug", "name",
      "created", "description", "context_length", "architecture", "pricing", "top_provider",
      "per_request_limits", "supported_parameters", "default_parameters", "expiration_date",
      "knowledge_cutoff", "hugging_face_id", "links", "supported_voices");

  private static OpenRouterSimulator sim;

  @BeforeAll
  static void start() throws Exception {
    sim = OpenRouterSimulator.start(SimulatorOptions.builder()
        .generationStatsDelay(Duration.ofMillis(200)).build());
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  private static List<String> ids(JsonNode listing) {
    List<String> ids = new ArrayList<>();
    listing.path("data").forEach(m -> ids.add(m.path("id").asText()));
    return ids;
  }

  @Test
  void modelsListsTextModelsByDefault() {
    JsonNode listing = json(get(sim, "/models", null));

    List<String> ids = ids(listing);
    assertThat(ids).contains("sim/echo", "sim/tools", "sim/error-429", "simlabs/tiny",
        "simlabs/tiny:free", "simlabs/vision-pro", "simlabs/audio-lite");
    assertThat(ids).doesNotContain("simlabs/pixel", "simlabs/embed-small");
    assertThat(listing.path("total_count").asInt()).isEqualTo(ids.size());
    assertThat(listing.at("/links/next").isNull()).isTrue();
  }

  @Test
  void outputModalitiesWidensOrNarrowsTheListing() {
    List<String> all = ids(json(get(sim, "/models?output_modalities=all", null)));
    List<String> embeddings = ids(json(get(sim, "/models?output_modalities=embeddings", null)));
    List<String> imageAndText = ids(json(get(sim, "/models?output_modalities=text,image", null)));

    assertThat(all).contains("sim/echo", "simlabs/pixel", "simlabs/embed-small");
    assertThat(embeddings).containsExactly("simlabs/embed-small");
    assertThat(imageAndText).contains("simlabs/pixel", "sim/echo")
        .doesNotContain("simlabs/embed-small");
  }

  @Test
  void everyModelObjectIsComplete() {
    JsonNode listing = json(get(sim, "/models?output_modalities=all", null));

    for (JsonNode model : listing.path("data")) {
      assertThat(model.fieldNames()).toIterable().containsAll(MODEL_FIELDS);
      assertThat(model.at("/architecture").fieldNames()).toIterable().containsExactly(
          "modality", "input_modalities", "output_modalities", "tokenizer", "instruct_type");
      assertThat(model.at("/pricing/prompt").isTextual()).isTrue();
      assertThat(model.at("/pricing/completion").isTextual()).isTrue();
      assertThat(model.at("/pricing/input_cache_read").isTextual()).isTrue();
      assertThat(model.at("/top_provider/is_moderated").isBoolean()).isTrue();
      boolean reasoning = model.path("supported_parameters").toString().contains("\"reasoning\"");
      assertThat(model.has("reasoning")).as(model.path("id").asText()).isEqualTo(reasoning);
    }
    JsonNode tiny = find(listing, "simlabs/tiny");
    assertThat(tiny.path("context_length").asInt()).isEqualTo(8192);
    assertThat(tiny.path("supported_parameters").toString()).doesNotContain("tools");
    JsonNode vision = find(listing, "simlabs/vision-pro");
    assertThat(vision.at("/architecture/input_modalities").toString()).contains("image", "file");
    assertThat(vision.at("/reasoning/supported_efforts").size()).isPositive();
    assertThat(vision.path("supported_parameters").toString()).contains("\"tools\"");
  }

  @Test
  void singleModelAcceptsVariantsAnd404sUnknownIds() {
    JsonNode free = json(get(sim, "/model/simlabs/tiny:free", null)).path("data");
    assertThat(free.path("id").asText()).isEqualTo("simlabs/tiny:free");
    assertThat(free.at("/pricing/prompt").asText()).isEqualTo("0");
    assertThat(free.at("/pricing/completion").asText()).isEqualTo("0");

    assertThat(json(get(sim, "/model/sim/echo:nitro", null)).at("/data/id").asText())
        .isEqualTo("sim/echo");
    HttpResponse<String> missing = get(sim, "/model/nobody/nothing", null);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(json(missing).at("/error/code").asInt()).isEqualTo(404);
  }

  @Test
  void creditsNeedAManagementKey() {
    sim.setCredits("100.5", "25.75");
    HttpResponse<String> ok = get(sim, "/credits", SimulatorKeys.MANAGEMENT);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("{\"data\":{\"total_credits\":100.5,\"total_usage\":25.75}}");

    HttpResponse<String> forbidden = get(sim, "/credits", SimulatorKeys.DEFAULT);
    assertThat(forbidden.statusCode()).isEqualTo(403);
    assertThat(json(forbidden).at("/error/message").asText())
        .isEqualTo("Only management keys can perform this operation");
    assertThat(get(sim, "/credits", null).statusCode()).isEqualTo(401);
  }

  @Test
  void keyReportsFiguresWithATruncatedLabel() {
    sim.setCredits("250", "12.345");
    try {
      HttpResponse<String> response = get(sim, "/key", SimulatorKeys.DEFAULT);
      JsonNode data = json(response).path("data");

      assertThat(response.body()).doesNotContain(SimulatorKeys.DEFAULT);
      assertThat(data.path("label").asText()).isEqualTo("sk-or-v1-000...000");
      assertThat(data.path("limit").decimalValue()).isEqualByComparingTo("250");
      assertThat(data.path("limit_remaining").decimalValue()).isEqualByComparingTo("237.655");
      assertThat(data.path("usage").decimalValue()).isEqualByComparingTo("12.345");
      assertThat(data.path("limit_reset").asText()).isEqualTo("monthly");
      assertThat(data.path("is_free_tier").asBoolean(true)).isFalse();
      assertThat(data.path("is_management_key").asBoolean(true)).isFalse();
      assertThat(data.path("expires_at").isNull()).isTrue();
      assertThat(data.at("/rate_limit/requests").asInt()).isEqualTo(-1);
      assertThat(data.at("/rate_limit/interval").asText()).isEqualTo("10s");

      JsonNode management = json(get(sim, "/key", SimulatorKeys.MANAGEMENT)).path("data");
      assertThat(management.path("is_management_key").asBoolean()).isTrue();
      assertThat(management.path("label").asText()).isEqualTo("sk-or-v1-aaa...aaa");
    } finally {
      sim.setCredits("100.5", "25.75");
    }
  }

  @Test
  void generationStatsAppearOnlyAfterTheConsistencyWindow() throws Exception {
    // Its own simulator with a 3 s window: the lookup right after the completion falls inside it
    // unless the machine stalls for seconds between two loopback requests.
    try (OpenRouterSimulator windowed = OpenRouterSimulator.start(SimulatorOptions.builder()
        .generationStatsDelay(Duration.ofSeconds(3)).build())) {
      long sent = System.nanoTime();
      HttpResponse<String> completion = postChat(windowed, stream(chat("sim/echo", "count these words")));
      String id = completion.headers().firstValue("x-generation-id").orElseThrow();

      HttpResponse<String> early = get(windowed, "/generation?id=" + id, SimulatorKeys.DEFAULT);
      assertThat(early.statusCode()).isEqualTo(404);
      assertThat(json(early).at("/error/code").asInt()).isEqualTo(404);

      HttpResponse<String> later = Eventually.await("the generation's stats", () ->
          get(windowed, "/generation?id=" + id, SimulatorKeys.DEFAULT), r -> r.statusCode() != 404);
      long visibleAfterMs = (System.nanoTime() - sent) / 1_000_000;

      assertThat(later.statusCode()).isEqualTo(200);
      // The window starts when the completion ends, which is after it was sent: never earlier.
      assertThat(visibleAfterMs).isGreaterThanOrEqualTo(3_000);
      assertGenerationData(json(later).path("data"), id);
    }
  }

  private static void assertGenerationData(JsonNode data, String id) {
    assertThat(data.path("id").asText()).isEqualTo(id);
    assertThat(data.path("model").asText()).isEqualTo("sim/echo");
    assertThat(data.path("provider_name").asText()).isEqualTo("Simulator");
    assertThat(data.path("streamed").asBoolean()).isTrue();
    assertThat(data.path("cancelled").asBoolean(true)).isFalse();
    assertThat(data.path("finish_reason").asText()).isEqualTo("stop");
    assertThat(data.path("tokens_prompt").asInt()).isEqualTo(3);
    assertThat(data.path("tokens_completion").asInt()).isEqualTo(3);
    assertThat(data.path("total_cost").decimalValue()).isEqualByComparingTo("0.000009");
    assertThat(data.at("/provider_responses/0/status").asInt()).isEqualTo(200);
  }

  @Test
  void unknownGenerationIs404() {
    assertThat(get(sim, "/generation?id=gen-0-none", SimulatorKeys.DEFAULT).statusCode())
        .isEqualTo(404);
    assertThat(get(sim, "/generation", SimulatorKeys.DEFAULT).statusCode()).isEqualTo(400);
  }

  @Test
  void failEndpointAnswersWithTheStatusUntilCleared() {
    try {
      sim.failEndpoint("/models", 503);
      sim.failEndpoint("/credits", 429);
      sim.failEndpoint("/model", 500);

      HttpResponse<String> models = get(sim, "/models", null);
      assertThat(models.statusCode()).isEqualTo(503);
      assertThat(models.headers().firstValue("retry-after")).hasValue("1");
      assertThat(json(models).at("/error/code").asInt()).isEqualTo(503);
      assertThat(json(models).path("user_id").asText()).isEqualTo("user_sim");
      HttpResponse<String> credits = get(sim, "/credits", SimulatorKeys.MANAGEMENT);
      assertThat(credits.statusCode()).isEqualTo(429);
      assertThat(credits.headers().firstValue("retry-after")).hasValue("1");
      HttpResponse<String> model = get(sim, "/model/sim/echo", null);
      assertThat(model.statusCode()).isEqualTo(500);
      assertThat(model.headers().firstValue("retry-after")).isEmpty();
      assertThat(get(sim, "/key", SimulatorKeys.DEFAULT).statusCode()).isEqualTo(200);
    } finally {
      sim.clearFailures();
    }
    assertThat(get(sim, "/models", null).statusCode()).isEqualTo(200);
    assertThat(get(sim, "/credits", SimulatorKeys.MANAGEMENT).statusCode()).isEqualTo(200);
  }

  private static JsonNode find(JsonNode listing, String id) {
    for (JsonNode model : listing.path("data")) {
      if (model.path("id").asText().equals(id)) {
        return model;
      }
    }
    throw new AssertionError("no model " + id);
  }
}
