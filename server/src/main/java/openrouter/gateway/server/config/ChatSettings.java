package openrouter.gateway.server.config;

import static openrouter.gateway.server.config.GatewayConfig.CHAT_TIMEOUT;
import static openrouter.gateway.server.config.GatewayConfig.DEFAULT_MAX_TOKENS;
import static openrouter.gateway.server.config.GatewayConfig.DEFAULT_MODEL;
import static openrouter.gateway.server.config.GatewayConfig.IDLE_TIMEOUT;
import static openrouter.gateway.server.config.GatewayConfig.MAX_CONTENT_CHARS;
import static openrouter.gateway.server.config.GatewayConfig.MAX_MESSAGES;
import static openrouter.gateway.server.config.GatewayConfig.MAX_REQUEST_BYTES;
import static openrouter.gateway.server.config.GatewayConfig.MAX_TOOLS;
import static openrouter.gateway.server.config.GatewayConfig.MAX_TOOL_SCHEMA_BYTES;
import static openrouter.gateway.server.config.GatewayConfig.TTFT_TIMEOUT;

import java.time.Duration;
import java.util.Optional;

/**
 * Chat calls: the defaults a request gets, its time limits and the size bounds it must fit.
 *
 * @param timeout total time of a call whose caller sets no gRPC deadline (Embed calls too)
 * @param ttftTimeout time limit for a stream's first token; zero = none
 * @param streamIdleTimeout time limit between two chunks of a stream; zero = none
 */
public record ChatSettings(
    Optional<String> defaultModel,
    int defaultMaxTokens,
    Duration timeout,
    Duration ttftTimeout,
    Duration streamIdleTimeout,
    int maxMessages,
    int maxRequestBytes,
    int maxContentChars,
    int maxTools,
    int maxToolSchemaBytes) {

  static ChatSettings from(SettingValues v) {
    return new ChatSettings(
        v.optional(DEFAULT_MODEL),
        v.positiveInt(DEFAULT_MAX_TOKENS),
        v.positiveMillis(CHAT_TIMEOUT),
        v.millis(TTFT_TIMEOUT),
        v.millis(IDLE_TIMEOUT),
        v.positiveInt(MAX_MESSAGES),
        v.positiveInt(MAX_REQUEST_BYTES),
        v.positiveInt(MAX_CONTENT_CHARS),
        v.positiveInt(MAX_TOOLS),
        v.positiveInt(MAX_TOOL_SCHEMA_BYTES));
  }
}
