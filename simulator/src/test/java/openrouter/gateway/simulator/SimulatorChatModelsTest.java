package openrouter.gateway.simulator;

import static openrouter.gateway.simulator.SimulatorTestSupport.MAPPER;
import static openrouter.gateway.simulator.SimulatorTestSupport.chat;
import static openrouter.gateway.simulator.SimulatorTestSupport.events;
import static openrouter.gateway.simulator.SimulatorTestSupport.json;
import static openrouter.gateway.simulator.SimulatorTestSupport.knob;
import static openrouter.gateway.simulator.SimulatorTestSupport.postChat;
import static openrouter.gateway.simulator.SimulatorTestSupport.stream;
import static openrouter.gateway.simulator.SimulatorTestSupport.streamedContent;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The behaviour of the well-behaved sim/* models, streaming and not. */
class SimulatorChatModelsTest {
  private static OpenRouterSimulator sim;

  @BeforeAll
  static void start() throws Exception {
    sim = OpenRouterSimulator.start(0);
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  @Test
  void inspectAnswersWithTheExactRequestBody() {
    String body = "{ \"model\" : \"sim/inspect\",\n  \"messages\": [{\"role\":\"user\","
        + "\"content\":\"what did I send? ünïcode 😀 and a long tail to span several chunks of"
        + " sixty-four characters each\"}], \"temperature\": 0.5 }";

    String whole = json(postChat(sim, body)).at("/choices/0/message/content").asText();
    String streamedBody = body.replace("\"temperature\"", "\"stream\": true, \"temperature\"");
    String streamed = streamedContent(postChat(sim, streamedBody).body());

    assertThat(whole).isEqualTo(body);
    assertThat(streamed).isEqualTo(streamedBody);
    assertThat(events(postChat(sim, streamedBody).body()).size()).isGreaterThan(4);
  }

  @Test
  void fixedSendsTheRequestedNumberAndSizeOfChunks() {
    ObjectNode request = knob(knob(stream(chat("sim/fixed", "go")), "sim_chunks", "5"),
        "sim_chunk_chars", "4");

    List<JsonNode> events = events(postChat(sim, request).body());

    List<String> pieces = new ArrayList<>();
    for (JsonNode e : events) {
      String content = e.at("/choices/0/delta/content").asText("");
      if (!content.isEmpty()) {
        pieces.add(content);
      }
    }
    assertThat(pieces).containsExactly("aaa ", "bbb ", "ccc ", "ddd ", "eee ");
    assertThat(events.get(events.size() - 1).at("/usage/completion_tokens").asInt()).isEqualTo(5);
  }

  @Test
  void fixedDefaultsTo64ChunksOf8Chars() {
    String content = json(postChat(sim, chat("sim/fixed", "go")))
        .at("/choices/0/message/content").asText();

    assertThat(content).hasSize(64 * 8);
    assertThat(content).startsWith("aaaaaaa bbbbbbb ");
  }

  @Test
  void chunkDelayPacesTheStreamWithKeepAlivesWhileWaiting() {
    ObjectNode request = knob(knob(knob(stream(chat("sim/fixed", "go")), "sim_chunks", "3"),
        "sim_chunk_chars", "2"), "sim_chunk_delay_ms", "120");

    long start = System.nanoTime();
    String body = postChat(sim, request).body();
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;

    assertThat(elapsedMs).isGreaterThanOrEqualTo(240);
    String between = body.substring(body.indexOf("\"a \""), body.indexOf("\"b \""));
    // A 120 ms pause is longer than 50 ms, so comments keep the connection visibly alive.
    assertThat(between.split(": OPENROUTER PROCESSING", -1).length - 1).isGreaterThanOrEqualTo(2);
  }

  @Test
  void slowModelWaits200MsBetweenChunks() {
    long start = System.nanoTime();
    String body = postChat(sim, stream(chat("sim/slow", "one two"))).body();
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;

    assertThat(streamedContent(body)).isEqualTo("one two");
    assertThat(elapsedMs).isGreaterThanOrEqualTo(200);
    assertThat(body.indexOf(": OPENROUTER PROCESSING", body.indexOf("one ")))
        .isLessThan(body.indexOf("two"));
  }

  @Test
  void toolsStreamsOneCallAsArgumentFragments() {
    ObjectNode request = stream(chat("sim/tools", "weather?"));
    request.putArray("tools").add(tool("lookup_city"));

    List<JsonNode> calls = new ArrayList<>();
    String finish = null;
    for (JsonNode event : events(postChat(sim, request).body())) {
      event.at("/choices/0/delta/tool_calls").forEach(calls::add);
      if (event.at("/choices/0/finish_reason").isTextual()) {
        finish = event.at("/choices/0/finish_reason").asText();
      }
    }

    assertThat(calls).hasSizeGreaterThanOrEqualTo(3);
    JsonNode first = calls.get(0);
    assertThat(first.path("index").asInt()).isZero();
    assertThat(first.path("id").asText()).isEqualTo("call_sim_1");
    assertThat(first.path("type").asText()).isEqualTo("function");
    assertThat(first.at("/function/name").asText()).isEqualTo("lookup_city");
    StringBuilder arguments = new StringBuilder();
    for (JsonNode call : calls) {
      arguments.append(call.at("/function/arguments").asText());
    }
    for (JsonNode later : calls.subList(1, calls.size())) {
      assertThat(later.has("id")).isFalse();
      assertThat(later.at("/function/name").isMissingNode()).isTrue();
    }
    assertThat(arguments.toString()).isEqualTo("{\"city\":\"Paris\"}");
    assertThat(finish).isEqualTo("tool_calls");
  }

  @Test
  void toolsCallsTwoInParallelUnlessDisabled() {
    ObjectNode request = chat("sim/tools", "weather?");
    request.putArray("tools").add(tool("a")).add(tool("b")).add(tool("c"));

    JsonNode parallel = json(postChat(sim, request)).at("/choices/0");
    request.put("parallel_tool_calls", false);
    JsonNode single = json(postChat(sim, request)).at("/choices/0/message/tool_calls");

    assertThat(parallel.path("finish_reason").asText()).isEqualTo("tool_calls");
    JsonNode calls = parallel.at("/message/tool_calls");
    assertThat(calls).hasSize(2);
    assertThat(calls.get(0).at("/function/name").asText()).isEqualTo("a");
    assertThat(calls.get(1).at("/function/name").asText()).isEqualTo("b");
    assertThat(calls.get(1).path("id").asText()).isEqualTo("call_sim_2");
    assertThat(calls.get(0).at("/function/arguments").asText()).isEqualTo("{\"city\":\"Paris\"}");
    assertThat(single).hasSize(1);
  }

  @Test
  void toolsWithoutToolsCallsGetWeatherAndAcknowledgesResults() {
    JsonNode call = json(postChat(sim, chat("sim/tools", "hi")))
        .at("/choices/0/message/tool_calls/0");
    assertThat(call.at("/function/name").asText()).isEqualTo("get_weather");

    ObjectNode followUp = chat("sim/tools", "weather?");
    var messages = followUp.withArray("messages");
    ObjectNode assistant = messages.addObject().put("role", "assistant");
    assistant.putNull("content");
    assistant.putArray("tool_calls").add(call);
    messages.addObject().put("role", "tool").put("tool_call_id", "call_sim_1")
        .put("content", "{\"temp_c\":18}");

    JsonNode answer = json(postChat(sim, followUp)).at("/choices/0");
    assertThat(answer.at("/message/content").asText())
        .isEqualTo("Tool result received: {\"temp_c\":18}");
    assertThat(answer.path("finish_reason").asText()).isEqualTo("stop");
  }

  @Test
  void reasoningStreamsReasoningThenContent() {
    List<JsonNode> events = events(postChat(sim, stream(chat("sim/reasoning", "echo me"))).body());

    StringBuilder reasoning = new StringBuilder();
    StringBuilder details = new StringBuilder();
    int firstContent = -1;
    int lastReasoning = -1;
    for (int i = 0; i < events.size(); i++) {
      JsonNode delta = events.get(i).at("/choices/0/delta");
      if (delta.has("reasoning")) {
        reasoning.append(delta.path("reasoning").asText());
        JsonNode detail = delta.at("/reasoning_details/0");
        assertThat(detail.path("type").asText()).isEqualTo("reasoning.text");
        assertThat(detail.path("format").asText()).isEqualTo("unknown");
        assertThat(detail.path("index").asInt()).isZero();
        details.append(detail.path("text").asText());
        lastReasoning = i;
      }
      if (firstContent < 0 && !delta.path("content").asText("").isEmpty()) {
        firstContent = i;
      }
    }
    assertThat(reasoning.toString()).isEqualTo(ChatScenarios.REASONING_TEXT);
    assertThat(details.toString()).isEqualTo(ChatScenarios.REASONING_TEXT);
    assertThat(lastReasoning).isLessThan(firstContent);
    assertThat(streamedContent(postChat(sim, stream(chat("sim/reasoning", "echo me"))).body()))
        .isEqualTo("echo me");
    JsonNode usage = events.get(events.size() - 1).path("usage");
    assertThat(usage.at("/completion_tokens_details/reasoning_tokens").asInt()).isEqualTo(12);
    assertThat(usage.path("completion_tokens").asInt()).isEqualTo(14);
  }

  @Test
  void reasoningWithoutStreamingFillsReasoningFields() {
    JsonNode message = json(postChat(sim, chat("sim/reasoning", "echo me")))
        .at("/choices/0/message");

    assertThat(message.path("content").asText()).isEqualTo("echo me");
    assertThat(message.path("reasoning").asText()).isEqualTo(ChatScenarios.REASONING_TEXT);
    assertThat(message.at("/reasoning_details/0/text").asText())
        .isEqualTo(ChatScenarios.REASONING_TEXT);
  }

  @Test
  void citedCarriesAUrlCitation() {
    JsonNode message = json(postChat(sim, chat("sim/cited", "source?"))).at("/choices/0/message");
    JsonNode citation = message.at("/annotations/0");
    String content = message.path("content").asText();

    assertThat(citation.path("type").asText()).isEqualTo("url_citation");
    assertThat(citation.at("/url_citation/url").asText()).isEqualTo(ChatScenarios.CITED_URL);
    assertThat(content.substring(citation.at("/url_citation/start_index").asInt(),
        citation.at("/url_citation/end_index").asInt())).isEqualTo("example.com");

    List<JsonNode> events = events(postChat(sim, stream(chat("sim/cited", "source?"))).body());
    assertThat(events.stream().filter(e -> e.at("/choices/0/delta/annotations/0").isObject()))
        .hasSize(1);
  }

  @Test
  void stallSendsOneChunkThenOnlyComments() throws Exception {
    String seen = readUntil("sim/stall", true, got -> got.contains("Working on it")
        && count(got.substring(got.indexOf("Working on it")), ": OPENROUTER PROCESSING") >= 3);

    assertThat(seen.split("\ndata: ", -1).length - 1).isEqualTo(1);
    assertThat(seen).contains("Working on it");
    String afterChunk = seen.substring(seen.indexOf("Working on it"));
    assertThat(afterChunk.split(": OPENROUTER PROCESSING", -1).length - 1).isGreaterThanOrEqualTo(3);
  }

  @Test
  void stallFirstSendsOnlyComments() throws Exception {
    String seen = readUntil("sim/stall-first", true, got -> count(got, ": OPENROUTER PROCESSING") >= 3);

    assertThat(seen).doesNotContain("data:");
    assertThat(seen.split(": OPENROUTER PROCESSING", -1).length - 1).isGreaterThanOrEqualTo(3);
  }

  @Test
  void stallWithoutStreamingCommits200AndPadsWithNewlines() throws Exception {
    String padding = "1\r\n\n\r\n"; // chunked framing of one "\n" padding write
    String seen = readUntil("sim/stall", false,
        got -> got.contains("\r\n\r\n") && count(got.substring(got.indexOf("\r\n\r\n")), padding) >= 3);

    assertThat(seen).startsWith("HTTP/1.1 200 OK");
    String chunkedBody = seen.substring(seen.indexOf("\r\n\r\n") + 4);
    // Nothing but newlines arrive (the last read may end inside a padding write).
    int complete = chunkedBody.lastIndexOf(padding) + padding.length();
    assertThat(chunkedBody.substring(0, complete).replace(padding, "")).isEmpty();
    assertThat(padding).startsWith(chunkedBody.substring(complete));
    assertThat(chunkedBody.length()).isGreaterThanOrEqualTo(3 * padding.length());
  }

  @Test
  void badKnobIsA400() {
    var response = postChat(sim, knob(chat("sim/fixed", "go"), "sim_chunks", "many"));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).at("/error/message").asText()).contains("sim_chunks");
  }

  private static int count(String text, String part) {
    return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
  }

  /**
   * Calls a never-ending model over a raw socket until what came satisfies {@code enough} (or
   * the connection ends, or a failure-only deadline passes); returns what came.
   */
  private static String readUntil(String model, boolean streaming, java.util.function.Predicate<String> enough)
      throws Exception {
    long millis = openrouter.gateway.simulator.testing.Eventually.DEADLINE.toMillis();
    ObjectNode request = chat(model, "hang");
    byte[] body = MAPPER.writeValueAsBytes(streaming ? stream(request) : request);
    try (Socket socket = new Socket("127.0.0.1", sim.port())) {
      socket.getOutputStream().write(("POST /api/v1/chat/completions HTTP/1.1\r\n"
          + "Host: 127.0.0.1\r\nAuthorization: Bearer " + SimulatorKeys.DEFAULT + "\r\n"
          + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().write(body);
      InputStream in = socket.getInputStream();
      StringBuilder seen = new StringBuilder();
      long deadline = System.nanoTime() + millis * 1_000_000;
      byte[] buffer = new byte[4096];
      while (System.nanoTime() < deadline) {
        socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        try {
          int n = in.read(buffer);
          if (n < 0) {
            break;
          }
          seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
          if (enough.test(seen.toString())) {
            break;
          }
        } catch (java.net.SocketTimeoutException e) {
          break;
        }
      }
      return seen.toString();
    }
  }

  private static ObjectNode tool(String name) {
    ObjectNode tool = MAPPER.createObjectNode().put("type", "function");
    ObjectNode function = tool.putObject("function").put("name", name);
    function.putObject("parameters").put("type", "object");
    return tool;
  }
}
