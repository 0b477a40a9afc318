package openrouter.gateway.server.config;

/**
 * One configuration setting: an environment variable, overridable by a flag of the same name in
 * lower case with dashes ({@code GATEWAY_PORT} → {@code --gateway-port}).
 */
public record Setting(String env, String defaultValue, String description, boolean secret) {

  public String flag() {
    return "--" + env.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  static Setting plain(String env, String defaultValue, String description) {
    return new Setting(env, defaultValue, description, false);
  }

  static Setting secret(String env, String description) {
    return new Setting(env, "", description, true);
  }
}
