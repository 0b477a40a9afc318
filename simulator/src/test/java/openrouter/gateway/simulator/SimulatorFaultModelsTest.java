package openrouter.gateway.simulator;

import static openrouter.gateway.simulator.SimulatorTestSupport.FIXED_ID;
import static openrouter.gateway.simulator.SimulatorTestSupport.chat;
import static openrouter.gateway.simulator.SimulatorTestSupport.events;
import static openrouter.gateway.simulator.SimulatorTestSupport.json;
import static openrouter.gateway.simulator.SimulatorTestSupport.postChat;
import static openrouter.gateway.simulator.SimulatorTestSupport.stream;
import static openrouter.gateway.simulator.SimulatorTestSupport.streamedContent;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every fault model: status, headers and OpenRouter's error bodies (§3.4, §6). */
class SimulatorFaultModelsTest {
  private static final Map<Integer, String> ERROR_TYPES = Map.ofEntries(
      Map.entry(400, "context_length_exceeded"), Map.entry(401, "authentication"),
      Map.entry(402, "payment_required"), Map.entry(403, "permission_denied"),
      Map.entry(404, "not_found"), Map.entry(408, "timeout"), Map.entry(409, "invalid_request"),
      Map.entry(413, "payload_too_large"), Map.entry(422, "unprocessable"),
      Map.entry(429, "rate_limit_exceeded"), Map.entry(500, "server"),
      Map.entry(502, "provider_unavailable"), Map.entry(503, "provider_overloaded"),
      Map.entry(504, "timeout"), Map.entry(524, "timeout"), Map.entry(529, "provider_overloaded"));

  private static OpenRouterSimulator sim;

