package openrouter.gateway.server;

import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import openrouter.gateway.server.chat.ChatPolicy;
import openrouter.gateway.server.chat.InputLimits;
import openrouter.gateway.server.config.ChatSettings;
import openrouter.gateway.server.config.ConfigException;
import openrouter.gateway.server.config.FleetSettings;
import openrouter.gateway.server.config.SecuritySettings;
import openrouter.gateway.server.config.UpstreamSettings;
import openrouter.gateway.server.resilience.RetryPolicy;
import openrouter.gateway.server.security.CallerRegistry;
import openrouter.gateway.server.security.MethodFamily;
import openrouter.gateway.server.security.RateLimit;
import openrouter.gateway.server.shared.RedisTarget;
import openrouter.gateway.server.upstream.UpstreamLimits;

/**
 * The policies the gateway builds from its settings groups: the one place that knows both
 * {@code config/} and the packages it configures, so neither has to know the other.
 */
public final class Policies {
  private Policies() {}

  public static RetryPolicy retry(UpstreamSettings upstream) {
    return new RetryPolicy(upstream.maxRetries(), upstream.retryInitialDelay(), upstream.retryMaxDelay(),
        upstream.retryMultiplier());
  }

  public static UpstreamLimits upstreamLimits(UpstreamSettings upstream) {
    return new UpstreamLimits(upstream.maxSseLineBytes(), upstream.maxSseEventBytes(), upstream.maxResponseBytes());
  }

  /** Where replicas share their state; empty when no Redis is set (each replica on its own). */
  public static Optional<RedisTarget> redis(FleetSettings fleet) {
    return fleet.redisUrl().map(url -> new RedisTarget(url, fleet.redisPassword(), fleet.redisKeyPrefix(),
        fleet.failOpen(), fleet.redisTimeout(), fleet.leaseTime()));
  }

  public static ChatPolicy chat(ChatSettings chat) {
    return new ChatPolicy(chat.defaultModel().orElse(null), chat.defaultMaxTokens(),
        ChatPolicy.MAX_MODEL_CHAIN, ChatPolicy.MAX_STOP_SEQUENCES);
  }

  public static InputLimits inputLimits(ChatSettings chat) {
    return new InputLimits(chat.maxMessages(), chat.maxRequestBytes(), chat.maxContentChars(), chat.maxTools(),
        chat.maxToolSchemaBytes());
  }

  /** The default per-caller limit of each method family (a keys-file entry overrides it). */
  public static Map<MethodFamily, RateLimit> rateLimits(SecuritySettings security) {
    Map<MethodFamily, RateLimit> out = new EnumMap<>(MethodFamily.class);
    out.put(MethodFamily.CHAT, security.chatRateLimit());
    out.put(MethodFamily.MODELS, security.modelsRateLimit());
    out.put(MethodFamily.CREDITS, security.creditsRateLimit());
    out.put(MethodFamily.EMBEDDINGS, security.embeddingsRateLimit());
    return out;
  }

  /** The callers' keys file, when set; one it cannot read or parse stops start-up (exit 2). */
  public static Optional<CallerRegistry> callers(SecuritySettings security) {
    try {
      return security.apiKeysFile().map(CallerRegistry::load);
    } catch (IllegalArgumentException | UncheckedIOException e) {
      throw new ConfigException(e.getMessage());
    }
  }
}
