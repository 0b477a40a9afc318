package openrouter.gateway.server.simulator;

import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the OpenRouter simulator as a standalone process:
 * {@code java -cp gateway.jar openrouter.gateway.server.simulator.SimulatorMain [--port N]}.
 * Prints one line with the base URL and runs until killed.
 */
public final class SimulatorMain {
  static final String USAGE = String.join(System.lineSeparator(),
      "Usage: SimulatorMain [--port N] [--help]",
      "  Serves OpenRouter's REST API (/api/v1) on 127.0.0.1 with simulated models.",
      "  --port N   port to listen on (default 0: pick a free port and print it)",
      "  --help     print this help");

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
        default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
      }
    }
    OpenRouterSimulator simulator =
        OpenRouterSimulator.start(SimulatorOptions.builder().port(port).build());
    out.println("OpenRouter simulator listening on " + simulator.baseUrl());
    out.flush();
    return simulator;
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
