package openrouter.gateway.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import java.util.Map;
import openrouter.gateway.client.testing.CliRun;
import openrouter.gateway.client.testing.TestGateway;
import openrouter.gateway.simulator.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The two keys, named apart, against a real gateway that allows bring-your-own-key and does not
 * authenticate callers: the gateway caller key goes in {@code authorization}, the caller's own
 * OpenRouter key in {@code x-openrouter-api-key}; an OpenRouter key in the wrong header is an
 * error, not silently replaced by the gateway's own key.
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

  @Test
  void theCliHasAnOptionAndAVariableForEachKey() throws Exception {
    CliRun flag = CliRun.run("chat", "--target", gateway.target(), "--openrouter-key", OWN, "-m", "sim/echo", "cli-flag-byok");
    assertThat(flag.exitCode).as(flag.toString()).isZero();
    assertThat(gateway.upstreamRequestWith("cli-flag-byok").header("authorization")).isEqualTo("Bearer " + OWN);

    CliRun env = CliRun.builder().env(Map.of("GATEWAY_OPENROUTER_KEY", OWN))
        .run("chat", "--target", gateway.target(), "-m", "sim/echo", "cli-env-byok");
    assertThat(env.exitCode).as(env.toString()).isZero();
    assertThat(gateway.upstreamRequestWith("cli-env-byok").header("authorization")).isEqualTo("Bearer " + OWN);

    CliRun wrong = CliRun.builder().env(Map.of("GATEWAY_API_KEY", OWN))
        .run("chat", "--target", gateway.target(), "-m", "sim/echo", "cli-wrong-header");
    assertThat(wrong.exitCode).as(wrong.toString()).isEqualTo(6);
    assertThat(wrong.err).contains("OPENROUTER_KEY_IN_AUTHORIZATION", "hint: --api-key / $GATEWAY_API_KEY is the gateway caller key",
        "--openrouter-key").doesNotContain("4444444444");
  }
}
