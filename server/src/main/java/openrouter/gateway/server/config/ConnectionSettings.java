package openrouter.gateway.server.config;

import static openrouter.gateway.server.config.GatewayConfig.KEEPALIVE_TIME;
import static openrouter.gateway.server.config.GatewayConfig.KEEPALIVE_TIMEOUT;
import static openrouter.gateway.server.config.GatewayConfig.MAX_CONNECTION_AGE;
import static openrouter.gateway.server.config.GatewayConfig.MAX_CONNECTION_AGE_GRACE;
import static openrouter.gateway.server.config.GatewayConfig.MAX_CONNECTION_IDLE;
import static openrouter.gateway.server.config.GatewayConfig.MAX_INBOUND_MESSAGE;
import static openrouter.gateway.server.config.GatewayConfig.MAX_INBOUND_METADATA;
import static openrouter.gateway.server.config.GatewayConfig.MAX_RST_FRAMES;
import static openrouter.gateway.server.config.GatewayConfig.PERMIT_KEEPALIVE_TIME;
import static openrouter.gateway.server.config.GatewayConfig.PERMIT_KEEPALIVE_WITHOUT_CALLS;
import static openrouter.gateway.server.config.GatewayConfig.RST_FRAMES_WINDOW;

import java.time.Duration;

/**
 * Connection management on the Netty server, and the bounds of what one request may send.
 * Durations of zero mean "never" where the setting says so.
 */
public record ConnectionSettings(
    Duration keepAliveTime,
    Duration keepAliveTimeout,
    Duration permitKeepAliveTime,
    boolean permitKeepAliveWithoutCalls,
    Duration maxConnectionIdle,
    Duration maxConnectionAge,
    Duration maxConnectionAgeGrace,
    int maxInboundMessageBytes,
    int maxInboundMetadataBytes,
    int maxRstFramesPerWindow,
    int rstFramesWindowSeconds) {

  static ConnectionSettings from(SettingValues v) {
    return new ConnectionSettings(
        keepAliveTime(v),
        v.positiveMillis(KEEPALIVE_TIMEOUT),
        v.millis(PERMIT_KEEPALIVE_TIME),
        v.bool(PERMIT_KEEPALIVE_WITHOUT_CALLS),
        v.millis(MAX_CONNECTION_IDLE),
        v.millis(MAX_CONNECTION_AGE),
        v.millis(MAX_CONNECTION_AGE_GRACE),
        (int) v.range(MAX_INBOUND_MESSAGE, 1024, Integer.MAX_VALUE),
        (int) v.range(MAX_INBOUND_METADATA, 1024, Integer.MAX_VALUE),
        (int) v.range(MAX_RST_FRAMES, 0, Integer.MAX_VALUE),
        (int) v.range(RST_FRAMES_WINDOW, 1, 3600));
  }

  private static Duration keepAliveTime(SettingValues v) {
    Duration d = v.millis(KEEPALIVE_TIME);
    if (!d.isZero() && d.toMillis() < 10_000) {
      throw new ConfigException(KEEPALIVE_TIME.env()
          + " must be 0 (never) or at least 10000 ms (gRPC does not ping more often), got " + d.toMillis());
    }
    return d;
  }
}
