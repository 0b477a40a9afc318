package openrouter.gateway.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.util.JsonFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import openrouter.gateway.tools.testing.CliRun;
import openrouter.gateway.client.testing.TestGateway;
import openrouter.gateway.v1.ChatResponse;
import openrouter.gateway.v1.StreamChatResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code gateway-cli chat} against a real gateway in front of the simulator. */
class ChatCommandTest {
  private static TestGateway gateway;
  private static String target;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start();
    target = gateway.target();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @Test
  void streamsTheAnswerToStdout() {
    CliRun r = CliRun.run("chat", "--target", target, "-m", "sim/echo", "hello", "there", "world");
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.out).isEqualTo("hello there world\n");
    assertThat(r.err).isEmpty();
  }

  @Test
  void printsTokensAsTheyArriveNotAtTheEnd() {
    CliRun r = CliRun.run("chat", "--target", target, "-m", "sim/slow", "--metadata", "sim_chunk_delay_ms=1000",
        "one two three four five");
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.out).isEqualTo("one two three four five\n");
    // Five words a second apart (4 s from first to last) arrive as separate writes spread over
    // the stream's life; printing at the end would put them within microseconds. The margin
    // to 400 ms absorbs a busy machine delaying the first write by over 3 s (at 400 ms pacing
    // the margin was 1.2 s).
    assertThat(r.outWriteTimes.size()).isGreaterThanOrEqualTo(5);
    long spreadMs = TimeUnit.NANOSECONDS.toMillis(r.outWriteTimes.get(r.outWriteTimes.size() - 1) - r.outWriteTimes.get(0));
    assertThat(spreadMs).isGreaterThan(400);
  }

  @Test
  void readsThePromptFromStdin() {
    CliRun fromStdin = CliRun.builder().stdin("a prompt\nfrom stdin\n").run("chat", "--target", target, "-m", "sim/echo");
    assertThat(fromStdin.out).as(fromStdin.toString()).isEqualTo("a prompt\nfrom stdin\n");
    CliRun dash = CliRun.builder().stdin("dash prompt").run("chat", "--target", target, "-m", "sim/echo", "-");
    assertThat(dash.out).isEqualTo("dash prompt\n");
  }

  @Test
  void sendsTheSystemMessageLimitsAndFallbacksUpstream() throws Exception {
    CliRun r = CliRun.run("chat", "--target", target, "-m", "sim/inspect", "--system", "be brief",
        "--max-tokens", "77", "--temperature", "0.5", "--fallback", "sim/echo", "--fallback", "sim/slow",
        "what", "was", "sent");
    assertThat(r.exitCode).as(r.toString()).isZero();
    JsonNode body = new ObjectMapper().readTree(r.out);
    assertThat(body.get("model").asText()).isEqualTo("sim/inspect");
    assertThat(body.get("max_tokens").asInt()).isEqualTo(77);
    assertThat(body.get("temperature").asDouble()).isEqualTo(0.5);
    assertThat(body.get("models").toString()).contains("sim/echo", "sim/slow");
    assertThat(body.get("messages").get(0).get("role").asText()).isEqualTo("system");
    assertThat(body.get("messages").get(0).get("content").asText()).isEqualTo("be brief");
    assertThat(body.get("messages").get(1).get("content").asText()).isEqualTo("what was sent");
  }

  @Test
  void jsonPrintsOneMessagePerLineEndingWithTheSummary() throws Exception {
    CliRun r = CliRun.run("chat", "--target", target, "-m", "sim/echo", "--json", "json lines please");
    assertThat(r.exitCode).as(r.toString()).isZero();
    List<StreamChatResponse> messages = new ArrayList<>();
    for (String line : r.out.split("\n")) {
      StreamChatResponse.Builder b = StreamChatResponse.newBuilder();
      JsonFormat.parser().merge(line, b);
      messages.add(b.build());
    }
    assertThat(messages).hasSize(4);
    assertThat(messages.get(0).getDelta().getContent()).isEqualTo("json ");
    assertThat(messages.get(3).getSummary().getFinishReason()).isEqualTo("stop");
  }

  @Test
  void noStreamUsesTheUnaryCall() throws Exception {
    CliRun text = CliRun.run("chat", "--target", target, "-m", "sim/echo", "--no-stream", "all at once");
    assertThat(text.out).as(text.toString()).isEqualTo("all at once\n");
    CliRun json = CliRun.run("chat", "--target", target, "-m", "sim/echo", "--no-stream", "--json", "all at once");
    ChatResponse.Builder b = ChatResponse.newBuilder();
    JsonFormat.parser().merge(json.out, b);
    assertThat(b.getMessage().getContent()).isEqualTo("all at once");
    assertThat(b.getSummary().getModel()).isEqualTo("sim/echo");
  }

  @Test
  void printsToolCalls() {
    CliRun r = CliRun.run("chat", "--target", target, "-m", "sim/tools", "weather in Paris?");
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.out).contains("[tool call get_weather {\"city\":\"Paris\"}");
  }

  @Test
  void aRateLimitPrintsCodeReasonAndRetryHintAndExits4() {
    CliRun r = CliRun.run("chat", "--target", target, "-m", "sim/error-429", "hi");
    assertThat(r.exitCode).as(r.toString()).isEqualTo(4);
    assertThat(r.out).isEmpty();
    assertThat(r.err).startsWith("error: RESOURCE_EXHAUSTED (RATE_LIMIT_EXCEEDED, openrouter.ai): ")
        .contains("\nhint: rate limited; retry after 2s\n");
  }

  @Test
  void aFailureMidStreamKeepsTheTextAndReportsTheError() {
    CliRun r = CliRun.run("chat", "--target", target, "-m", "sim/error-midstream", "hi");
    assertThat(r.exitCode).as(r.toString()).isEqualTo(3);
    assertThat(r.out).isNotBlank().endsWith("\n");
    assertThat(r.err).startsWith("error: UNAVAILABLE (PROVIDER_UNAVAILABLE, openrouter.ai)")
        .contains("hint: the model or its provider failed; retry later or add --fallback models");
  }

  @Test
  void anInvalidRequestListsTheFieldViolationsAndExits6() {
    CliRun r = CliRun.run("chat", "--target", target, "-m", "sim/echo", "--temperature", "5", "hi");
    assertThat(r.exitCode).as(r.toString()).isEqualTo(6);
    assertThat(r.err).startsWith("error: INVALID_ARGUMENT (INVALID_REQUEST, openrouter-grpc-gateway)")
        .contains("\n  temperature: ");
  }

  @Test
  void aShortTimeoutEndsTheCallDeadlineExceeded() {
    CliRun r = CliRun.run("chat", "--target", target, "-m", "sim/stall-first", "--timeout", "0.5", "hi");
    assertThat(r.exitCode).as(r.toString()).isEqualTo(7);
    assertThat(r.err).startsWith("error: DEADLINE_EXCEEDED").contains("raise --timeout");
    // Whichever side noticed first, the words are the CLI's or the gateway's, never grpc-java's.
    assertThat(r.err).doesNotContain("CallOptions").doesNotContain("Name resolution")
        .contains("hint: the call took longer than its deadline of 0.5s; raise --timeout");
  }

  @Test
  void anUpstreamTimeoutDoesNotBlameTheCallersDeadline() {
    CliRun r = CliRun.run("chat", "--target", target, "-m", "sim/error-524", "hi");
    assertThat(r.exitCode).as(r.toString()).isEqualTo(7);
    assertThat(r.err).contains("UPSTREAM_TIMEOUT").contains("hint: the model's provider timed out")
        .doesNotContain("--timeout");
  }

  @Test
  void versionWorksOnEverySubcommand() {
    for (String[] args : new String[][] {{"--version"}, {"chat", "--version"}, {"models", "--version"}}) {
      CliRun r = CliRun.run(args);
      assertThat(r.exitCode).as(r.toString()).isZero();
      assertThat(r.out).as(String.join(" ", args)).startsWith("gateway-cli ");
    }
  }

  @Test
  void aPersonAtATerminalSeesProgressThenTheSummary() {
    CliRun waiting = CliRun.builder().terminal()
        .run("chat", "--target", target, "-m", "sim/stall-first", "--timeout", "3", "hi");
    // The spinner drew frames while nothing came, then erased itself before the error. Its
    // thread draws the first frame as it starts: 3 s leaves a busy machine time to start it
    // (0.6 s did not always).
    assertThat(waiting.err).contains("\r| waiting for sim/stall-first").contains("\r\033[2Kerror: DEADLINE_EXCEEDED");
    // How many frames fit in 3 s depends on the machine's load: at least one, never a count.
    assertThat(waiting.err.split("waiting for").length - 1).isPositive();

    CliRun answered = CliRun.builder().terminal().run("chat", "--target", target, "-m", "sim/echo", "hi");
    assertThat(answered.out).isEqualTo("hi\n");
    assertThat(answered.err).contains("[sim/echo").contains(", stop, ").contains(" tokens").endsWith("]\n");

    CliRun quiet = CliRun.builder().terminal().run("chat", "--target", target, "-m", "sim/stall-first",
        "--no-progress", "--timeout", "0.3", "hi");
    assertThat(quiet.err).doesNotContain("waiting for");
  }

  @Test
  void withoutATerminalThereIsNoProgressIndicator() {
    CliRun r = CliRun.run("chat", "--target", target, "-m", "sim/stall-first", "--timeout", "0.4", "hi");
    assertThat(r.err).doesNotContain("waiting for").doesNotContain("\r");
  }

  @Test
  void anEmptyPromptIsAUsageError() {
    CliRun r = CliRun.builder().stdin("  \n").run("chat", "--target", target, "-m", "sim/echo");
    assertThat(r.exitCode).isEqualTo(2);
    assertThat(r.err).isEqualTo("error: no prompt: pass it as arguments or on stdin\n");
  }

  @Test
  void anUnknownOptionIsAUsageError() {
    CliRun r = CliRun.run("chat", "--target", target, "--frobnicate", "hi");
    assertThat(r.exitCode).isEqualTo(2);
    assertThat(r.err).contains("Unknown option: '--frobnicate'").contains("Usage: gateway-cli chat");
  }

  @Test
  void theTargetComesFromTheEnvironmentWhenNoFlagIsGiven() {
    CliRun r = CliRun.builder().env(java.util.Map.of("GATEWAY_TARGET", target)).run("chat", "-m", "sim/echo", "env");
    assertThat(r.out).as(r.toString()).isEqualTo("env\n");
    CliRun flagWins = CliRun.builder().env(java.util.Map.of("GATEWAY_TARGET", "127.0.0.1:1"))
        .run("--target", target, "chat", "-m", "sim/echo", "flag");
    assertThat(flagWins.out).as(flagWins.toString()).isEqualTo("flag\n");
  }
}
