package openrouter.gateway.server.testing;

import com.github.benmanes.caffeine.cache.Ticker;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import openrouter.gateway.server.Gateway;
import openrouter.gateway.server.Workers;
import openrouter.gateway.server.tracing.Tracing;
import openrouter.gateway.server.config.GatewayConfig;
import openrouter.gateway.server.logging.LogSetup;
import openrouter.gateway.simulator.OpenRouterSimulator;
import openrouter.gateway.server.upstream.UpstreamTarget;
import openrouter.gateway.v1.ChatServiceGrpc;

/**
 * A real gateway in front of a real upstream (the simulator, or any URL such as a MockWebServer),
 * and a real channel to it: by default on a loopback port over Netty; {@link #inProcess()} for
 * tests that are not about the transport (the same services and interceptors, no sockets on the
 * gRPC side). Everything a test starts, it closes.
 */
public final class GatewayHarness implements AutoCloseable {
  static {
    LogSetup.routeJavaUtilLogging(); // grpc-java's own log lines reach the leak watch too
  }

  public final OpenRouterSimulator simulator;
  public final Gateway gateway;
  public final ManagedChannel channel;

  private GatewayHarness(OpenRouterSimulator simulator, Gateway gateway, ManagedChannel channel) {
    this.simulator = simulator;
    this.gateway = gateway;
    this.channel = channel;
  }

  /** Starts a simulator and a gateway in front of it on loopback, with extra settings (env names). */
  public static GatewayHarness withSimulator(String... settings) throws Exception {
    return LOOPBACK.withSimulator(settings);
  }

  /** Like {@link #withSimulator}, with the gateway using {@code apiKey} (see SimulatorKeys). */
  public static GatewayHarness withSimulatorKey(String apiKey, String... settings) throws Exception {
    return LOOPBACK.withSimulatorKey(apiKey, settings);
  }

  /** Like {@link #withSimulator}, with the gateway's caches on {@code cacheTime}, which the test moves. */
  public static GatewayHarness withSimulatorAndCacheTime(ManualTime cacheTime, String... settings) throws Exception {
    return LOOPBACK.withSimulatorAndCacheTime(cacheTime, settings);
  }

  /** A gateway on loopback in front of {@code baseUrl} (e.g. a MockWebServer), with the given key. */
  public static GatewayHarness withUpstream(URI baseUrl, String apiKey, String... settings) throws Exception {
    return LOOPBACK.withUpstream(baseUrl, apiKey, settings);
  }

  /** Like {@link #withUpstream}, with {@code workers} running the calls' upstream work. */
  public static GatewayHarness withUpstreamAndWorkers(URI baseUrl, String apiKey, java.util.concurrent.ExecutorService workers,
      String... settings) throws Exception {
    return LOOPBACK.withUpstreamAndWorkers(baseUrl, apiKey, workers, settings);
  }

  /**
   * The same gateway served in process ({@code Gateway.start} with an in-process server
   * builder, bound by {@code GatewayServices.bindTo}): for tests of features, not of the
   * transport (flow control, TLS, HTTP/2 limits and keepalive stay on loopback).
   */
  public static Starter inProcess() {
    return IN_PROCESS;
  }

  private static final Starter LOOPBACK = new Starter(false);
  private static final Starter IN_PROCESS = new Starter(true);
  private static final java.util.concurrent.atomic.AtomicInteger SERVERS = new java.util.concurrent.atomic.AtomicInteger();

  /** Starts gateways on one transport: loopback Netty or in process. */
  public static final class Starter {
    private final boolean inProcess;

    private Starter(boolean inProcess) {
      this.inProcess = inProcess;
    }

    /** Starts a simulator and a gateway in front of it, with extra settings (env names). */
    public GatewayHarness withSimulator(String... settings) throws Exception {
      // A recognisable fake key, so the key-leak scan can find it anywhere it must not be.
      return withSimulatorKey(TestKeys.GATEWAY, settings);
    }

    /** Like {@link #withSimulator}, with the gateway using {@code apiKey} (see SimulatorKeys). */
    public GatewayHarness withSimulatorKey(String apiKey, String... settings) throws Exception {
      return withSimulator(apiKey, Clock.systemUTC(), Ticker.systemTicker(), settings);
    }

