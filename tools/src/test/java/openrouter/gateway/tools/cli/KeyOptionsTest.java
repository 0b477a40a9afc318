package openrouter.gateway.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import openrouter.gateway.client.testing.TestGateway;
import openrouter.gateway.tools.testing.CliRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CLI's two keys, named apart, against a real gateway that allows bring-your-own-key and does
 * not authenticate callers (the client library's side: {@code openrouter.gateway.client.KeysTest}).
 */
class KeyOptionsTest {
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
