package openrouter.gateway.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Clients must not be able to flood the log: grpc-java and Netty log a warning, with a stack
 * trace, for every malformed frame or header a client sends ("Stream Error", exceptions that
 * reach the end of the pipeline). Their lines (loggers under {@code io.grpc.netty} and {@code
 * io.netty}, the shaded copies included) get at most {@value #LINES_PER_WINDOW} lines a minute
 * together; the rest are dropped and counted, and the next line let through is preceded by one
 * that says how many were dropped.
 */
public final class TransportLogLimit extends TurboFilter {
  public static final int LINES_PER_WINDOW = 10;
  static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);
  private static final String SUMMARY_LOGGER = "openrouter.gateway.transport";
  private static final AtomicLong totalSuppressed = new AtomicLong();

  private long windowStart = System.nanoTime();
  private int linesInWindow;
  private long suppressedSinceLastLine;

  /** Lines dropped since the process started, for tests and curiosity. */
  public static long suppressed() {
    return totalSuppressed.get();
  }

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (format == null && t == null) {
      return FilterReply.NEUTRAL; // an isEnabled() check, not a line
    }
    String name = logger.getName();
    if (!(name.startsWith("io.grpc.netty") || name.startsWith("io.netty")) || !level.isGreaterOrEqual(logger.getEffectiveLevel())) {
      return FilterReply.NEUTRAL;
    }
    long dropped;
    synchronized (this) {
      long now = System.nanoTime();
      if (now - windowStart >= WINDOW_NANOS) {
        windowStart = now;
        linesInWindow = 0;
      }
      if (linesInWindow >= LINES_PER_WINDOW) {
        suppressedSinceLastLine++;
        totalSuppressed.incrementAndGet();
        return FilterReply.DENY;
      }
      linesInWindow++;
      dropped = suppressedSinceLastLine;
      suppressedSinceLastLine = 0;
    }
    if (dropped > 0) {
      LoggerFactory.getLogger(SUMMARY_LOGGER).warn("{} gRPC/Netty transport log lines were dropped (at most {} a minute"
          + " are written): clients sending malformed frames or headers?", dropped, LINES_PER_WINDOW);
    }
    return FilterReply.NEUTRAL;
  }
}
