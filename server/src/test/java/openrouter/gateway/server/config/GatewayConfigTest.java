package openrouter.gateway.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {
  private static final String KEY = "sk-or-v1-" + "1234abcd".repeat(8);

  @Test
  void defaultsWhenNothingIsSet() {
    GatewayConfig c = GatewayConfig.load(Map.of(), List.of());
    assertThat(c.apiKey()).isEmpty();
    assertThat(c.baseUrl()).hasToString("https://openrouter.ai/api/v1");
    assertThat(c.baseUrlExplicit()).isFalse();
    assertThat(c.port()).isEqualTo(50051);
    assertThat(c.modelsCacheTtl()).isEqualTo(Duration.ofHours(1));
    assertThat(c.creditsCacheTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.retryPolicy().maxRetries()).isEqualTo(2);
    assertThat(c.retryPolicy().initialDelay()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.retryPolicy().maxDelay()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.retryPolicy().multiplier()).isEqualTo(2.0);
    assertThat(c.siteName()).isEqualTo("openrouter-grpc-gateway");
    assertThat(c.defaultModel()).isEmpty();
  }

  @Test
  void readsEnvironmentAndFlagsWin() {
    GatewayConfig c = GatewayConfig.load(
        Map.of("OPENROUTER_API_KEY", KEY, "GATEWAY_PORT", "6000", "OPENROUTER_BASE_URL", "http://127.0.0.1:9/api/v1/"),
        List.of("--gateway-port=7000", "--openrouter-default-model", "sim/echo"));
    assertThat(c.apiKey()).contains(KEY);
    assertThat(c.port()).isEqualTo(7000);
    assertThat(c.defaultModel()).contains("sim/echo");
    assertThat(c.baseUrl()).hasToString("http://127.0.0.1:9/api/v1");
    assertThat(c.baseUrlExplicit()).isTrue();
  }

  @Test
  void http2PriorKnowledgeIsOffByDefaultAndAllowedForHttpUpstreams() {
    assertThat(GatewayConfig.load(Map.of(), List.of()).http2PriorKnowledge()).isFalse();
    GatewayConfig simulator = GatewayConfig.load(Map.of("OPENROUTER_HTTP2_PRIOR_KNOWLEDGE", "true"), List.of());
    assertThat(simulator.http2PriorKnowledge()).as("the built-in simulator is http://").isTrue();
    GatewayConfig local = GatewayConfig.load(Map.of(), List.of(
        "--openrouter-http2-prior-knowledge=TRUE", "--openrouter-base-url=http://127.0.0.1:8090/api/v1"));
    assertThat(local.http2PriorKnowledge()).isTrue();
  }

  @Test
  void http2PriorKnowledgeIsRejectedForHttpsUpstreams() {
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("OPENROUTER_HTTP2_PRIOR_KNOWLEDGE", "true",
        "OPENROUTER_API_KEY", KEY), List.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OPENROUTER_HTTP2_PRIOR_KNOWLEDGE=true needs an http:// OPENROUTER_BASE_URL")
        .hasMessageContaining("https://openrouter.ai/api/v1")
        .hasMessageNotContaining("\n");
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("OPENROUTER_HTTP2_PRIOR_KNOWLEDGE", "true",
        "OPENROUTER_BASE_URL", "https://proxy.example/api/v1"), List.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OPENROUTER_HTTP2_PRIOR_KNOWLEDGE");
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("OPENROUTER_HTTP2_PRIOR_KNOWLEDGE", "yes"), List.of()))
        .hasMessageContaining("OPENROUTER_HTTP2_PRIOR_KNOWLEDGE must be true or false");
  }

  @Test
  void keyWithoutPrefixIsRejectedWithoutEchoingIt() {
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("OPENROUTER_API_KEY", "secret-value-123"), List.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OPENROUTER_API_KEY")
        .hasMessageContaining("sk-or-")
        .hasMessageNotContaining("secret-value-123");
  }

  @Test
  void malformedUrlNamesTheVariable() {
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("OPENROUTER_BASE_URL", "openrouter.ai/api"), List.of()))
        .hasMessageContaining("OPENROUTER_BASE_URL")
        .hasMessageContaining("absolute http(s) URL");
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("OPENROUTER_BASE_URL", "ht tp://x"), List.of()))
        .hasMessageContaining("OPENROUTER_BASE_URL");
  }

  @Test
  void negativeTtlIsRejected() {
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("OPENROUTER_CACHE_TTL_MODELS", "-5"), List.of()))
        .hasMessage("OPENROUTER_CACHE_TTL_MODELS must be a non-negative number of milliseconds, got -5");
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("OPENROUTER_CACHE_TTL_CREDITS", "soon"), List.of()))
        .hasMessageContaining("OPENROUTER_CACHE_TTL_CREDITS must be a non-negative number of milliseconds, got \"soon\"");
  }

  @Test
  void cacheAndLowBalanceSettings() {
    GatewayConfig defaults = GatewayConfig.load(Map.of(), List.of());
    assertThat(defaults.cacheMaxStaleness()).isEqualTo(Duration.ofDays(1));
    assertThat(defaults.cacheMinRefreshInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(defaults.lowBalanceThreshold()).isEmpty();

    GatewayConfig set = GatewayConfig.load(Map.of(
        "OPENROUTER_CACHE_MAX_STALENESS_MS", "60000",
        "OPENROUTER_CACHE_MIN_REFRESH_INTERVAL_MS", "0"),
        List.of("--openrouter-low-balance-usd", "2.50"));
    assertThat(set.cacheMaxStaleness()).isEqualTo(Duration.ofMinutes(1));
    assertThat(set.cacheMinRefreshInterval()).isZero();
    assertThat(set.lowBalanceThreshold()).contains(new java.math.BigDecimal("2.50"));

    assertThatThrownBy(() -> GatewayConfig.load(Map.of("OPENROUTER_LOW_BALANCE_USD", "five"), List.of()))
        .hasMessage("OPENROUTER_LOW_BALANCE_USD must be a non-negative amount of USD such as 5 or 2.50, got \"five\"");
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("OPENROUTER_LOW_BALANCE_USD", "-1"), List.of()))
        .hasMessageContaining("OPENROUTER_LOW_BALANCE_USD must be a non-negative amount");
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("OPENROUTER_CACHE_MAX_STALENESS_MS", "-1"), List.of()))
        .hasMessageContaining("OPENROUTER_CACHE_MAX_STALENESS_MS must be a non-negative number of milliseconds");
  }

  @Test
  void upstreamReadBounds() {
    GatewayConfig defaults = GatewayConfig.load(Map.of(), List.of());
    assertThat(defaults.upstreamLimits()).isEqualTo(openrouter.gateway.server.upstream.UpstreamLimits.DEFAULTS);
    GatewayConfig set = GatewayConfig.load(Map.of("OPENROUTER_MAX_SSE_LINE_BYTES", "4096"),
        List.of("--openrouter-max-sse-event-bytes", "8192", "--openrouter-max-response-bytes=1048576"));
    assertThat(set.upstreamLimits())
        .isEqualTo(new openrouter.gateway.server.upstream.UpstreamLimits(4096, 8192, 1_048_576));
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("OPENROUTER_MAX_RESPONSE_BYTES", "10"), List.of()))
        .hasMessage("OPENROUTER_MAX_RESPONSE_BYTES must be a whole number from 1024 to 2147483647, got 10");
  }

  @Test
  void portOutOfRangeAndUnknownFlags() {
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("GATEWAY_PORT", "70000"), List.of()))
        .hasMessageContaining("GATEWAY_PORT must be a whole number from 0 to 65535");
    assertThatThrownBy(() -> GatewayConfig.load(Map.of(), List.of("--no-such-flag=1")))
        .hasMessageContaining("unknown flag --no-such-flag");
    assertThatThrownBy(() -> GatewayConfig.load(Map.of(), List.of("--gateway-port")))
        .hasMessageContaining("needs a value");
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("OPENROUTER_RETRY_MULTIPLIER", "0.5"), List.of()))
        .hasMessageContaining("OPENROUTER_RETRY_MULTIPLIER must be a number from 1 to 10");
  }

  @Test
  void toStringNeverShowsTheKey() {
    GatewayConfig c = GatewayConfig.load(Map.of("OPENROUTER_API_KEY", KEY), List.of());
    assertThat(c.toString()).doesNotContain(KEY).contains("<set>");
  }

  @Test
  void operationsDefaults() {
    GatewayConfig c = GatewayConfig.load(Map.of(), List.of());
    assertThat(c.shutdownGrace()).isEqualTo(Duration.ofSeconds(25));
    GatewayConfig.ConnectionSettings conn = c.connection();
    assertThat(conn.keepAliveTime()).isEqualTo(Duration.ofMinutes(1));
    assertThat(conn.keepAliveTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(conn.permitKeepAliveTime()).isEqualTo(Duration.ofSeconds(20));
    assertThat(conn.permitKeepAliveWithoutCalls()).isTrue();
    assertThat(conn.maxConnectionIdle()).isEqualTo(Duration.ofMinutes(30));
    assertThat(conn.maxConnectionAge()).isEqualTo(Duration.ofMinutes(30));
    assertThat(conn.maxConnectionAgeGrace()).isGreaterThan(c.chatTimeout());
    assertThat(conn.maxInboundMessageBytes()).isEqualTo(16 * 1024 * 1024);
    assertThat(conn.maxInboundMetadataBytes()).isEqualTo(8192);
    assertThat(c.tls().enabled()).isFalse();
    assertThat(c.ops().metricsPort()).hasValue(9464);
    assertThat(c.ops().logFormat()).isEqualTo("text");
    assertThat(c.ops().logLevel()).isEqualTo("INFO");
    assertThat(c.ops().probeInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.ops().probeTimeout()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void operationsSettingsAreParsedAndCheckedWithClearMessages() {
    GatewayConfig c = GatewayConfig.load(Map.of("GATEWAY_METRICS_PORT", "off", "GATEWAY_LOG_FORMAT", "JSON",
        "GATEWAY_LOG_LEVEL", "debug", "GATEWAY_PERMIT_KEEPALIVE_WITHOUT_CALLS", "FALSE",
        "GATEWAY_KEEPALIVE_TIME_MS", "0"), List.of());
    assertThat(c.ops().metricsPort()).isEmpty();
    assertThat(c.ops().logFormat()).isEqualTo("json");
    assertThat(c.ops().logLevel()).isEqualTo("DEBUG");
    assertThat(c.connection().permitKeepAliveWithoutCalls()).isFalse();
    assertThat(c.connection().keepAliveTime()).isZero();

    assertThatThrownBy(() -> GatewayConfig.load(Map.of("GATEWAY_METRICS_PORT", "99999"), List.of()))
        .hasMessage("GATEWAY_METRICS_PORT must be a port from 0 to 65535, or off, got 99999");
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("GATEWAY_LOG_FORMAT", "xml"), List.of()))
        .hasMessage("GATEWAY_LOG_FORMAT must be one of text, json, got \"xml\"");
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("GATEWAY_LOG_LEVEL", "LOUD"), List.of()))
        .hasMessageStartingWith("GATEWAY_LOG_LEVEL must be one of ERROR, WARN, INFO, DEBUG");
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("GATEWAY_PERMIT_KEEPALIVE_WITHOUT_CALLS", "yes"), List.of()))
        .hasMessage("GATEWAY_PERMIT_KEEPALIVE_WITHOUT_CALLS must be true or false, got \"yes\"");
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("GATEWAY_KEEPALIVE_TIME_MS", "500"), List.of()))
        .hasMessageStartingWith("GATEWAY_KEEPALIVE_TIME_MS must be 0 (never) or at least 10000 ms");
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("GATEWAY_MAX_INBOUND_MESSAGE_BYTES", "10"), List.of()))
        .hasMessageStartingWith("GATEWAY_MAX_INBOUND_MESSAGE_BYTES must be a whole number from 1024");
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("GATEWAY_HEALTH_PROBE_TIMEOUT_MS", "0"), List.of()))
        .hasMessage("GATEWAY_HEALTH_PROBE_TIMEOUT_MS must be a positive number of milliseconds, got 0");
  }

  @Test
  void theConfigurationPageDocumentsEverySetting() throws java.io.IOException {
    String readme = java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "configuration.md"));
    for (Setting s : GatewayConfig.SETTINGS) {
      assertThat(readme).as("docs/configuration.md table").contains("| `" + s.env() + "` | `" + s.flag() + "` |");
    }
  }

  @Test
  void helpListsEverySettingWithItsFlag() {
    String help = GatewayConfig.helpText();
    for (Setting s : GatewayConfig.SETTINGS) {
      assertThat(help).contains(s.env()).contains(s.flag());
    }
  }

  @Test
  void fleetSettingsParseAndABadRedisUrlNeverEchoesItsPassword() {
    GatewayConfig none = GatewayConfig.load(Map.of(), List.of());
    assertThat(none.fleet().redisUrl()).isEmpty();
    assertThat(none.fleet().defaultBudget()).isEmpty();
    assertThat(none.fleet().failOpen()).isTrue();

    GatewayConfig set = GatewayConfig.load(Map.of("GATEWAY_REDIS_URL", "rediss://:hunter2pass@redis.internal:6380/2",
        "GATEWAY_BUDGET", "25/1d", "GATEWAY_REDIS_FAILURE_MODE", "closed"), List.of());
    assertThat(set.fleet().redisUrl().get().getHost()).isEqualTo("redis.internal");
    assertThat(set.fleet().defaultBudget().get().usd()).isEqualByComparingTo("25");
    assertThat(set.fleet().failOpen()).isFalse();
    assertThat(set.fleet().toString()).doesNotContain("hunter2pass");

    assertThatThrownBy(() -> GatewayConfig.load(Map.of("GATEWAY_REDIS_URL", "http://:hunter2pass@redis:6379"), List.of()))
        .hasMessageContaining("GATEWAY_REDIS_URL must be redis://").hasMessageNotContaining("hunter2pass");
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("GATEWAY_REDIS_URL", "redis://:hunter2pass@/x"), List.of()))
        .hasMessageContaining("GATEWAY_REDIS_URL").hasMessageNotContaining("hunter2pass");
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("GATEWAY_BUDGET", "25 dollars"), List.of()))
        .hasMessageContaining("GATEWAY_BUDGET").hasMessageContaining("25/1d");
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("GATEWAY_REDIS_FAILURE_MODE", "maybe"), List.of()))
        .hasMessageContaining("open, closed");
  }
}