    /** Like {@link #withSimulator}, with the gateway's caches on {@code cacheTime}, which the test moves. */
    public GatewayHarness withSimulatorAndCacheTime(ManualTime cacheTime, String... settings) throws Exception {
      return withSimulator(TestKeys.GATEWAY, cacheTime, cacheTime, settings);
    }

    /** A gateway in front of {@code baseUrl} (e.g. a MockWebServer), with the given key. */
    public GatewayHarness withUpstream(URI baseUrl, String apiKey, String... settings) throws Exception {
      return start(inProcess, null, baseUrl, apiKey, Clock.systemUTC(), Ticker.systemTicker(), null, settings);
    }

    /** Like {@link #withUpstream}, with {@code workers} running the calls' upstream work. */
    public GatewayHarness withUpstreamAndWorkers(URI baseUrl, String apiKey,
        java.util.concurrent.ExecutorService workers, String... settings) throws Exception {
      return start(inProcess, null, baseUrl, apiKey, Clock.systemUTC(), Ticker.systemTicker(), workers, settings);
    }

    private GatewayHarness withSimulator(String apiKey, Clock cacheClock, Ticker cacheTicker, String... settings)
        throws Exception {
      OpenRouterSimulator sim = OpenRouterSimulator.start(0);
      try {
        return start(inProcess, sim, URI.create(sim.baseUrl()), apiKey, cacheClock, cacheTicker, null, settings);
      } catch (Exception e) {
        sim.close();
        throw e;
      }
    }
  }

  private static GatewayHarness start(boolean inProcess, OpenRouterSimulator sim, URI baseUrl, String key,
      Clock cacheClock, Ticker cacheTicker, java.util.concurrent.ExecutorService workers, String... settings)
      throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("GATEWAY_HOST", "127.0.0.1");
    env.put("GATEWAY_PORT", "0");
    env.put("GATEWAY_METRICS_PORT", "0"); // never 9464: tests run side by side
    // No background probe unless a test asks for one: its GET /key would show up in request
    // counts and consume MockWebServer's queued responses.
    env.put("GATEWAY_HEALTH_PROBE_INTERVAL_MS", "0");
    env.put("OPENROUTER_BASE_URL", baseUrl.toString());
    // Fast tests: small backoff delays unless a test sets its own. The maximum also bounds an
    // upstream's Retry-After the gateway will wait for: sub-second hints are still honoured.
    env.put("OPENROUTER_RETRY_INITIAL_DELAY_MS", "10");
    env.put("OPENROUTER_RETRY_MAX_DELAY_MS", "1000");
    for (int i = 0; i + 1 < settings.length; i += 2) {
      env.put(settings[i], settings[i + 1]);
    }
    GatewayConfig config = GatewayConfig.load(env, List.of());
    UpstreamTarget target = new UpstreamTarget(baseUrl, Optional.ofNullable(key), sim != null);
    // OTEL_* settings configure this gateway's own tracing (tests never set the process's).
    Tracing tracing = env.keySet().stream().anyMatch(k -> k.startsWith("OTEL_"))
        ? Tracing.configure(env) : Tracing.off();
    if (!inProcess) {
      Gateway gateway = Gateway.start(config, target, cacheClock, cacheTicker,
          workers == null ? Workers.newExecutor() : workers, tracing);
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.port()).usePlaintext().build();
      return new GatewayHarness(sim, gateway, channel);
    }
    String name = "gateway-" + SERVERS.incrementAndGet();
    Gateway gateway = Gateway.start(config, target, cacheClock, cacheTicker,
        workers == null ? Workers.newExecutor() : workers, tracing, c -> InProcessServerBuilder.forName(name));
    return new GatewayHarness(sim, gateway, InProcessChannelBuilder.forName(name).build());
  }

  /** GET /metrics over HTTP: the Prometheus text. */
  public String scrape() throws Exception {
    int port = gateway.metricsPort().orElseThrow(() -> new AssertionError("no metrics endpoint"));
    var response = HTTP.send(
        java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new AssertionError("GET /metrics answered " + response.statusCode());
    }
    return response.body();
  }

  private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();

  public ChatServiceGrpc.ChatServiceBlockingStub chat() {
    return ChatServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  public ChatServiceGrpc.ChatServiceStub chatAsync() {
    return ChatServiceGrpc.newStub(channel);
  }

  @Override
  public void close() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    gateway.close();
    if (simulator != null) {
      simulator.close();
    }
  }
}
