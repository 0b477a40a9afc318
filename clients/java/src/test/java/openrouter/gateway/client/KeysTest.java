package openrouter.gateway.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import openrouter.gateway.client.testing.TestGateway;
import openrouter.gateway.simulator.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The two keys, named apart, against a real gateway that allows bring-your-own-key and does not
 * authenticate callers: the gateway caller key goes in {@code authorization}, the caller's own
 * OpenRouter key in {@code x-openrouter-api-key}; an OpenRouter key in the wrong header is an
 * error, not silently replaced by the gateway's own key. (The CLI's options for the two keys:
 * {@code tools/.../cli/KeyOptionsTest}.)
 */
class KeysTest {
  private static final String OWN = "sk-or-v1-" + "4".repeat(64);
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start("GATEWAY_ALLOW_CALLER_KEYS", "true");
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @Test
  void theClientSendsTheOpenRouterKeyAsXOpenRouterApiKey() throws Exception {
    try (GatewayClient client = GatewayClient.newBuilder(gateway.target()).openRouterKey(OWN).build()) {
      assertThat(client.chat(GatewayClientTest.chat("sim/echo", "java-byok")).getMessage().getContent())
          .isEqualTo("java-byok");
    }
    RecordedRequest upstream = gateway.upstreamRequestWith("java-byok");
    assertThat(upstream.header("authorization")).isEqualTo("Bearer " + OWN);
  }

  @Test
  void anOpenRouterKeyAsTheCallerKeyIsAClearError() {
    try (GatewayClient client = GatewayClient.newBuilder(gateway.target()).apiKey(OWN).build()) {
      GatewayException e = catchThrowableOfType(GatewayException.class,
          () -> client.chat(GatewayClientTest.chat("sim/echo", "wrong header")));
      assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.reason()).isEqualTo("OPENROUTER_KEY_IN_AUTHORIZATION");
      assertThat(e.description()).contains("x-openrouter-api-key");
    }
  }
}
