package openrouter.gateway.server.config;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The raw values of the settings (environment and flags merged), read one setting at a time as
 * the type it needs. Each read fails with a {@link ConfigException} naming the setting; a blank
 * or missing value is the setting's default.
 */
final class SettingValues {
  private final Map<String, String> values;

  SettingValues(Map<String, String> values) {
    this.values = values;
  }

  /** Whether the setting was given at all (not left to its default). */
  boolean isSet(Setting s) {
    return values.containsKey(s.env()) && !values.get(s.env()).isBlank();
  }

  String text(Setting s) {
    String v = values.get(s.env());
    return v == null || v.isBlank() ? s.defaultValue() : v.trim();
  }

  Optional<String> optional(Setting s) {
    String v = text(s);
    return v.isEmpty() ? Optional.empty() : Optional.of(v);
  }

  URI url(Setting s) {
    return url(s, text(s));
  }

  static URI url(Setting s, String v) {
    try {
      URI uri = new URI(v);
      String scheme = uri.getScheme();
      if (scheme == null
          || !(scheme.equals("http") || scheme.equals("https"))
          || uri.getHost() == null) {
        throw new ConfigException(
            s.env() + " must be an absolute http(s) URL such as " + GatewayConfig.DEFAULT_BASE_URL
                + ", got \"" + v + "\"");
      }
      // Strip one trailing slash so paths can be appended as "/chat/completions".
      String text = uri.toString();
      return text.endsWith("/") ? new URI(text.substring(0, text.length() - 1)) : uri;
    } catch (URISyntaxException e) {
      throw new ConfigException(s.env() + " is not a valid URL: \"" + v + "\"");
    }
  }

  long number(Setting s, String expected) {
    String v = text(s);
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new ConfigException(s.env() + " must be " + expected + ", got \"" + v + "\"");
    }
  }

  long range(Setting s, long min, long max) {
    String expected = "a whole number from " + min + " to " + max;
    long n = number(s, expected);
    if (n < min || n > max) {
      throw new ConfigException(s.env() + " must be " + expected + ", got " + n);
    }
    return n;
  }

  /** A whole number from 1 to {@link Integer#MAX_VALUE}. */
  int positiveInt(Setting s) {
    return (int) range(s, 1, Integer.MAX_VALUE);
  }

  boolean bool(Setting s) {
    String v = text(s);
    if (v.equalsIgnoreCase("true")) {
      return true;
    }
    if (v.equalsIgnoreCase("false")) {
      return false;
    }
    throw new ConfigException(s.env() + " must be true or false, got \"" + v + "\"");
  }

  String choice(Setting s, List<String> allowed) {
    String v = text(s);
    for (String a : allowed) {
      if (a.equalsIgnoreCase(v)) {
        return a;
      }
    }
    throw new ConfigException(
        s.env() + " must be one of " + String.join(", ", allowed) + ", got \"" + v + "\"");
  }

  /** An optional non-negative amount of USD, kept exact. */
  Optional<BigDecimal> usd(Setting s) {
    Optional<String> v = optional(s);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    try {
      BigDecimal amount = new BigDecimal(v.get());
      if (amount.signum() >= 0) {
        return Optional.of(amount);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException(
        s.env() + " must be a non-negative amount of USD such as 5 or 2.50, got \"" + v.get() + "\"");
  }

  double multiplier(Setting s) {
    String v = text(s);
    try {
      double d = Double.parseDouble(v);
      if (d >= 1 && d <= 10) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException(s.env() + " must be a number from 1 to 10, got \"" + v + "\"");
  }

  Duration millis(Setting s) {
    long n = number(s, "a non-negative number of milliseconds");
    if (n < 0) {
      throw new ConfigException(
          s.env() + " must be a non-negative number of milliseconds, got " + n);
    }
    return Duration.ofMillis(n);
  }

  Duration positiveMillis(Setting s) {
    long n = number(s, "a positive number of milliseconds");
    if (n <= 0) {
      throw new ConfigException(s.env() + " must be a positive number of milliseconds, got " + n);
    }
    return Duration.ofMillis(n);
  }

  Optional<Path> readableFile(Setting s) {
    Optional<String> v = optional(s);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    Path path;
    try {
      path = Path.of(v.get());
    } catch (InvalidPathException e) {
      throw new ConfigException(s.env() + " is not a valid file path: \"" + v.get() + "\"");
    }
    if (!Files.isRegularFile(path)) {
      throw new ConfigException(s.env() + " names no file: " + path.toAbsolutePath());
    }
    if (!Files.isReadable(path)) {
      throw new ConfigException(
          s.env() + " names a file this process cannot read: " + path.toAbsolutePath());
    }
    return Optional.of(path);
  }
}
