package openrouter.gateway.client.testing;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import openrouter.gateway.server.Gateway;
import openrouter.gateway.server.config.GatewayConfig;
import openrouter.gateway.simulator.OpenRouterSimulator;
import openrouter.gateway.simulator.RecordedRequest;
import openrouter.gateway.simulator.SimulatorKeys;
import openrouter.gateway.server.upstream.UpstreamTarget;

/**
 * A real gateway on a loopback port in front of the real OpenRouter simulator, as
 * {@code java -jar gateway.jar} runs it without a key. Upstream retries are off by default so a
 * 429 reaches the client at once; tests pass other settings by their environment names.
 */
public final class TestGateway implements AutoCloseable {
  public final OpenRouterSimulator simulator;
  public final Gateway gateway;

  private TestGateway(OpenRouterSimulator simulator, Gateway gateway) {
    this.simulator = simulator;
    this.gateway = gateway;
  }

  public static TestGateway start(String... settings) throws Exception {
    OpenRouterSimulator sim = OpenRouterSimulator.start(0);
    try {
      Map<String, String> env = new HashMap<>();
      env.put("GATEWAY_HOST", "127.0.0.1");
      env.put("GATEWAY_PORT", "0");
      env.put("GATEWAY_METRICS_PORT", "0"); // never the default 9464: test suites run side by side
      env.put("OPENROUTER_BASE_URL", sim.baseUrl());
      env.put("OPENROUTER_MAX_RETRIES", "0");
      // No background probe: on a loaded machine its first GET /key can time out and turn the
      // detailed health DEGRADED under tests that expect SERVING (as in the server's harness).
      env.put("GATEWAY_HEALTH_PROBE_INTERVAL_MS", "0");
      for (int i = 0; i + 1 < settings.length; i += 2) {
        env.put(settings[i], settings[i + 1]);
      }
      GatewayConfig config = GatewayConfig.load(env, List.of());
      Gateway gateway = Gateway.start(config,
          new UpstreamTarget(URI.create(sim.baseUrl()), Optional.of(SimulatorKeys.DEFAULT), true));
      return new TestGateway(sim, gateway);
    } catch (Exception e) {
      sim.close();
      throw e;
    }
  }

  /** {@code 127.0.0.1:<port>}, the form the client and the CLI take. */
  public String target() {
    return "127.0.0.1:" + gateway.port();
  }

  /** The simulator's record of the chat request whose body contains {@code marker}. */
  public RecordedRequest upstreamRequestWith(String marker) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // only bounds a failure
    while (System.nanoTime() < deadline) {
      for (RecordedRequest r : simulator.requests()) {
        if (r.path().equals("/chat/completions") && r.body().contains(marker)) {
          return r;
        }
      }
      TimeUnit.MILLISECONDS.sleep(10);
    }
    throw new AssertionError("no upstream chat request contains " + marker);
  }

  @Override
  public void close() {
    gateway.close();
    simulator.close();
  }
}
