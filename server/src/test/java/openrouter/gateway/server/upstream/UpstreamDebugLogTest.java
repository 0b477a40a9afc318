package openrouter.gateway.server.upstream;

import static openrouter.gateway.server.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import java.util.List;
import openrouter.gateway.simulator.testing.CapturedLogs;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.TestKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GATEWAY_LOG_LEVEL=DEBUG: upstream requests and responses, with the key redacted. */
class UpstreamDebugLogTest {
  private static GatewayHarness h;

  @BeforeAll
  static void start() throws Exception {
    h = GatewayHarness.withSimulator("GATEWAY_HEALTH_PROBE_INTERVAL_MS", "0");
  }

  @AfterAll
  static void stop() throws Exception {
    h.close();
  }

  @Test
  void atDebugRequestsAndResponsesAreLoggedWithTheKeyRedacted() throws Exception {
    try (CapturedLogs logs = new CapturedLogs(UpstreamDebugLog.LOGGER, Level.DEBUG)) {
      h.chat().chat(chat("sim/echo", "debug me please"));
      List<String> out = logs.await("--> POST", 1);
      assertThat(out.get(0))
          .contains(h.simulator.baseUrl() + "/chat/completions")
          .contains("Authorization: <redacted>")
          .contains("\"model\":\"sim/echo\"")
          .contains("debug me please");
      String response = logs.await("<-- 200", 1).get(0);
      // Header names are case-insensitive: servers spell them differently.
      assertThat(response).contains("\"choices\"").containsIgnoringCase("content-type: application/json");

      h.chat().streamChat(chat("sim/echo", "streamed")).forEachRemaining(m -> {});
      assertThat(logs.await("<-- 200", 2).get(1)).contains("(event stream, not logged)");

      String all = String.join("\n", logs.lines());
      assertThat(all).doesNotContain(TestKeys.GATEWAY.substring("sk-or-v1-".length())).doesNotContainPattern("sk-or-[A-Za-z0-9]");
    }
  }

  @Test
  void keyLabelsInResponseBodiesAreRedactedToo() throws Exception {
    try (CapturedLogs logs = new CapturedLogs(UpstreamDebugLog.LOGGER, Level.DEBUG)) {
      // /key answers with the key's label (sk-or-v1-7e5...b1e): it must not reach the log as is.
      try (var response = newClientCallToKey()) {
        assertThat(response.code()).isEqualTo(200);
      }
      String line = logs.await("<-- 200", 1).get(0);
      assertThat(line).contains("\"label\":\"sk-or-<redacted>\"").doesNotContainPattern("sk-or-[A-Za-z0-9]");
    }
  }

  @Test
  void atInfoNothingIsLogged() throws Exception {
    try (CapturedLogs logs = new CapturedLogs(UpstreamDebugLog.LOGGER, Level.INFO)) {
      h.chat().chat(chat("sim/echo", "quiet"));
      assertThat(logs.lines()).isEmpty();
    }
  }

  private static okhttp3.Response newClientCallToKey() throws java.io.IOException {
    OpenRouterClient client = new OpenRouterClient(
        new UpstreamTarget(java.net.URI.create(h.simulator.baseUrl()), java.util.Optional.of(TestKeys.GATEWAY), false),
        java.util.Optional.empty(), "test", "test");
    try {
      return client.newGetCall("/key", java.util.Optional.empty()).execute();
    } finally {
      client.close();
    }
  }
}
