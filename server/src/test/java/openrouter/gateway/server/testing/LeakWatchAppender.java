package openrouter.gateway.server.testing;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.event.KeyValuePair;

/**
 * Sees every log event of the test run (logback-test.xml) and keeps only the ones that contain
 * an OpenRouter key: anything like {@code sk-or-} followed by key characters, or the secret
 * part of a key the tests configure. Memory stays bounded: events are checked as they come and
 * at most {@value #MAX_KEPT} offending lines are kept. {@code KeyLeakScanTest} checks it last.
 */
public final class LeakWatchAppender extends AppenderBase<ILoggingEvent> {
  static final int MAX_KEPT = 50;
  private static final Pattern KEY_LIKE = Pattern.compile("sk-or-[A-Za-z0-9]");
  private static final AtomicLong SEEN = new AtomicLong();
  private static final List<String> LEAKS = new ArrayList<>();

  private final List<String> secrets = TestKeys.ALL.stream().map(k -> k.substring("sk-or-v1-".length())).toList();
  private final List<String> ownLeaks = new ArrayList<>();
  private final boolean global;

  /** The instance logback creates: records into the run-wide list. */
  public LeakWatchAppender() {
    this(true);
  }

  private LeakWatchAppender(boolean global) {
    this.global = global;
  }

  /** A private instance, to show in a test that the watch does catch a leak. */
  public static LeakWatchAppender standalone() {
    return new LeakWatchAppender(false);
  }

  public static long eventsSeen() {
    return SEEN.get();
  }

  public static synchronized List<String> leaks() {
    return List.copyOf(LEAKS);
  }

  public synchronized List<String> ownLeaks() {
    return List.copyOf(ownLeaks);
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (global) {
      SEEN.incrementAndGet();
    }
    String text = everything(event);
    if (leaks(text)) {
      String line = event.getLoggerName() + ": " + text;
      List<String> into = global ? LEAKS : ownLeaks;
      synchronized (global ? LeakWatchAppender.class : this) {
        if (into.size() < MAX_KEPT) {
          into.add(line.length() > 2_000 ? line.substring(0, 2_000) : line);
        }
      }
    }
  }

  boolean leaks(String text) {
    if (KEY_LIKE.matcher(text).find()) {
      return true;
    }
    for (String secret : secrets) {
      if (text.contains(secret)) {
        return true;
      }
    }
    return false;
  }

  /** Message, arguments, key-value pairs, MDC and every throwable message: all that is written. */
  private static String everything(ILoggingEvent event) {
    StringBuilder sb = new StringBuilder(String.valueOf(event.getFormattedMessage()));
    Object[] args = event.getArgumentArray();
    if (args != null) {
      for (Object a : args) {
        sb.append(' ').append(a);
      }
    }
    List<KeyValuePair> kvs = event.getKeyValuePairs();
    if (kvs != null) {
      for (KeyValuePair kv : kvs) {
        sb.append(' ').append(kv.key).append('=').append(kv.value);
      }
    }
    for (Map.Entry<String, String> e : event.getMDCPropertyMap().entrySet()) {
      sb.append(' ').append(e.getKey()).append('=').append(e.getValue());
    }
    for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
      sb.append(' ').append(t.getClassName()).append(": ").append(t.getMessage());
    }
    return sb.toString();
  }
}
