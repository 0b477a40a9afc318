package openrouter.gateway.tools.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import openrouter.gateway.client.GatewayClient;
import openrouter.gateway.client.testing.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shared conformance scenarios with the Java client, against an in-process gateway set up
 * like the one scripts/conformance.sh starts (simulator, no upstream retries).
 */
class ConformanceTest {
  private static TestGateway gateway;
  private static GatewayClient client;
  private static String scenarios;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start();
    client = GatewayClient.newBuilder(gateway.target())
        .chatTimeout(ConformanceRunner.CALL_TIMEOUT).readTimeout(ConformanceRunner.CALL_TIMEOUT).build();
    scenarios = Files.readString(Path.of(System.getProperty("conformance.scenarios")));
  }

  @AfterAll
  static void stop() {
    client.close();
    gateway.close();
  }

  @Test
  void everySharedScenarioPasses() throws Exception {
    List<ConformanceRunner.Result> results = ConformanceRunner.run(client, scenarios);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean allPassed = ConformanceRunner.report(results, new PrintStream(out, true, StandardCharsets.UTF_8));
    String report = out.toString(StandardCharsets.UTF_8);
    assertThat(allPassed).as(report).isTrue();
    assertThat(results).hasSizeGreaterThanOrEqualTo(10);
    assertThat(report).endsWith(results.size() + " passed, 0 failed\n");
  }

  @Test
  void aWrongExpectationFailsWithWhatDiffered() throws Exception {
    String wrong = """
        {"scenarios": [
          {"name": "wrong text", "action": "stream_chat",
           "request": {"model": "sim/echo", "messages": [{"role": "ROLE_USER", "content": "right words"}]},
           "expect": {"text": "other words", "deltas": 3, "tool_calls": [{"name": "f", "arguments": {}}]}},
          {"name": "wrong code", "action": "chat",
           "request": {"model": "sim/error-429", "messages": [{"role": "ROLE_USER", "content": "x"}]},
           "expect": {"code": "UNAVAILABLE", "retry_delay_ms": 1000, "typo_key": 1}}
        ]}""";
    List<ConformanceRunner.Result> results = ConformanceRunner.run(client, wrong);
    assertThat(results.get(0).problems()).containsExactlyInAnyOrder(
        "text: want other words, got right words", "deltas: want 3, got 2", "tool_calls: want 1, got 0 []");
    assertThat(results.get(1).problems()).containsExactlyInAnyOrder(
        "code: want UNAVAILABLE, got RESOURCE_EXHAUSTED", "retry_delay_ms: want 1000, got 2000",
        "unknown expectation typo_key");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ConformanceRunner.report(results, new PrintStream(out, true, StandardCharsets.UTF_8))).isFalse();
    assertThat(out.toString(StandardCharsets.UTF_8)).endsWith("0 passed, 2 failed\n");
  }
}
