package openrouter.gateway.server;

import java.io.IOException;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import openrouter.gateway.server.config.ConfigException;
import openrouter.gateway.server.config.ConnectionSettings;
import openrouter.gateway.server.config.GatewayConfig;
import openrouter.gateway.server.logging.LogSetup;
import openrouter.gateway.simulator.OpenRouterSimulator;
import openrouter.gateway.simulator.SimulatorKeys;
import openrouter.gateway.server.upstream.UpstreamTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar gateway.jar}: reads the configuration, picks the upstream (OpenRouter, or the
 * built-in simulator when no key is set), starts the gateway and stops it gracefully on
 * SIGTERM.
 */
public final class GatewayMain {
  /**
   * Set only after the configuration is valid: the first use of a logger makes logback read
   * GATEWAY_LOG_FORMAT, and an invalid one would bury the one-line error under its own noise.
   */
  private static Logger log;

  private GatewayMain() {}

  public static void main(String[] args) throws Exception {
    List<String> argList = Arrays.asList(args);
    if (argList.contains("--help") || argList.contains("-h")) {
      System.out.print(GatewayConfig.helpText());
      return;
    }
    if (argList.contains("--version")) {
      // The class literal, not Gateway.version(): initialising Gateway would start logging.
      String version = Gateway.class.getPackage().getImplementationVersion();
      System.out.println("openrouter-grpc-gateway " + (version == null ? "dev" : version));
      return;
    }
    GatewayConfig config;
    try {
      config = GatewayConfig.load(System.getenv(), argList);
    } catch (ConfigException e) {
      exitWithConfigurationError(e);
      return;
    }
    LogSetup.apply(config.operations().logFormat(), config.operations().logLevel());
    log = LoggerFactory.getLogger(GatewayMain.class);
    log.info("openrouter-grpc-gateway {} starting", Gateway.version());
    ConnectionSettings connection = config.server().connections();
    if (!connection.maxConnectionAge().isZero() && !connection.maxConnectionAgeGrace().isZero()
        && connection.maxConnectionAgeGrace().compareTo(config.chat().timeout()) < 0) {
      log.warn("GATEWAY_MAX_CONNECTION_AGE_GRACE_MS ({} ms) is shorter than GATEWAY_CHAT_TIMEOUT_MS ({} ms):"
          + " streams on an aged connection may be cut", connection.maxConnectionAgeGrace().toMillis(),
          config.chat().timeout().toMillis());
    }

    OpenRouterSimulator simulator = null;
    UpstreamTarget target;
    if (config.upstream().apiKey().isEmpty() && !config.upstream().baseUrlExplicit()) {
      simulator = OpenRouterSimulator.start(0);
      target = new UpstreamTarget(URI.create(simulator.baseUrl()), Optional.of(SimulatorKeys.DEFAULT), true);
      log.warn("OPENROUTER_API_KEY is not set: serving from the built-in OpenRouter simulator at {}."
          + " This gateway is NOT talking to OpenRouter.", simulator.baseUrl());
    } else {
      target = new UpstreamTarget(config.upstream().baseUrl(), config.upstream().apiKey(), false);
      if (config.upstream().apiKey().isEmpty()) {
        log.warn("OPENROUTER_API_KEY is not set: calling {} without a key", config.upstream().baseUrl());
      }
    }

    Gateway gateway;
    try {
      gateway = Gateway.start(config, target);
    } catch (ConfigException e) {
      if (simulator != null) {
        simulator.close();
      }
      exitWithConfigurationError(e);
      return;
    } catch (IOException e) {
      log.error("cannot start: {}", e.getMessage(), e);
      if (simulator != null) {
        simulator.close();
      }
      System.exit(1);
      return;
    }
    log.info("openrouter-grpc-gateway {} serving on {}:{} ({}), upstream {} ({}), metrics {}", Gateway.version(),
        config.server().host(), gateway.port(), config.server().tls().enabled()
            ? (config.server().tls().clientCa().isPresent() ? "mutual TLS" : "TLS") : "plaintext",
        target.baseUrl(), (target.simulator() ? "simulator" : "live")
            + (config.upstream().http2PriorKnowledge() ? ", h2c" : ""),
        gateway.metricsPort().map(p -> "http://" + config.server().host() + ":" + p + "/metrics").orElse("off"));

    OpenRouterSimulator embedded = simulator;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      int exit = 0;
      try {
        log.info("SIGTERM: shutting down (grace {} ms)", config.operations().shutdownGrace().toMillis());
        gateway.shutdown(config.operations().shutdownGrace());
        if (embedded != null) {
          embedded.close();
        }
        log.info("stopped");
      } catch (RuntimeException e) {
        log.error("shutdown failed", e);
        exit = 1;
      }
      // A clean, signalled stop exits 0 (the JVM would say 143); flush the logs first.
      if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
        context.stop();
      }
      System.out.flush();
      Runtime.getRuntime().halt(exit);
    }, "shutdown"));
    gateway.awaitTermination();
  }

  /** Every problem on its own line, then exit 2 (the documented code for configuration errors). */
  private static void exitWithConfigurationError(ConfigException e) {
    for (String line : e.getMessage().split("\n")) {
      System.err.println("configuration error: " + line);
    }
    System.err.flush();
    System.exit(2);
  }
}
