package openrouter.gateway.server.errors;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import openrouter.gateway.server.upstream.wire.OpenRouterError;

/**
 * Reads how long OpenRouter asks us to wait, from wherever it says so: the {@code Retry-After}
 * header (seconds or an HTTP date), {@code error.availability.retry_after} (seconds), or
 * {@code X-RateLimit-Reset} (an epoch time whose unit is not documented: milliseconds when it
 * is that large, else seconds).
 */
public final class RetryDelays {
  private RetryDelays() {}

  public static Optional<Duration> of(OpenRouterError error, Clock clock) {
    OpenRouterError.RetryHints hints = error.retry();
    Optional<Duration> header = hints.retryAfter().flatMap(v -> parseRetryAfter(v, clock));
    if (header.isPresent()) {
      return header;
    }
    if (hints.availabilityRetryAfter().isPresent()) {
      return hints.availabilityRetryAfter();
    }
    return hints.rateLimitReset().flatMap(v -> parseReset(v, clock));
  }

  static Optional<Duration> parseRetryAfter(String value, Clock clock) {
    String v = value.trim();
    try {
      double seconds = Double.parseDouble(v);
      return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(Math.round(seconds * 1000)));
    } catch (NumberFormatException notNumber) {
      try {
        Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        return until(at, clock);
      } catch (DateTimeParseException notDate) {
        return Optional.empty();
      }
    }
  }

  static Optional<Duration> parseReset(String value, Clock clock) {
    long n;
    try {
      n = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    if (n > 100_000_000_000L) {
      return until(Instant.ofEpochMilli(n), clock);
    }
    if (n > 1_000_000_000L) {
      return until(Instant.ofEpochSecond(n), clock);
    }
    return n < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(n));
  }

  private static Optional<Duration> until(Instant at, Clock clock) {
    Duration d = Duration.between(clock.instant(), at);
    return d.isNegative() ? Optional.of(Duration.ZERO) : Optional.of(d);
  }
}
