package openrouter.gateway.simulator;

import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the OpenRouter simulator as a standalone process:
 * {@code java -cp gateway.jar openrouter.gateway.simulator.SimulatorMain [--port N]}.
 * Prints one line with the base URL and runs until killed.
 */
public final class SimulatorMain {
  static final String USAGE = String.join(System.lineSeparator(),
      "Usage: SimulatorMain [--port N] [--h2-max-streams N] [--help]",
      "  Serves OpenRouter's REST API (/api/v1) on 127.0.0.1 with simulated models, over",
      "  HTTP/1.1 and cleartext HTTP/2 (prior knowledge) on the same port.",
      "  --port N            port to listen on (default 0: pick a free port and print it)",
      "  --h2-max-streams N  concurrent streams per HTTP/2 connection (default 20000);",
      "                      clients open more connections beyond it",
      "  --help              print this help");

  private SimulatorMain() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    OpenRouterSimulator simulator;
    try {
      simulator = start(args, System.out);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    if (simulator == null) {
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(simulator::close, "simulator-shutdown"));
    new CountDownLatch(1).await(); // until killed
  }

  /**
   * Parses the arguments and starts the simulator, printing the listening line (or the help,
   * returning null). Exposed so tests can run the entry point in-process.
   *
   * @throws IllegalArgumentException on bad arguments
   */
  public static OpenRouterSimulator start(String[] args, PrintStream out) throws IOException {
    int port = 0;
    int http2MaxStreams = SimulatorOptions.defaults().http2MaxConcurrentStreams();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--help", "-h" -> {
          out.println(USAGE);
          return null;
        }
        case "--port" -> {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException("--port needs a value");
          }
          port = parsePort(args[++i]);
        }
        case "--h2-max-streams" -> {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException("--h2-max-streams needs a value");
          }
          http2MaxStreams = parsePositive("--h2-max-streams", args[++i]);
        }
        default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
      }
    }
    OpenRouterSimulator simulator =
        OpenRouterSimulator.start(SimulatorOptions.builder().port(port)
            .http2MaxConcurrentStreams(http2MaxStreams).build());
    out.println("OpenRouter simulator listening on " + simulator.baseUrl());
    out.flush();
    return simulator;
  }

  private static int parsePositive(String flag, String value) {
    try {
      int n = Integer.parseInt(value);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException(flag + " must be a whole number of at least 1: " + value);
  }

  private static int parsePort(String value) {
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException("--port must be a number from 0 to 65535: " + value);
  }
}
