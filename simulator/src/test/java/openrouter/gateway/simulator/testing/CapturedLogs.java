package openrouter.gateway.simulator.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.LoggerFactory;

/** Captures the events of one logger for a test, at a chosen level; close() restores it. */
public final class CapturedLogs implements AutoCloseable {
  private final Logger logger;
  private final Level previous;
  private final EventQueue appender = new EventQueue();

  public CapturedLogs(String loggerName, Level level) {
    this.logger = (Logger) LoggerFactory.getLogger(loggerName);
    this.previous = logger.getLevel();
    logger.setLevel(level);
    appender.start();
    logger.addAppender(appender);
  }

  /** The formatted messages so far. */
  public List<String> lines() {
    return appender.events.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  /** The MDC entries of the first event whose message contains {@code text} (null when none). */
  public java.util.Map<String, String> mdcOf(String text) {
    return appender.events.stream().filter(e -> e.getFormattedMessage().contains(text)).findFirst()
        .map(ILoggingEvent::getMDCPropertyMap).orElse(null);
  }

  /** Lines containing {@code text}. */
  public List<String> linesWith(String text) {
    return lines().stream().filter(l -> l.contains(text)).toList();
  }

  /** Waits (bounded by {@link Eventually#DEADLINE}) until {@code count} lines contain {@code text}; returns them. */
  public List<String> await(String text, int count) throws InterruptedException {
    return Eventually.await(count + " log lines with \"" + text + "\"", () -> linesWith(text),
        found -> found.size() >= count);
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setLevel(previous);
  }

  /**
   * Events go into a concurrent queue: the test thread reads while server threads log (a
   * ListAppender's list, read under another lock than the one it is written under, threw
   * ConcurrentModificationException). Each event is frozen on the thread that logged it, so its
   * MDC is that thread's, not the reader's.
   */
  private static final class EventQueue extends AppenderBase<ILoggingEvent> {
    final Queue<ILoggingEvent> events = new ConcurrentLinkedQueue<>();

    @Override
    protected void append(ILoggingEvent event) {
      event.prepareForDeferredProcessing();
      events.add(event);
    }
  }
}
