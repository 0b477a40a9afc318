package openrouter.gateway.simulator;

/**
 * The API keys the simulator knows. They have OpenRouter's shape ({@code sk-or-v1-} plus 64 hex
 * characters) so key-format checks in the gateway accept them.
 *
 * <p>Any other non-empty bearer token is accepted as an ordinary inference key, so a gateway
 * configured with some placeholder key still works against the simulator.
 */
public final class SimulatorKeys {
  /** An inference key: chat completions, /key, /generation and /models work; /credits is 403. */
  public static final String DEFAULT = "sk-or-v1-" + "0".repeat(64);

  /** A management key: /credits and /key work; chat completions are refused with 403. */
  public static final String MANAGEMENT = "sk-or-v1-" + "a".repeat(64);

  /** A key OpenRouter does not know: every endpoint answers 401 "User not found.". */
  public static final String REJECTED = "sk-or-v1-" + "d".repeat(64);

  private SimulatorKeys() {}

  /** How the simulator treats a bearer token. */
  enum Kind {
    MISSING,
    REJECTED,
    INFERENCE,
    MANAGEMENT
  }

  /** Classifies the raw {@code Authorization} header value (may be null). */
  static Kind classify(String authorizationHeader) {
    String key = bearerToken(authorizationHeader);
    if (key == null) {
      return Kind.MISSING;
    }
    if (key.equals(REJECTED)) {
      return Kind.REJECTED;
    }
    return key.equals(MANAGEMENT) ? Kind.MANAGEMENT : Kind.INFERENCE;
  }

  /** The token after {@code Bearer }, or null when absent or empty. */
  static String bearerToken(String authorizationHeader) {
    if (authorizationHeader == null) {
      return null;
    }
    String value = authorizationHeader.trim();
    if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String key = value.substring(7).trim();
    return key.isEmpty() ? null : key;
  }

  /** OpenRouter's truncated key label, e.g. {@code sk-or-v1-000...000}; never the whole key. */
  static String label(String key) {
    String prefix = key.startsWith("sk-or-v1-") ? "sk-or-v1-" : "";
    String secret = key.substring(prefix.length());
    if (secret.length() <= 6) {
      return prefix + "...";
    }
    return prefix + secret.substring(0, 3) + "..." + secret.substring(secret.length() - 3);
  }
}
