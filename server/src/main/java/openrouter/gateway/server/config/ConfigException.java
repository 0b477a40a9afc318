package openrouter.gateway.server.config;

/** A configuration value is missing or wrong. The message is one line naming the setting. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