  @BeforeAll
  static void start() throws Exception {
    sim = OpenRouterSimulator.start(SimulatorTestSupport.deterministic().build());
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  static Stream<Arguments> statusesAndModes() {
    return ErrorResponses.FAULT_STATUSES.stream()
        .flatMap(status -> Stream.of(Arguments.of(status, false), Arguments.of(status, true)));
  }

  private static ObjectNode request(String model, boolean streaming) {
    ObjectNode body = chat(model, "Please misbehave");
    return streaming ? stream(body) : body;
  }

  @ParameterizedTest(name = "sim/error-{0} stream={1}")
  @MethodSource("statusesAndModes")
  void errorModelsFailBeforeOutputWithOpenRouterBodies(int status, boolean streaming) {
    HttpResponse<String> response = postChat(sim, request("sim/error-" + status, streaming));

    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(response.headers().firstValue("x-generation-id")).hasValue(FIXED_ID);
    JsonNode body = json(response);
    assertThat(body.at("/error/code").asInt()).isEqualTo(status);
    assertThat(body.at("/error/message").asText()).isNotBlank();
    assertThat(body.at("/error/metadata/error_type").asText()).isEqualTo(ERROR_TYPES.get(status));
    assertThat(body.path("user_id").asText()).isEqualTo("user_sim");
    boolean retryHeader = status == 429 || status == 503;
    assertThat(response.headers().firstValue("retry-after").isPresent()).isEqualTo(retryHeader);
  }

  @Test
  void specificErrorBodies() {
    JsonNode e400 = json(postChat(sim, request("sim/error-400", false))).path("error");
    assertThat(e400.path("message").asText()).contains("maximum context length");

    JsonNode e402 = json(postChat(sim, request("sim/error-402", false))).path("error");
    assertThat(e402.path("message").asText())
        .isEqualTo("Insufficient credits. Add more using https://openrouter.ai/credits");

    JsonNode e403 = json(postChat(sim, request("sim/error-403", false))).path("error");
    assertThat(e403.at("/metadata/reasons/0").asText()).isEqualTo("harassment");
    assertThat(e403.at("/metadata/flagged_input").asText()).isEqualTo("Please misbehave");
    assertThat(e403.at("/metadata/provider_name").asText()).isEqualTo("Simulator");
    assertThat(e403.at("/metadata/model_slug").asText()).isEqualTo("sim/error-403");

    JsonNode e404 = json(postChat(sim, request("sim/error-404", false))).path("error");
    assertThat(e404.at("/availability/code").asText()).isEqualTo("no_endpoints");
    assertThat(e404.at("/availability/retryable").asBoolean(true)).isFalse();

    JsonNode e500 = json(postChat(sim, request("sim/error-500", false))).path("error");
    assertThat(e500.path("message").asText()).isEqualTo("Internal Server Error");

    JsonNode e502 = json(postChat(sim, request("sim/error-502", false))).path("error");
    assertThat(e502.path("message").asText()).isEqualTo("Provider returned error");
    assertThat(e502.at("/metadata/provider_name").asText()).isEqualTo("Simulator");
    assertThat(json(e502.at("/metadata/raw").asText()).at("/error/message").asText())
        .isEqualTo("upstream model overloaded");

    JsonNode e524 = json(postChat(sim, request("sim/error-524", false))).path("error");
    assertThat(e524.at("/metadata/raw").asText()).isEqualTo("error code: 524");
  }

  @Test
  void rateLimitCarriesRetryAfterAndRateLimitHeaders() {
    HttpResponse<String> response = postChat(sim, request("sim/error-429", true));

    var headers = response.headers();
    assertThat(headers.firstValue("retry-after")).hasValue("2");
    assertThat(headers.firstValue("x-ratelimit-limit")).hasValue("20");
    assertThat(headers.firstValue("x-ratelimit-remaining")).hasValue("0");
    // The fixed clock makes the reset time predictable: now + 60 s, in epoch milliseconds.
    assertThat(headers.firstValue("x-ratelimit-reset")).hasValue("1700000060000");
    JsonNode metaHeaders = json(response).at("/error/metadata/headers");
    assertThat(metaHeaders.path("X-RateLimit-Limit").asText()).isEqualTo("20");
    assertThat(metaHeaders.path("X-RateLimit-Remaining").asText()).isEqualTo("0");
    assertThat(metaHeaders.path("X-RateLimit-Reset").asText()).isEqualTo("1700000060000");
    assertThat(postChat(sim, request("sim/error-503", false)).headers().firstValue("retry-after"))
        .hasValue("1");
  }

  @Test
  void availabilityRateLimitHasNoRetryAfterHeaderAndNoCode() {
    HttpResponse<String> response = postChat(sim, request("sim/error-429-availability", false));

    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.headers().firstValue("retry-after")).isEmpty();
    JsonNode error = json(response).path("error");
    assertThat(error.has("code")).isFalse();
    assertThat(error.path("http_status").asInt()).isEqualTo(429);
    assertThat(error.path("error_type").asText()).isEqualTo("rate_limit_exceeded");
    assertThat(error.at("/availability/code").asText()).isEqualTo("capacity_exhausted");
    assertThat(error.at("/availability/retryable").asBoolean()).isTrue();
    assertThat(error.at("/availability/retry_after").asInt()).isEqualTo(40);
    assertThat(error.at("/availability/requested_models/0").asText())
        .isEqualTo("sim/error-429-availability");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sim/error-midstream", "sim/error-midstream-string"})
  void midstreamErrorEndsTheStreamWithAnErrorChunk(String model) {
    HttpResponse<String> response = postChat(sim, request(model, true));

    assertThat(response.statusCode()).isEqualTo(200);
    List<JsonNode> events = events(response.body());
    assertThat(events).hasSize(4);
    assertThat(streamedContent(response.body())).isEqualTo("Partial answer before failure");
    JsonNode error = events.get(3);
    JsonNode code = error.at("/error/code");
    if (model.endsWith("string")) {
      assertThat(code.isTextual()).isTrue();
      assertThat(code.asText()).isEqualTo("server_error");
    } else {
      assertThat(code.isInt()).isTrue();
      assertThat(code.asInt()).isEqualTo(502);
    }
    assertThat(error.at("/error/metadata/error_type").asText()).isEqualTo("provider_unavailable");
    assertThat(error.at("/choices/0/finish_reason").asText()).isEqualTo("error");
    assertThat(response.body()).doesNotContain("[DONE]").endsWith("}\n\n");
  }

  @Test
  void midstreamErrorWithoutStreamingIsA200WithChoiceError() {
    JsonNode body = json(postChat(sim, request("sim/error-midstream", false)));

    assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("error");
    assertThat(body.at("/choices/0/message/content").asText())
        .isEqualTo("Partial answer before failure");
    assertThat(body.at("/choices/0/error/code").asInt()).isEqualTo(502);
  }

  @Test
  void truncatedStreamEndsWithoutFinishReasonOrDone() {
    String body = postChat(sim, request("sim/truncated", true)).body();

    List<JsonNode> events = events(body);
    assertThat(events).hasSize(3);
    assertThat(events).allSatisfy(e -> assertThat(e.at("/choices/0/finish_reason").isNull()).isTrue());
    assertThat(body).doesNotContain("[DONE]").doesNotContain("usage");
  }

  @Test
  void truncatedJsonBodyIsCutShort() {
    HttpResponse<String> response = postChat(sim, request("sim/truncated", false));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).startsWith("{\"id\":\"" + FIXED_ID);
    assertThat(response.body()).doesNotEndWith("}");
  }

