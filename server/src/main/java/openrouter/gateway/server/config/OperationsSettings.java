package openrouter.gateway.server.config;

import static openrouter.gateway.server.config.GatewayConfig.ACCESS_LOG;
import static openrouter.gateway.server.config.GatewayConfig.LOG_FORMAT;
import static openrouter.gateway.server.config.GatewayConfig.LOG_LEVEL;
import static openrouter.gateway.server.config.GatewayConfig.LOW_BALANCE;
import static openrouter.gateway.server.config.GatewayConfig.METRICS_PORT;
import static openrouter.gateway.server.config.GatewayConfig.PROBE_INTERVAL;
import static openrouter.gateway.server.config.GatewayConfig.PROBE_TIMEOUT;
import static openrouter.gateway.server.config.GatewayConfig.SHUTDOWN_GRACE;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Running the gateway: metrics, logs, the upstream probe, the low-balance alarm and shutdown.
 *
 * @param metricsPort port of the Prometheus endpoint; empty = no endpoint
 * @param lowBalanceThreshold balance in USD below which GetCredits, the log and health warn
 * @param shutdownGrace how long calls in flight may finish on SIGTERM
 */
public record OperationsSettings(
    OptionalInt metricsPort,
    String logFormat,
    String logLevel,
    String accessLog,
    Duration probeInterval,
    Duration probeTimeout,
    Optional<BigDecimal> lowBalanceThreshold,
    Duration shutdownGrace) {

  static OperationsSettings from(SettingValues v) {
    return new OperationsSettings(
        metricsPort(v),
        v.choice(LOG_FORMAT, List.of("text", "json")),
        v.choice(LOG_LEVEL, List.of("ERROR", "WARN", "INFO", "DEBUG", "TRACE")),
        v.choice(ACCESS_LOG, List.of("all", "errors", "off")),
        v.millis(PROBE_INTERVAL),
        v.positiveMillis(PROBE_TIMEOUT),
        v.usd(LOW_BALANCE),
        v.millis(SHUTDOWN_GRACE));
  }

  private static OptionalInt metricsPort(SettingValues v) {
    if (v.text(METRICS_PORT).equalsIgnoreCase("off")) {
      return OptionalInt.empty();
    }
    String expected = "a port from 0 to 65535, or off";
    long n = v.number(METRICS_PORT, expected);
    if (n < 0 || n > 65535) {
      throw new ConfigException(METRICS_PORT.env() + " must be " + expected + ", got " + n);
    }
    return OptionalInt.of((int) n);
  }
}
