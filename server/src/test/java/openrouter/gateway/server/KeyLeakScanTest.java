package openrouter.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import openrouter.gateway.server.testing.LeakWatchAppender;
import openrouter.gateway.server.testing.TestKeys;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Runs after every other test class (highest {@link Order}; see junit-platform.properties) and
 * fails if anything logged during the run, at any level, contained an OpenRouter key.
 */
@Order(Integer.MAX_VALUE)
class KeyLeakScanTest {
  @Test
  void nothingLoggedDuringTheTestRunContainsAKey() {
    // The watch is attached to the root logger and sees what is logged.
    long before = LeakWatchAppender.eventsSeen();
    LoggerFactory.getLogger(KeyLeakScanTest.class).debug("leak watch canary");
    assertThat(LeakWatchAppender.eventsSeen()).isGreaterThan(before);
    assertThat(LeakWatchAppender.leaks()).as("log events containing an OpenRouter key").isEmpty();
  }

  @Test
  void theWatchCatchesAKeyWhereverItHides() {
    LeakWatchAppender watch = LeakWatchAppender.standalone();
    watch.start();
    Logger logger = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("leak-demo");
    watch.doAppend(event(logger, "calling with Bearer {}", TestKeys.GATEWAY));
    watch.doAppend(event(logger, "label sk-or-v1-7e5...b1e"));
    watch.doAppend(event(logger, "prefix stripped: " + TestKeys.GATEWAY.substring(9)));
    watch.doAppend(event(logger, "redacted: sk-or-<redacted>, fine"));
    watch.doAppend(event(logger, "nothing here"));
    assertThat(watch.ownLeaks()).hasSize(3);
  }

  private static LoggingEvent event(Logger logger, String message, Object... args) {
    return new LoggingEvent(Logger.class.getName(), logger, Level.INFO, message, null, args);
  }
}
