package openrouter.gateway.server.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Applies GATEWAY_LOG_FORMAT and GATEWAY_LOG_LEVEL (from the environment or from flags) by
 * reloading {@code logback.xml} with them as context properties, and routes java.util.logging
 * (grpc-java's logger) into logback, so every line has the chosen format. grpc-java's and
 * Netty's per-connection warnings are rate-limited ({@link TransportLogLimit}).
 */
public final class LogSetup {
  private LogSetup() {}

  public static void apply(String format, String level) {
    routeJavaUtilLogging();
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    URL config = LogSetup.class.getResource("/logback.xml");
    if (!(factory instanceof LoggerContext context) || config == null) {
      return; // another SLF4J backend, or a test configuration: leave it alone
    }
    context.reset();
    context.putProperty("GATEWAY_LOG_FORMAT", format);
    context.putProperty("GATEWAY_LOG_LEVEL", level);
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(config);
    } catch (JoranException e) {
      System.err.println("logging configuration failed: " + e.getMessage());
    }
    limitTransportLogs();
  }

  /** Installs {@link TransportLogLimit} once (reset() removes it; apply() puts it back). */
  public static synchronized void limitTransportLogs() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context
        && context.getTurboFilterList().stream().noneMatch(f -> f instanceof TransportLogLimit)) {
      TransportLogLimit limit = new TransportLogLimit();
      limit.setContext(context);
      limit.start();
      context.addTurboFilter(limit);
    }
  }

  /** java.util.logging to SLF4J, once per process. */
  public static synchronized void routeJavaUtilLogging() {
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
  }
}
