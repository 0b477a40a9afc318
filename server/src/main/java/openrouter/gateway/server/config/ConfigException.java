package openrouter.gateway.server.config;

/**
 * A configuration value is missing or wrong. The message is one line naming the setting, or
 * several such lines when several settings are wrong.
 */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
