package openrouter.gateway.simulator;

import static openrouter.gateway.simulator.SimulatorTestSupport.chat;
import static openrouter.gateway.simulator.SimulatorTestSupport.events;
import static openrouter.gateway.simulator.SimulatorTestSupport.json;
import static openrouter.gateway.simulator.SimulatorTestSupport.knob;
import static openrouter.gateway.simulator.SimulatorTestSupport.postChat;
import static openrouter.gateway.simulator.SimulatorTestSupport.stream;
import static openrouter.gateway.simulator.SimulatorTestSupport.streamedContent;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fault models of a hostile upstream, on the wire (what the gateway is tested against). */
class SimulatorHostileModelsTest {
  private static OpenRouterSimulator sim;

  @BeforeAll
  static void start() throws Exception {
    sim = OpenRouterSimulator.start(SimulatorTestSupport.deterministic().build());
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  @Test
  void redirectsNameTheirLocation() {
    HttpResponse<String> moved = postChat(sim, chat("sim/redirect", "go"));
    assertThat(moved.statusCode()).isEqualTo(308);
    assertThat(moved.headers().firstValue("location")).hasValue("/api/v2/chat/completions");
    HttpResponse<String> loop = postChat(sim, stream(chat("sim/redirect-loop", "go")));
    assertThat(loop.statusCode()).isEqualTo(307);
    assertThat(loop.headers().firstValue("location")).hasValue("/api/v1/chat/completions");
  }

  @Test
  void the503AsksForAnImmediateRetry() {
    HttpResponse<String> r = postChat(sim, chat("sim/error-503-retry-after-0", "go"));
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("retry-after")).hasValue("0");
    assertThat(json(r).at("/error/code").asInt()).isEqualTo(503);
  }

  @Test
  void aJsonErrorAnswersEvenAStreamingRequest() {
    HttpResponse<String> r = postChat(sim, stream(chat("sim/error-in-200-json", "go")));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(json(r).at("/error/code").asInt()).isEqualTo(524);
  }

  @Test
  void hugeIsOneWellFormedPieceOfTheAskedSize() {
    String bytes = Integer.toString(BigContent.PIECE_BYTES * 3 + 5);
    HttpResponse<String> whole = postChat(sim, knob(chat("sim/huge", "go"), "sim_huge_bytes", bytes));
    assertThat(json(whole).at("/choices/0/message/content").asText()).hasSize(Integer.parseInt(bytes));
    HttpResponse<String> streamed = postChat(sim, knob(stream(chat("sim/huge", "go")), "sim_huge_bytes", bytes));
    assertThat(streamedContent(streamed.body())).hasSize(Integer.parseInt(bytes));
    assertThat(streamed.body()).endsWith("data: [DONE]\n\n");
    JsonNode last = null;
    for (JsonNode e : events(streamed.body())) {
      if (e.path("choices").path(0).path("finish_reason").isTextual()) {
        last = e;
      }
    }
    assertThat(last).isNotNull();
  }

  @Test
  void echoKeyRepeatsTheKeyInItsMessageAndErrorType() {
    HttpResponse<String> r = postChat(sim, chat("sim/error-echo-key", "go"));
    assertThat(r.statusCode()).isEqualTo(400);
    String key = SimulatorKeys.DEFAULT;
    assertThat(json(r).at("/error/message").asText())
        .contains(key, key.toUpperCase(java.util.Locale.ROOT), key.substring("sk-or-v1-".length()));
    assertThat(json(r).at("/error/metadata/error_type").asText()).isEqualTo(key);
  }
}
