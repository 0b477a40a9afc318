package openrouter.gateway.server.upstream;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Identifies which OpenRouter key a cached upstream answer belongs to without keeping the key:
 * the hex SHA-256 of the key. Caches key their entries by it, so a caller who brings their own
 * key never sees figures read with another key, and a heap dump of a cache holds no key.
 */
public final class KeyFingerprint {
  /** The identity of upstream calls made without any key. */
  public static final String NO_KEY = "no-key";

  private KeyFingerprint() {}

  /** The fingerprint of the key a call uses: the caller's own if given, else the gateway's. */
  public static String of(Optional<String> callerKey, UpstreamTarget target) {
    Optional<String> key = callerKey.isPresent() ? callerKey : target.apiKey();
    return key.map(KeyFingerprint::sha256).orElse(NO_KEY);
  }

  /** A short form for log lines: enough to tell keys apart, useless to an attacker. */
  public static String shortForm(String fingerprint) {
    return fingerprint.length() > 8 ? "sha256:" + fingerprint.substring(0, 8) : fingerprint;
  }

  static String sha256(String key) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
