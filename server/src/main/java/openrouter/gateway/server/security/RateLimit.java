package openrouter.gateway.server.security;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A token-bucket limit: {@code requests} per {@code period}, written {@code 30/1m}, {@code 100/10s}. */
public record RateLimit(long requests, Duration period) {
  private static final Pattern FORM = Pattern.compile("(\\d+)/(\\d*)(ms|s|m|h)");

  public RateLimit {
    if (requests < 1 || period.isZero() || period.isNegative()) {
      throw new IllegalArgumentException("a rate limit needs at least 1 request per positive period");
    }
    // Shared buckets count requests x milliseconds exactly in Redis's Lua (doubles: 2^53).
    if (period.toMillis() > 0 && requests > (1L << 53) / period.toMillis()) {
      throw new IllegalArgumentException("a rate limit of " + requests + " requests per " + period.toMillis()
          + " ms is beyond what the gateway counts exactly (requests x period in ms below 2^53)");
    }
  }

  /** Parses {@code N/[k](ms|s|m|h)}; throws IllegalArgumentException with a readable message. */
  public static RateLimit parse(String text) {
    Matcher m = FORM.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("\"" + text + "\" is not a rate limit such as 30/1m, 100/10s or 5/1h");
    }
    long n = Long.parseLong(m.group(1));
    long k = m.group(2).isEmpty() ? 1 : Long.parseLong(m.group(2));
    Duration unit = switch (m.group(3)) {
      case "ms" -> Duration.ofMillis(1);
      case "s" -> Duration.ofSeconds(1);
      case "m" -> Duration.ofMinutes(1);
      default -> Duration.ofHours(1);
    };
    return new RateLimit(n, unit.multipliedBy(k));
  }

  @Override
  public String toString() {
    long s = period.toSeconds();
    String p = period.toMillis() % 1000 != 0 ? period.toMillis() + "ms"
        : s % 3600 == 0 ? (s / 3600) + "h" : s % 60 == 0 ? (s / 60) + "m" : s + "s";
    return requests + "/" + p;
  }
}
