package openrouter.gateway.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import openrouter.gateway.server.Policies;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {
  private static final String KEY = "sk-or-v1-" + "1234abcd".repeat(8);

  @Test
  void defaultsWhenNothingIsSet() {
    GatewayConfig c = GatewayConfig.load(Map.of(), List.of());
    assertThat(c.upstream().apiKey()).isEmpty();
    assertThat(c.upstream().baseUrl()).hasToString("https://openrouter.ai/api/v1");
    assertThat(c.upstream().baseUrlExplicit()).isFalse();
    assertThat(c.server().port()).isEqualTo(50051);
    assertThat(c.cache().modelsTtl()).isEqualTo(Duration.ofHours(1));
    assertThat(c.cache().creditsTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.upstream().maxRetries()).isEqualTo(2);
    assertThat(c.upstream().retryInitialDelay()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.upstream().retryMaxDelay()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.upstream().retryMultiplier()).isEqualTo(2.0);
    assertThat(c.upstream().siteName()).isEqualTo("openrouter-grpc-gateway");
    assertThat(c.chat().defaultModel()).isEmpty();
  }

  @Test
  void readsEnvironmentAndFlagsWin() {
    GatewayConfig c = GatewayConfig.load(
        Map.of("OPENROUTER_API_KEY", KEY, "GATEWAY_PORT", "6000", "OPENROUTER_BASE_URL", "http://127.0.0.1:9/api/v1/"),
        List.of("--gateway-port=7000", "--openrouter-default-model", "sim/echo"));
    assertThat(c.upstream().apiKey()).contains(KEY);
    assertThat(c.server().port()).isEqualTo(7000);
    assertThat(c.chat().defaultModel()).contains("sim/echo");
    assertThat(c.upstream().baseUrl()).hasToString("http://127.0.0.1:9/api/v1");
    assertThat(c.upstream().baseUrlExplicit()).isTrue();
  }

  @Test
  void http2PriorKnowledgeIsOffByDefaultAndAllowedForHttpUpstreams() {
    assertThat(GatewayConfig.load(Map.of(), List.of()).upstream().http2PriorKnowledge()).isFalse();
    GatewayConfig simulator = GatewayConfig.load(Map.of("OPENROUTER_HTTP2_PRIOR_KNOWLEDGE", "true"), List.of());
    assertThat(simulator.upstream().http2PriorKnowledge()).as("the built-in simulator is http://").isTrue();
    GatewayConfig local = GatewayConfig.load(Map.of(), List.of(
        "--openrouter-http2-prior-knowledge=TRUE", "--openrouter-base-url=http://127.0.0.1:8090/api/v1"));
    assertThat(local.upstream().http2PriorKnowledge()).isTrue();
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
    assertThat(defaults.cache().maxStaleness()).isEqualTo(Duration.ofDays(1));
    assertThat(defaults.cache().minRefreshInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(defaults.operations().lowBalanceThreshold()).isEmpty();

    GatewayConfig set = GatewayConfig.load(Map.of(
        "OPENROUTER_CACHE_MAX_STALENESS_MS", "60000",
        "OPENROUTER_CACHE_MIN_REFRESH_INTERVAL_MS", "0"),
        List.of("--openrouter-low-balance-usd", "2.50"));
    assertThat(set.cache().maxStaleness()).isEqualTo(Duration.ofMinutes(1));
    assertThat(set.cache().minRefreshInterval()).isZero();
    assertThat(set.operations().lowBalanceThreshold()).contains(new java.math.BigDecimal("2.50"));

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
    assertThat(Policies.upstreamLimits(defaults.upstream())).isEqualTo(openrouter.gateway.server.upstream.UpstreamLimits.DEFAULTS);
    GatewayConfig set = GatewayConfig.load(Map.of("OPENROUTER_MAX_SSE_LINE_BYTES", "4096"),
        List.of("--openrouter-max-sse-event-bytes", "8192", "--openrouter-max-response-bytes=1048576"));
    assertThat(Policies.upstreamLimits(set.upstream()))
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
  void eachSettingLandsInTheGroupOfItsConcern() {
    GatewayConfig c = GatewayConfig.load(Map.of(
        "OPENROUTER_SITE_NAME", "my-app",
        "OPENROUTER_DEFAULT_MODEL", "sim/echo",
        "OPENROUTER_CACHE_TTL_MODELS", "61000",
        "GATEWAY_MAX_STREAMS_PER_CALLER", "7",
        "GATEWAY_HOST", "0.0.0.0",
        "GATEWAY_SHUTDOWN_GRACE_MS", "9000",
        "OPENROUTER_LOW_BALANCE_USD", "3",
        "OPENROUTER_CACHE_TTL_ENDPOINTS", "1000",
        "GATEWAY_REDIS_KEY_PREFIX", "x:"), List.of());
    assertThat(c.upstream().siteName()).isEqualTo("my-app");
    assertThat(c.chat().defaultModel()).contains("sim/echo");
    assertThat(c.cache().modelsTtl()).isEqualTo(Duration.ofSeconds(61));
    assertThat(c.security().maxStreamsPerCaller()).isEqualTo(7);
    assertThat(c.server().host()).isEqualTo("0.0.0.0");
    assertThat(c.operations().shutdownGrace()).isEqualTo(Duration.ofSeconds(9));
    assertThat(c.operations().lowBalanceThreshold()).contains(new java.math.BigDecimal("3"));
    assertThat(c.cache().endpointsTtl()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.fleet().redisKeyPrefix()).isEqualTo("x:");
  }

  @Test
  void neighbouringDurationsArriveUnderTheirOwnNames() {
    // Pairs of Durations that stood side by side in the old positional constructor: each gets a
    // value of its own, so a swap anywhere between the table and the group would show.
    GatewayConfig c = GatewayConfig.load(Map.of(
        "OPENROUTER_TTFT_TIMEOUT_MS", "1001",
        "OPENROUTER_STREAM_IDLE_TIMEOUT_MS", "1002",
        "OPENROUTER_RETRY_INITIAL_DELAY_MS", "1003",
        "OPENROUTER_RETRY_MAX_DELAY_MS", "1004",
        "OPENROUTER_CACHE_TTL_MODELS", "1005",
        "OPENROUTER_CACHE_TTL_CREDITS", "1006",
        "OPENROUTER_CACHE_MAX_STALENESS_MS", "1007",
        "OPENROUTER_CACHE_MIN_REFRESH_INTERVAL_MS", "1008",
        "GATEWAY_HEALTH_PROBE_INTERVAL_MS", "1009",
        "GATEWAY_HEALTH_PROBE_TIMEOUT_MS", "1010"), List.of(
        "--gateway-keepalive-time-ms=10011", "--gateway-keepalive-timeout-ms=1012",
        "--gateway-max-connection-idle-ms=1013", "--gateway-max-connection-age-ms=1014",
        "--gateway-max-connection-age-grace-ms=1015", "--gateway-chat-timeout-ms=1016",
        "--openrouter-cache-ttl-endpoints=1017"));
    assertThat(c.chat().ttftTimeout()).isEqualTo(Duration.ofMillis(1001));
    assertThat(c.chat().streamIdleTimeout()).isEqualTo(Duration.ofMillis(1002));
    assertThat(c.upstream().retryInitialDelay()).isEqualTo(Duration.ofMillis(1003));
    assertThat(c.upstream().retryMaxDelay()).isEqualTo(Duration.ofMillis(1004));
    assertThat(c.cache().modelsTtl()).isEqualTo(Duration.ofMillis(1005));
    assertThat(c.cache().creditsTtl()).isEqualTo(Duration.ofMillis(1006));
    assertThat(c.cache().maxStaleness()).isEqualTo(Duration.ofMillis(1007));
    assertThat(c.cache().minRefreshInterval()).isEqualTo(Duration.ofMillis(1008));
    assertThat(c.operations().probeInterval()).isEqualTo(Duration.ofMillis(1009));
    assertThat(c.operations().probeTimeout()).isEqualTo(Duration.ofMillis(1010));
    assertThat(c.server().connections().keepAliveTime()).isEqualTo(Duration.ofMillis(10011));
    assertThat(c.server().connections().keepAliveTimeout()).isEqualTo(Duration.ofMillis(1012));
    assertThat(c.server().connections().maxConnectionIdle()).isEqualTo(Duration.ofMillis(1013));
    assertThat(c.server().connections().maxConnectionAge()).isEqualTo(Duration.ofMillis(1014));
    assertThat(c.server().connections().maxConnectionAgeGrace()).isEqualTo(Duration.ofMillis(1015));
    assertThat(c.chat().timeout()).isEqualTo(Duration.ofMillis(1016));
    assertThat(c.cache().endpointsTtl()).isEqualTo(Duration.ofMillis(1017));
  }

  @Test
  void severalWrongSettingsInDifferentGroupsAreReportedTogether() {
    assertThatThrownBy(() -> GatewayConfig.load(Map.of(
        "OPENROUTER_TTFT_TIMEOUT_MS", "-1", "GATEWAY_PORT", "x", "GATEWAY_RATE_LIMIT_CHAT", "lots"), List.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OPENROUTER_TTFT_TIMEOUT_MS must be a non-negative number of milliseconds, got -1\n")
        .hasMessageContaining("GATEWAY_PORT must be a whole number from 0 to 65535, got \"x\"\n")
        .hasMessageContaining("GATEWAY_RATE_LIMIT_CHAT: \"lots\" is not a rate limit");
  }

  @Test
  void toStringNeverShowsTheKey() {
    GatewayConfig c = GatewayConfig.load(Map.of("OPENROUTER_API_KEY", KEY), List.of());
    assertThat(c.toString()).doesNotContain(KEY).contains("<set>");
    assertThat(c.upstream().toString()).doesNotContain(KEY).contains("<set>");
  }

  @Test
  void operationsDefaults() {
    GatewayConfig c = GatewayConfig.load(Map.of(), List.of());
    assertThat(c.operations().shutdownGrace()).isEqualTo(Duration.ofSeconds(25));
    ConnectionSettings conn = c.server().connections();
    assertThat(conn.keepAliveTime()).isEqualTo(Duration.ofMinutes(1));
    assertThat(conn.keepAliveTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(conn.permitKeepAliveTime()).isEqualTo(Duration.ofSeconds(20));
    assertThat(conn.permitKeepAliveWithoutCalls()).isTrue();
    assertThat(conn.maxConnectionIdle()).isEqualTo(Duration.ofMinutes(30));
    assertThat(conn.maxConnectionAge()).isEqualTo(Duration.ofMinutes(30));
    assertThat(conn.maxConnectionAgeGrace()).isGreaterThan(c.chat().timeout());
    assertThat(conn.maxInboundMessageBytes()).isEqualTo(16 * 1024 * 1024);
    assertThat(conn.maxInboundMetadataBytes()).isEqualTo(8192);
    assertThat(c.server().tls().enabled()).isFalse();
    assertThat(c.operations().metricsPort()).hasValue(9464);
    assertThat(c.operations().logFormat()).isEqualTo("text");
    assertThat(c.operations().logLevel()).isEqualTo("INFO");
    assertThat(c.operations().probeInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.operations().probeTimeout()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void operationsSettingsAreParsedAndCheckedWithClearMessages() {
    GatewayConfig c = GatewayConfig.load(Map.of("GATEWAY_METRICS_PORT", "off", "GATEWAY_LOG_FORMAT", "JSON",
        "GATEWAY_LOG_LEVEL", "debug", "GATEWAY_PERMIT_KEEPALIVE_WITHOUT_CALLS", "FALSE",
        "GATEWAY_KEEPALIVE_TIME_MS", "0"), List.of());
    assertThat(c.operations().metricsPort()).isEmpty();
    assertThat(c.operations().logFormat()).isEqualTo("json");
    assertThat(c.operations().logLevel()).isEqualTo("DEBUG");
    assertThat(c.server().connections().permitKeepAliveWithoutCalls()).isFalse();
    assertThat(c.server().connections().keepAliveTime()).isZero();

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
