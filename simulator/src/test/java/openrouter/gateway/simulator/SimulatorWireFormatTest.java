package openrouter.gateway.simulator;

import static openrouter.gateway.simulator.SimulatorTestSupport.FIXED_ID;
import static openrouter.gateway.simulator.SimulatorTestSupport.chat;
import static openrouter.gateway.simulator.SimulatorTestSupport.knob;
import static openrouter.gateway.simulator.SimulatorTestSupport.postChat;
import static openrouter.gateway.simulator.SimulatorTestSupport.rawPost;
import static openrouter.gateway.simulator.SimulatorTestSupport.stream;
import static openrouter.gateway.simulator.SimulatorTestSupport.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The exact bytes the simulator puts on the wire (api reference §2.9 and §3.1). */
class SimulatorWireFormatTest {
  private static final String HEAD = "{\"id\":\"" + FIXED_ID + "\",\"provider\":\"Simulator\","
      + "\"model\":\"sim/echo\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,";
  private static final String USAGE = "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":3,"
      + "\"total_tokens\":6,\"cost\":0.000009,\"is_byok\":false,\"prompt_tokens_details\":"
      + "{\"cached_tokens\":0,\"cache_write_tokens\":0,\"audio_tokens\":0,\"video_tokens\":0},"
      + "\"cost_details\":{\"upstream_inference_cost\":null,\"upstream_inference_prompt_cost\":"
      + "0.000003,\"upstream_inference_completions_cost\":0.000006},\"completion_tokens_details\":"
      + "{\"reasoning_tokens\":0,\"audio_tokens\":0,\"image_tokens\":0}}";

  /** sim/echo streaming "Hello big world": comment, 3 words, finish, usage, [DONE]. */
  private static final String ECHO_STREAM = ": OPENROUTER PROCESSING\n\n"
      + "data: " + HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
      + "\"content\":\"Hello \"},\"finish_reason\":null,\"native_finish_reason\":null,"
      + "\"logprobs\":null}]}\n\n"
      + "data: " + HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
      + "\"content\":\"big \"},\"finish_reason\":null,\"native_finish_reason\":null,"
      + "\"logprobs\":null}]}\n\n"
      + "data: " + HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
      + "\"content\":\"world\"},\"finish_reason\":null,\"native_finish_reason\":null,"
      + "\"logprobs\":null}]}\n\n"
      + "data: " + HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
      + "\"content\":\"\"},\"finish_reason\":\"stop\",\"native_finish_reason\":\"end_turn\","
      + "\"logprobs\":null}]}\n\n"
      + "data: " + HEAD + "\"choices\":[]," + USAGE + "}\n\n"
      + "data: [DONE]\n\n";

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
  void echoStreamIsByteForByteOpenRouterFraming() {
    HttpResponse<String> response = postChat(sim, stream(chat("sim/echo", "Hello big world")));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
    assertThat(response.headers().firstValue("cache-control")).hasValue("no-cache");
    assertThat(response.headers().firstValue("x-generation-id")).hasValue(FIXED_ID);
    assertThat(response.body()).isEqualTo(ECHO_STREAM);
  }

  @Test
  void crlfModeUsesCrlfForEveryLineEnding() {
    HttpResponse<String> response = postChat(sim,
        knob(stream(chat("sim/echo", "Hello big world")), "sim_line_ending", "crlf"));

    assertThat(response.body()).isEqualTo(ECHO_STREAM.replace("\n", "\r\n"));
  }

  @Test
  void splitWritesSendThreeBytePiecesThatReassembleToTheSameBytes() throws Exception {
    String body = write(knob(stream(chat("sim/echo", "Hello big world")), "sim_split_writes", "true"));

    SimulatorTestSupport.RawResponse raw = rawPost(sim, "/chat/completions", body);

    assertThat(raw.head()).startsWith("HTTP/1.1 200");
    assertThat(raw.chunks()).allSatisfy(chunk -> assertThat(chunk.length).isBetween(1, 3));
    assertThat(raw.bodyText()).isEqualTo(ECHO_STREAM);
  }

  @Test
  void withoutSplitWritesEachEventLeavesAsOneChunk() throws Exception {
    String body = write(stream(chat("sim/echo", "Hello big world")));

    SimulatorTestSupport.RawResponse raw = rawPost(sim, "/chat/completions", body);

    assertThat(raw.chunks()).hasSize(7); // comment, 3 words, finish, usage, [DONE]
    assertThat(new String(raw.chunks().get(0), StandardCharsets.UTF_8))
        .isEqualTo(": OPENROUTER PROCESSING\n\n");
    assertThat(raw.bodyText()).isEqualTo(ECHO_STREAM);
  }

  @Test
  void processingCommentCountIsConfigurable() throws Exception {
    try (OpenRouterSimulator three = OpenRouterSimulator.start(
        SimulatorTestSupport.deterministic().processingComments(3).build())) {
      String body = postChat(three, stream(chat("sim/echo", "Hello big world"))).body();

      assertThat(body).isEqualTo(": OPENROUTER PROCESSING\n\n".repeat(2) + ECHO_STREAM);
    }
  }

  @Test
  void nonStreamingEchoIsOpenRouterChatResult() {
    HttpResponse<String> response = postChat(sim, chat("sim/echo", "Hello big world"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(response.headers().firstValue("x-generation-id")).hasValue(FIXED_ID);
    assertThat(response.body()).isEqualTo("{\"id\":\"" + FIXED_ID + "\",\"object\":"
        + "\"chat.completion\",\"created\":1700000000,\"model\":\"sim/echo\",\"provider\":"
        + "\"Simulator\",\"choices\":[{\"index\":0,\"finish_reason\":\"stop\","
        + "\"native_finish_reason\":\"end_turn\",\"logprobs\":null,\"message\":{\"role\":"
        + "\"assistant\",\"content\":\"Hello big world\",\"refusal\":null,\"reasoning\":null}}],"
        + USAGE + "}");
  }

  @Test
  void echoKeepsWhitespaceAndJoinsTextParts() {
    String body = "{\"model\":\"sim/echo\",\"messages\":[{\"role\":\"user\",\"content\":["
        + "{\"type\":\"text\",\"text\":\"  Héllo,\\n\"},"
        + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,AAAA\"}},"
        + "{\"type\":\"text\",\"text\":\"wörld  😀 !\"}]}]";

    String streamed = SimulatorTestSupport.streamedContent(
        postChat(sim, body + ",\"stream\":true}").body());
    String whole = SimulatorTestSupport.json(postChat(sim, body + "}"))
        .at("/choices/0/message/content").asText();

    assertThat(streamed).isEqualTo("  Héllo,\nwörld  😀 !");
    assertThat(whole).isEqualTo(streamed);
  }
}