  @Test
  void errorIn200() {
    HttpResponse<String> plain = postChat(sim, request("sim/error-in-200", false));
    assertThat(plain.statusCode()).isEqualTo(200);
    assertThat(plain.body()).isEqualTo("{\"id\":null,\"choices\":null,\"error\":{\"message\":"
        + "\"Provider returned error\",\"code\":524,\"metadata\":{\"raw\":\"error code: 524\","
        + "\"provider_name\":\"Google AI Studio\"}},\"user_id\":\"user_sim\"}");

    HttpResponse<String> streamed = postChat(sim, request("sim/error-in-200", true));
    assertThat(streamed.statusCode()).isEqualTo(200);
    List<JsonNode> events = events(streamed.body());
    assertThat(events).hasSize(1);
    assertThat(events.get(0).at("/error/code").asInt()).isEqualTo(524);
    assertThat(streamed.body()).doesNotContain("[DONE]");
  }

  @Test
  void paddedBodyStartsWithWhitespace() {
    HttpResponse<String> response = postChat(sim, request("sim/padded", false));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).startsWith("\n  \n{");
    assertThat(json(response).at("/choices/0/message/content").asText())
        .isEqualTo("Please misbehave");
    assertThat(streamedContent(postChat(sim, request("sim/padded", true)).body()))
        .isEqualTo("Please misbehave");
  }

  @Test
  void malformedBodies() {
    HttpResponse<String> plain = postChat(sim, request("sim/malformed", false));
    assertThat(plain.statusCode()).isEqualTo(200);
    assertThat(plain.headers().firstValue("content-type")).hasValue("text/html");
    assertThat(plain.body()).startsWith("<html>").contains("502 Bad Gateway");

    HttpResponse<String> streamed = postChat(sim, request("sim/malformed", true));
    assertThat(streamed.body())
        .isEqualTo(": OPENROUTER PROCESSING\n\ndata: {\"id\":\n\ndata: [DONE]\n\n");
  }

  @Test
  void emptyAnswers() {
    JsonNode plain = json(postChat(sim, request("sim/empty", false)));
    assertThat(plain.path("choices").isArray()).isTrue();
    assertThat(plain.path("choices")).isEmpty();
    assertThat(plain.at("/usage/completion_tokens").asInt()).isZero();

    String streamed = postChat(sim, request("sim/empty", true)).body();
    List<JsonNode> events = events(streamed);
    assertThat(events).hasSize(1);
    assertThat(events.get(0).path("choices")).isEmpty();
    assertThat(events.get(0).has("usage")).isTrue();
    assertThat(streamed).endsWith("data: [DONE]\n\n");
  }
}
