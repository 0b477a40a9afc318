package openrouter.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import openrouter.gateway.server.chat.ChatPolicy;
import openrouter.gateway.server.chat.InputLimits;
import openrouter.gateway.server.config.ConfigException;
import openrouter.gateway.server.config.GatewayConfig;
import openrouter.gateway.server.config.Setting;
import openrouter.gateway.server.resilience.RetryPolicy;
import openrouter.gateway.server.security.MethodFamily;
import openrouter.gateway.server.security.RateLimit;
import openrouter.gateway.server.upstream.UpstreamLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The policies the bootstrap builds from settings given as a user gives them (environment, flags). */
class PoliciesTest {
  private static GatewayConfig load(Map<String, String> env, String... flags) {
    return GatewayConfig.load(env, List.of(flags));
  }

  @Test
  void theDefaultSettingsBuildTheDefaultPolicies() {
    GatewayConfig c = load(Map.of());
    assertThat(Policies.chat(c.chat())).isEqualTo(ChatPolicy.DEFAULT);
    assertThat(Policies.inputLimits(c.chat())).isEqualTo(InputLimits.DEFAULT);
    assertThat(Policies.upstreamLimits(c.upstream())).isEqualTo(UpstreamLimits.DEFAULTS);
    assertThat(Policies.retry(c.upstream()))
        .isEqualTo(new RetryPolicy(2, Duration.ofMillis(250), Duration.ofSeconds(5), 2.0));
    assertThat(Policies.rateLimits(c.security())).containsExactlyInAnyOrderEntriesOf(Map.of(
        MethodFamily.CHAT, RateLimit.parse("30/1m"),
        MethodFamily.MODELS, RateLimit.parse("100/10s"),
        MethodFamily.CREDITS, RateLimit.parse("100/10s"),
        MethodFamily.EMBEDDINGS, RateLimit.parse("300/1m")));
    assertThat(Policies.callers(c.security())).isEmpty();
  }

  @Test
  void theReadBoundSettingsAreTheOnesTheUpstreamNamesInItsErrors() {
    // config/ writes these names out (upstream/ imports config/, not the other way round).
    assertThat(GatewayConfig.SETTINGS).extracting(Setting::env).contains(
        UpstreamLimits.SSE_LINE_SETTING, UpstreamLimits.SSE_EVENT_SETTING, UpstreamLimits.BODY_SETTING);
  }

  @Test
  void eachSettingReachesItsPolicyUnderItsOwnName() {
    GatewayConfig c = load(Map.of(
        "OPENROUTER_DEFAULT_MODEL", "sim/echo", "OPENROUTER_DEFAULT_MAX_TOKENS", "100",
        "OPENROUTER_MAX_RETRIES", "3", "OPENROUTER_RETRY_INITIAL_DELAY_MS", "100",
        "OPENROUTER_RETRY_MAX_DELAY_MS", "900", "OPENROUTER_RETRY_MULTIPLIER", "3",
        "GATEWAY_RATE_LIMIT_CHAT", "1/1s", "GATEWAY_RATE_LIMIT_MODELS", "2/1s",
        "GATEWAY_RATE_LIMIT_CREDITS", "3/1s", "GATEWAY_RATE_LIMIT_EMBEDDINGS", "4/1s"),
        "--gateway-max-messages=5", "--gateway-max-request-bytes=6", "--gateway-max-content-chars=7",
        "--gateway-max-tools=8", "--gateway-max-tool-schema-bytes=9");
    assertThat(Policies.chat(c.chat()))
        .isEqualTo(new ChatPolicy("sim/echo", 100, ChatPolicy.MAX_MODEL_CHAIN, ChatPolicy.MAX_STOP_SEQUENCES));
    assertThat(Policies.inputLimits(c.chat())).isEqualTo(new InputLimits(5, 6, 7, 8, 9));
    assertThat(Policies.retry(c.upstream()))
        .isEqualTo(new RetryPolicy(3, Duration.ofMillis(100), Duration.ofMillis(900), 3.0));
    assertThat(Policies.rateLimits(c.security()))
        .containsEntry(MethodFamily.CHAT, new RateLimit(1, Duration.ofSeconds(1)))
        .containsEntry(MethodFamily.MODELS, new RateLimit(2, Duration.ofSeconds(1)))
        .containsEntry(MethodFamily.CREDITS, new RateLimit(3, Duration.ofSeconds(1)))
        .containsEntry(MethodFamily.EMBEDDINGS, new RateLimit(4, Duration.ofSeconds(1)));
  }

  @Test
  void aMalformedKeysFileIsAConfigurationErrorNamingTheSetting(@TempDir Path dir) throws IOException {
    Path keys = Files.writeString(dir.resolve("keys.txt"), "alice not-a-hash\n");
    GatewayConfig c = load(Map.of("GATEWAY_API_KEYS_FILE", keys.toString()));
    assertThatThrownBy(() -> Policies.callers(c.security()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("GATEWAY_API_KEYS_FILE " + keys + ": line 1: ");
  }

  @Test
  void aWellFormedKeysFileGivesItsCallers(@TempDir Path dir) throws IOException {
    Path keys = Files.writeString(dir.resolve("keys.txt"), "alice " + "ab".repeat(32) + "\n");
    GatewayConfig c = load(Map.of(), "--gateway-api-keys-file", keys.toString());
    assertThat(Policies.callers(c.security())).hasValueSatisfying(r -> assertThat(r.size()).isEqualTo(1));
  }
}
