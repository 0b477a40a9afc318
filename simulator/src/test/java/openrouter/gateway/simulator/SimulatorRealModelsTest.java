package openrouter.gateway.simulator;

import static openrouter.gateway.simulator.SimulatorTestSupport.chat;
import static openrouter.gateway.simulator.SimulatorTestSupport.get;
import static openrouter.gateway.simulator.SimulatorTestSupport.json;
import static openrouter.gateway.simulator.SimulatorTestSupport.postChat;
import static openrouter.gateway.simulator.SimulatorTestSupport.stream;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import openrouter.gateway.simulator.testing.Eventually;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real OpenRouter ids in the catalogue, and the API living only under /api/v1. */
class SimulatorRealModelsTest {
  private static OpenRouterSimulator sim;

  @BeforeAll
  static void start() throws Exception {
    sim = OpenRouterSimulator.start(SimulatorOptions.builder().build());
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
  void listsRealOpenRouterIdsWithTheirShapes() {
    List<String> text = ids(json(get(sim, "/models", null)));
    assertThat(text).contains("openai/gpt-4o", "openai/gpt-4o-mini", "openai/gpt-4o-audio-preview",
        "anthropic/claude-sonnet-4.5", "google/gemini-2.5-flash",
        "meta-llama/llama-3.3-70b-instruct", "meta-llama/llama-3.3-70b-instruct:free",
        // image and text out: listed by default like on OpenRouter
        "google/gemini-2.5-flash-image");
    assertThat(ids(json(get(sim, "/models?output_modalities=image", null))))
        .contains("google/gemini-2.5-flash-image").doesNotContain("openai/gpt-4o");
    assertThat(ids(json(get(sim, "/models?output_modalities=audio", null))))
        .containsExactly("openai/gpt-4o-audio-preview");

    JsonNode gpt4o = json(get(sim, "/model/openai/gpt-4o", null)).path("data");
    assertThat(gpt4o.path("name").asText()).isEqualTo("OpenAI: GPT-4o");
    assertThat(gpt4o.path("context_length").asInt()).isEqualTo(128_000);
    assertThat(gpt4o.at("/architecture/modality").asText()).isEqualTo("text+image+file->text");
    assertThat(gpt4o.at("/architecture/tokenizer").asText()).isEqualTo("GPT");
    assertThat(gpt4o.at("/pricing/prompt").asText()).isEqualTo("0.0000025");
    assertThat(gpt4o.at("/pricing/completion").asText()).isEqualTo("0.00001");
    assertThat(gpt4o.path("supported_parameters").toString()).contains("\"tools\"", "\"logprobs\"");
    assertThat(gpt4o.has("reasoning")).isFalse();
    assertThat(gpt4o.at("/links/details").asText()).isEqualTo("/api/v1/models/openai/gpt-4o/endpoints");

    JsonNode claude = json(get(sim, "/model/anthropic/claude-sonnet-4.5", null)).path("data");
    assertThat(claude.at("/reasoning/default_effort").asText()).isEqualTo("medium");
    assertThat(claude.at("/pricing/overrides/0/min_prompt_tokens").asInt()).isEqualTo(200_000);

    JsonNode free = json(get(sim, "/model/meta-llama/llama-3.3-70b-instruct:free", null)).path("data");
    assertThat(free.at("/pricing/prompt").asText()).isEqualTo("0");
    assertThat(free.path("hugging_face_id").asText()).isEqualTo("meta-llama/Llama-3.3-70B-Instruct");
  }

  @Test
  void realModelsAnswerLikeEcho() {
    for (String model : List.of("openai/gpt-4o", "anthropic/claude-sonnet-4.5",
        "google/gemini-2.5-flash", "meta-llama/llama-3.3-70b-instruct:free",
        "google/gemini-2.5-flash-image", "openai/gpt-4o-audio-preview")) {
      JsonNode answer = json(postChat(sim, chat(model, "Say hello in French")));
      assertThat(answer.path("model").asText()).isEqualTo(model);
      assertThat(answer.at("/choices/0/message/content").asText()).isEqualTo("Say hello in French");
    }
    String streamed = postChat(sim, stream(chat("openai/gpt-4o-mini", "one two three"))).body();
    assertThat(streamed).contains("\"content\":\"one \"", "\"content\":\"three\"", "data: [DONE]");
  }

  @Test
  void gptFourOIsPricedFromItsCatalogueEntry() {
    // 3 prompt words at 0.0000025 and 3 completion words at 0.00001.
    JsonNode usage = json(postChat(sim, chat("openai/gpt-4o", "a b c"))).path("usage");
    assertThat(usage.path("cost").decimalValue()).isEqualByComparingTo("0.0000375");
  }

  @Test
  void pathsOutsideApiV1GetTheWebsite404Page() throws Exception {
    String root = sim.baseUrl().substring(0, sim.baseUrl().length() - "/api/v1".length());
    HttpClient client = HttpClient.newHttpClient();
    for (String path : List.of("/key", "/models", "/chat/completions", "/api/v2/models", "/")) {
      HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(root + path))
              .timeout(Eventually.DEADLINE).header("Authorization", "Bearer " + SimulatorKeys.DEFAULT)
              .GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(path).isEqualTo(404);
      assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
          type -> assertThat(type).startsWith("text/html"));
      assertThat(response.body()).startsWith("<!DOCTYPE html>").contains("could not be found");
    }
    HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create(root + "/chat/completions"))
            .timeout(Eventually.DEADLINE).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(chat("sim/echo", "hi").toString())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(404);
    assertThat(sim.requestCount("/chat/completions")).isZero();
    assertThat(get(sim, "/key", SimulatorKeys.DEFAULT).statusCode()).isEqualTo(200);
  }
}
