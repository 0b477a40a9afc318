package openrouter.gateway.server.spend;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A spend budget: at most {@code usd} per window of {@code windowDays} whole UTC days, written
 * {@code 25/1d} or {@code 100/30d}.
 *
 * <p>Windows are fixed and aligned to UTC: a window of N days starts at 00:00 UTC on the days
 * whose number since 1970-01-01 is a multiple of N. So {@code 1d} resets every midnight UTC,
 * {@code 7d} every Thursday (1970-01-01 was one), {@code 30d} every 30 days counted from
 * 1970-01-01. Fixed windows are what lets every replica agree on the window without talking.
 */
public record Budget(BigDecimal usd, int windowDays) {
  /** Long enough for a year; spend records older than this are dropped. */
  public static final int MAX_WINDOW_DAYS = 366;
  private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)/(\\d+)d");

  public Budget {
    if (usd.signum() < 0) {
      throw new IllegalArgumentException("a budget cannot be negative");
    }
    if (windowDays < 1 || windowDays > MAX_WINDOW_DAYS) {
      throw new IllegalArgumentException("a budget's window is 1 to " + MAX_WINDOW_DAYS + " days");
    }
  }

  /** Parses {@code USD/Nd}, or {@code none} for no budget; IllegalArgumentException says what is wrong. */
  public static Optional<Budget> parse(String text) {
    String t = text.trim();
    if (t.equals("none")) {
      return Optional.empty();
    }
    Matcher m = FORM.matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException("\"" + text + "\" is not a budget such as 25/1d, 0.50/1d or 100/30d"
          + " (USD per whole UTC days), or none");
    }
    int days;
    try {
      days = Integer.parseInt(m.group(2));
    } catch (NumberFormatException e) {
      days = Integer.MAX_VALUE;
    }
    return Optional.of(new Budget(new BigDecimal(m.group(1)), days));
  }

  /** The window holding {@code now}. */
  public Window windowAt(Instant now) {
    long day = Math.floorDiv(now.getEpochSecond(), 86_400L);
    long firstDay = Math.floorDiv(day, windowDays) * windowDays;
    return new Window(firstDay, windowDays);
  }

  @Override
  public String toString() {
    return usd.toPlainString() + "/" + windowDays + "d";
  }

  /** Whole UTC days {@code [firstDay, firstDay + days)}, as day numbers since 1970-01-01. */
  public record Window(long firstDay, int days) {
    public Instant start() {
      return Instant.ofEpochSecond(firstDay * 86_400L);
    }

    /** Exclusive: the instant the next window starts. */
    public Instant end() {
      return Instant.ofEpochSecond((firstDay + days) * 86_400L);
    }

    public long lastDay() {
      return firstDay + days - 1;
    }

    public Duration untilEnd(Instant now) {
      Duration d = Duration.between(now, end());
      return d.isNegative() ? Duration.ZERO : d;
    }
  }
}
