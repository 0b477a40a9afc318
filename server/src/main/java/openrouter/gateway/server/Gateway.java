package openrouter.gateway.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Ticker;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import openrouter.gateway.server.chat.ChatPolicy;
import openrouter.gateway.server.chat.ChatRequestMapper;
import openrouter.gateway.server.chat.ChatRequestValidator;
import openrouter.gateway.server.chat.ChatRunner;
import openrouter.gateway.server.chat.GenerationLookup;
import openrouter.gateway.server.cache.SnapshotCache;
import openrouter.gateway.server.credits.CreditsService;
import openrouter.gateway.server.credits.LowBalanceAlarm;
import openrouter.gateway.server.grpc.CreditsGrpcService;
import openrouter.gateway.server.grpc.ModelsGrpcService;
import openrouter.gateway.server.models.ModelCatalog;
import openrouter.gateway.server.json.Json;
import openrouter.gateway.server.config.GatewayConfig;
import openrouter.gateway.server.errors.StatusMapper;
import openrouter.gateway.server.grpc.CallerInterceptor;
import openrouter.gateway.server.grpc.ChatGrpcService;
import openrouter.gateway.server.grpc.HealthGrpcService;
import openrouter.gateway.server.grpc.ServiceDefinitions;
import openrouter.gateway.server.resilience.RetryPolicy;
import openrouter.gateway.server.resilience.StreamWatchdog;
import openrouter.gateway.server.security.CallerRegistry;
import openrouter.gateway.server.security.ConcurrencyLimits;
import openrouter.gateway.server.security.RateLimiter;
import openrouter.gateway.server.upstream.OpenRouterClient;
import openrouter.gateway.server.upstream.UpstreamTarget;
import openrouter.gateway.v1.ChatServiceGrpc;
import openrouter.gateway.v1.CreditsServiceGrpc;
import openrouter.gateway.v1.HealthServiceGrpc;
import openrouter.gateway.v1.ModelsServiceGrpc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the gateway once, for {@code main} and the tests alike: the HTTP client, the services,
 * the gRPC server. {@link #shutdown} stops it in the order probes and balancers expect.
 */
public final class Gateway implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);

  /** The services a client can call, for the standard health service and the logs. */
  public static final List<String> SERVICE_NAMES = List.of(
      ChatServiceGrpc.SERVICE_NAME,
      ModelsServiceGrpc.SERVICE_NAME,
      CreditsServiceGrpc.SERVICE_NAME,
      HealthServiceGrpc.SERVICE_NAME);

  /**
   * Upstream keys whose catalogue is held at once (each is a few MB at OpenRouter's size);
   * only the gateway's key today, more once callers bring their own keys.
   */
  static final int MAX_CATALOGUE_KEYS = 16;
  /** Upstream keys whose balance and key information are held at once (each is tiny). */
  static final int MAX_ACCOUNT_KEYS = 10_000;

  private final Server server;
  private final HealthStatusManager health;
  private final HealthGrpcService detailedHealth;
  private final OpenRouterClient upstream;
  private final StreamWatchdog watchdog;
  private final ExecutorService workers;

  private Gateway(Server server, HealthStatusManager health, HealthGrpcService detailedHealth,
      OpenRouterClient upstream, StreamWatchdog watchdog, ExecutorService workers) {
    this.server = server;
    this.health = health;
    this.detailedHealth = detailedHealth;
    this.upstream = upstream;
    this.watchdog = watchdog;
    this.workers = workers;
  }

  /** Builds and starts the gateway on the configured host and port (port 0 = any free port). */
  public static Gateway start(GatewayConfig config, UpstreamTarget target) throws IOException {
    Clock clock = Clock.systemUTC();
    ObjectMapper json = Json.mapper();
    String version = version();
    OpenRouterClient upstream =
        new OpenRouterClient(target, config.siteUrl(), config.siteName(), version);
    StatusMapper statusMapper = new StatusMapper(clock);
    ChatPolicy chatPolicy = new ChatPolicy(config.defaultModel().orElse(null),
        config.defaultMaxTokens(), 10, 4);
    StreamWatchdog watchdog = new StreamWatchdog(config.ttftTimeout(), config.streamIdleTimeout());
    ExecutorService workers = Workers.newExecutor();
    ChatRunner runner = new ChatRunner(upstream, new ChatRequestMapper(chatPolicy),
        config.retryPolicy(), watchdog, json, clock);
    GenerationLookup generations = new GenerationLookup(upstream, config.retryPolicy(), json, clock);
    ModelCatalog catalog = new ModelCatalog(upstream,
        new SnapshotCache<>("model catalogue", config.modelsCacheTtl(), config.cacheMaxStaleness(),
            config.cacheMinRefreshInterval(), MAX_CATALOGUE_KEYS, workers, clock, Ticker.systemTicker()),
        json);
    CreditsService credits = new CreditsService(upstream,
        new SnapshotCache<>("credits", config.creditsCacheTtl(), config.cacheMaxStaleness(),
            config.cacheMinRefreshInterval(), MAX_ACCOUNT_KEYS, workers, clock, Ticker.systemTicker()),
        new SnapshotCache<>("key info", config.creditsCacheTtl(), config.cacheMaxStaleness(),
            config.cacheMinRefreshInterval(), MAX_ACCOUNT_KEYS, workers, clock, Ticker.systemTicker()),
        new LowBalanceAlarm(config.lowBalanceThreshold()),
        json);
    HealthGrpcService detailedHealth = new HealthGrpcService(target, version, clock);
    HealthStatusManager health = new HealthStatusManager();

    Optional<CallerRegistry> callers = config.apiKeysFile().map(CallerRegistry::load);
    if (callers.isEmpty()) {
      log.warn("GATEWAY_API_KEYS_FILE is not set: callers are not authenticated. Set it, or"
          + " authenticate callers in front of the gateway (e.g. mTLS in a mesh).");
    } else {
      log.info("caller authentication on: {} callers from {}", callers.get().size(), config.apiKeysFile().get());
    }
    CallerInterceptor callerInterceptor = new CallerInterceptor(callers, new RateLimiter(config.rateLimits()),
        config.allowCallerKeys(), statusMapper);
    ConcurrencyLimits concurrency = new ConcurrencyLimits(config.maxConcurrentStreams(), config.maxStreamsPerCaller());

    Server server = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.port()))
        .intercept(callerInterceptor)
        .addService(ServiceDefinitions.strict(new ChatGrpcService(new ChatRequestValidator(chatPolicy, config.inputLimits()), runner,
            generations, statusMapper, workers, concurrency, config.chatTimeout()), statusMapper))
        .addService(ServiceDefinitions.strict(new ModelsGrpcService(catalog, statusMapper), statusMapper))
        .addService(ServiceDefinitions.strict(new CreditsGrpcService(credits, statusMapper), statusMapper))
        .addService(ServiceDefinitions.strict(detailedHealth, statusMapper))
        .addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance())
        .addService(ProtoReflectionService.newInstance())
        .build()
        .start();
    for (String service : SERVICE_NAMES) {
      health.setStatus(service, ServingStatus.SERVING);
    }
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
    return new Gateway(server, health, detailedHealth, upstream, watchdog, workers);
  }

  static String version() {
    String v = Gateway.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  public int port() {
    return server.getPort();
  }

  /**
   * Health NOT_SERVING first (so balancers stop sending), then no new calls, then in-flight
   * calls get {@code grace} to finish, then the rest are cancelled (which cancels their
   * upstream requests), then the HTTP client and the executors close.
   */
  public void shutdown(Duration grace) {
    detailedHealth.markShuttingDown();
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("shutdown grace of {} ms passed; cancelling the calls still in flight", grace.toMillis());
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
    upstream.close();
    watchdog.close();
    workers.shutdownNow();
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  @Override
  public void close() {
    shutdown(Duration.ZERO);
  }
}
