package openrouter.gateway.server;

import com.github.benmanes.caffeine.cache.Ticker;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
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
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import openrouter.gateway.server.GatewayThreads.Stage;
import openrouter.gateway.server.chat.CallCosts;
import openrouter.gateway.server.chat.ChatPolicy;
import openrouter.gateway.server.chat.ChatRequestValidator;
import openrouter.gateway.server.chat.ChatRunner;
import openrouter.gateway.server.cache.SnapshotCache;
import openrouter.gateway.server.chat.GenerationLookup;
import openrouter.gateway.server.config.CacheSettings;
import openrouter.gateway.server.config.ConfigException;
import openrouter.gateway.server.config.ConnectionSettings;
import openrouter.gateway.server.config.GatewayConfig;
import openrouter.gateway.server.config.TlsSettings;
import openrouter.gateway.server.credits.CreditsService;
import openrouter.gateway.server.credits.LowBalanceAlarm;
import openrouter.gateway.server.errors.Redactor;
import openrouter.gateway.server.errors.StatusMapper;
import openrouter.gateway.server.grpc.AccessLogInterceptor;
import openrouter.gateway.server.grpc.CallerInterceptor;
import openrouter.gateway.server.grpc.ChatGrpcService;
import openrouter.gateway.server.grpc.CreditsGrpcService;
import openrouter.gateway.server.grpc.EmbeddingsGrpcService;
import openrouter.gateway.server.grpc.HealthGrpcService;
import openrouter.gateway.server.grpc.MetadataLimitInterceptor;
import openrouter.gateway.server.grpc.ModelsGrpcService;
import openrouter.gateway.server.grpc.ServiceDefinitions;
import openrouter.gateway.server.health.CreditsHealthSource;
import openrouter.gateway.server.health.ModelsHealthSource;
import openrouter.gateway.server.health.UpstreamHealth;
import openrouter.gateway.server.health.UpstreamProber;
import openrouter.gateway.server.logging.LogSetup;
import openrouter.gateway.server.metrics.GatewayMetrics;
import openrouter.gateway.server.metrics.MetricsHttpServer;
import openrouter.gateway.server.embeddings.EmbedRequestValidator;
import openrouter.gateway.server.embeddings.EmbedRunner;
import openrouter.gateway.server.models.ModelCatalog;
import openrouter.gateway.server.models.ModelEndpoints;
import openrouter.gateway.server.models.ProviderDirectory;
import openrouter.gateway.server.resilience.RetryPolicy;
import openrouter.gateway.server.resilience.StreamWatchdog;
import openrouter.gateway.server.security.CallerRegistry;
import openrouter.gateway.server.security.ConcurrencyLimits;
import openrouter.gateway.server.security.CallerSlots;
import openrouter.gateway.server.security.ChatAdmission;
import openrouter.gateway.server.security.LocalChatAdmission;
import openrouter.gateway.server.security.MethodFamily;
import openrouter.gateway.server.security.LocalCallerSlots;
import openrouter.gateway.server.security.LocalRateLimitStore;
import openrouter.gateway.server.security.RateLimitStore;
import openrouter.gateway.server.security.RateLimiter;
import openrouter.gateway.server.shared.RedisCallerSlots;
import openrouter.gateway.server.shared.RedisChatAdmission;
import openrouter.gateway.server.shared.RedisRateLimitStore;
import openrouter.gateway.server.shared.RedisSpendLedger;
import openrouter.gateway.server.shared.SharedState;
import openrouter.gateway.server.spend.SpendLedger;
import openrouter.gateway.server.spend.Budgets;
import openrouter.gateway.server.spend.InMemorySpendLedger;
import openrouter.gateway.server.tracing.Tracing;
import openrouter.gateway.server.tracing.TracingServerInterceptor;
import openrouter.gateway.server.upstream.OpenRouterClient;
import openrouter.gateway.server.upstream.UpstreamObserver;
import openrouter.gateway.server.upstream.UpstreamTarget;
import openrouter.gateway.v1.ChatServiceGrpc;
import openrouter.gateway.v1.CreditsServiceGrpc;
import openrouter.gateway.v1.EmbeddingsServiceGrpc;
import openrouter.gateway.v1.HealthServiceGrpc;
import openrouter.gateway.v1.KeyState;
import openrouter.gateway.v1.ModelsServiceGrpc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the gateway once, for {@code main} and the tests alike: the HTTP client, the services,
 * health, metrics, the gRPC server. Every thread and closeable part belongs to one {@link
 * GatewayThreads}; {@link #shutdown} stops it in the order probes and balancers expect.
 */
public final class Gateway implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);

  /** The services a client can call, for the standard health service and the logs. */
  public static final List<String> SERVICE_NAMES = List.of(
      ChatServiceGrpc.SERVICE_NAME,
      ModelsServiceGrpc.SERVICE_NAME,
      CreditsServiceGrpc.SERVICE_NAME,
      HealthServiceGrpc.SERVICE_NAME,
      EmbeddingsServiceGrpc.SERVICE_NAME);

  /**
   * Upstream keys whose catalogue is held at once (each is a few MB at OpenRouter's size);
   * only the gateway's key today, more once callers bring their own keys.
   */
  static final int MAX_CATALOGUE_KEYS = 16;
  /** Upstream keys whose balance and key information are held at once (each is tiny). */
  static final int MAX_ACCOUNT_KEYS = 10_000;
  /** What cannot serve without an accepted key; the rest (the catalogue is public) can. */
  static final List<String> NEED_THE_KEY = List.of(ChatServiceGrpc.SERVICE_NAME, CreditsServiceGrpc.SERVICE_NAME,
      EmbeddingsServiceGrpc.SERVICE_NAME);
  /** Models whose provider endpoints are held at once, over all keys (each is a few KB). */
  static final int MAX_ENDPOINT_LISTINGS = 4096;

  private final Server server;
  private final HealthStatusManager health;
  private final HealthGrpcService detailedHealth;
  private final ChatGrpcService chatService;
  private final GatewayThreads threads;
  private final GatewayMetrics metrics;
  private final Optional<MetricsHttpServer> metricsServer;
  private final UpstreamHealth upstreamHealth;
  private final CallCosts costs;

  private Gateway(Server server, HealthStatusManager health, HealthGrpcService detailedHealth,
      ChatGrpcService chatService, GatewayThreads threads, GatewayMetrics metrics,
      Optional<MetricsHttpServer> metricsServer, UpstreamHealth upstreamHealth, CallCosts costs) {
    this.server = server;
    this.health = health;
    this.detailedHealth = detailedHealth;
    this.chatService = chatService;
    this.threads = threads;
    this.metrics = metrics;
    this.metricsServer = metricsServer;
    this.upstreamHealth = upstreamHealth;
    this.costs = costs;
  }

  /** Builds and starts the gateway on the configured host and port (port 0 = any free port). */
  public static Gateway start(GatewayConfig config, UpstreamTarget target) throws IOException {
    return start(config, target, Tracing.fromEnvironment());
  }

  /** As above, with the given tracing (tests configure their own); the gateway closes it. */
  public static Gateway start(GatewayConfig config, UpstreamTarget target, Tracing tracing) throws IOException {
    return start(config, target, Clock.systemUTC(), Ticker.systemTicker(), Workers.newExecutor(), tracing);
  }

  /**
   * Like {@link #start(GatewayConfig, UpstreamTarget)}, with the caches (models, credits, key
   * info) on the given time: tests move it by hand to make TTLs and ages exact.
   */
  public static Gateway start(GatewayConfig config, UpstreamTarget target, Clock cacheClock, Ticker cacheTicker)
      throws IOException {
    return start(config, target, cacheClock, cacheTicker, Workers.newExecutor(), Tracing.fromEnvironment());
  }

  /**
   * Like {@link #start(GatewayConfig, UpstreamTarget)}, with {@code workers} running upstream
   * calls and cache refreshes (tests pass an executor they control, to decide when a call's work
   * starts). The gateway shuts it down.
   */
  public static Gateway start(GatewayConfig config, UpstreamTarget target, ExecutorService workers) throws IOException {
    return start(config, target, Clock.systemUTC(), Ticker.systemTicker(), workers, Tracing.fromEnvironment());
  }

  /**
   * Every seam at once, for tests: the caches' time, the workers (shut down by the gateway) and
   * the tracing (closed by the gateway).
   */
  public static Gateway start(GatewayConfig config, UpstreamTarget target, Clock cacheClock, Ticker cacheTicker,
      ExecutorService workers, Tracing tracing) throws IOException {
    return start(config, target, cacheClock, cacheTicker, workers, tracing, Gateway::nettyTransport);
  }

  /**
   * As above, serving on the server builder {@code transport} makes: {@link #nettyTransport} in
   * production; tests that are not about the transport pass an in-process builder. The builder
   * brings the transport's settings; {@link GatewayServices#bindTo} adds what the gateway serves.
   */
  public static Gateway start(GatewayConfig config, UpstreamTarget target, Clock cacheClock, Ticker cacheTicker,
      ExecutorService workers, Tracing tracing, Function<GatewayConfig, ServerBuilder<?>> transport)
      throws IOException {
    GatewayThreads threads = new GatewayThreads(workers);
    try {
      threads.own(Stage.TRACING, "tracing", tracing::close);
      return start(config, target, cacheClock, cacheTicker, threads, tracing, transport);
    } catch (IOException | RuntimeException e) {
      threads.close(); // whatever had started, in the shutdown order
      throw e;
    }
  }

  private static Gateway start(GatewayConfig config, UpstreamTarget target, Clock cacheClock, Ticker cacheTicker,
      GatewayThreads threads, Tracing tracing, Function<GatewayConfig, ServerBuilder<?>> transport)
      throws IOException {
    ExecutorService workers = threads.workers();
    target.apiKey().ifPresent(Redactor::addConfiguredKey);
    LogSetup.limitTransportLogs(); // a client's malformed frames must not flood the log
    Clock clock = Clock.systemUTC();
    String version = version();
    GatewayMetrics metrics = threads.own(Stage.METRICS, "metrics", new GatewayMetrics());
    // The simulator's key is not the operator's: in simulator mode the key is "not configured".
    UpstreamHealth upstreamHealth = new UpstreamHealth(target.apiKey().isPresent() && !target.simulator());
    OpenRouterClient client;
    try {
      client = new OpenRouterClient(target, config.upstream().siteUrl(), config.upstream().siteName(), version,
          UpstreamObserver.both(metrics, upstreamHealth), config.upstream().http2PriorKnowledge(),
          Policies.upstreamLimits(config.upstream()), tracing);
    } catch (IllegalArgumentException e) { // settings the client refuses: a start-up error (exit 2)
      throw new ConfigException(e.getMessage());
    }
    OpenRouterClient upstream = threads.own(Stage.UPSTREAM_CLIENT, "upstream client", client);
    StatusMapper statusMapper = new StatusMapper(clock);
    ChatPolicy chatPolicy = Policies.chat(config.chat());
    RetryPolicy retryPolicy = Policies.retry(config.upstream());
    StreamWatchdog watchdog = new StreamWatchdog(config.chat().ttftTimeout(), config.chat().streamIdleTimeout());
    threads.every(Stage.SCHEDULER, "stream watchdog", StreamWatchdog.TICK, StreamWatchdog.TICK, watchdog::check);
    ChatRunner runner = new ChatRunner(upstream::newChatCall, chatPolicy,
        retryPolicy, watchdog, clock, metrics);
    GenerationLookup generations = new GenerationLookup(upstream, retryPolicy, clock);
    CallCosts costs = threads.own(Stage.COST_LOOKUPS, "cost lookups", new CallCosts(generations, metrics));
    // Every cache is built here, on the same clock and ticker (tests move them by hand).
    CacheSettings cache = config.cache();
    ModelCatalog catalog = new ModelCatalog(upstream,
        snapshotCache("model catalogue", cache.modelsTtl(), MAX_CATALOGUE_KEYS, cache, workers, cacheClock, cacheTicker));
    CreditsService credits = new CreditsService(upstream,
        snapshotCache("credits", cache.creditsTtl(), MAX_ACCOUNT_KEYS, cache, workers, cacheClock, cacheTicker),
        snapshotCache("key info", cache.creditsTtl(), MAX_ACCOUNT_KEYS, cache, workers, cacheClock, cacheTicker),
        new LowBalanceAlarm(config.operations().lowBalanceThreshold()));
    ModelCatalog userCatalog = new ModelCatalog(upstream,
        snapshotCache("models for the key", cache.modelsTtl(), MAX_CATALOGUE_KEYS, cache, workers, cacheClock, cacheTicker),
        ModelCatalog.USER_PATH);
    ModelCatalog embeddingModels = new ModelCatalog(upstream,
        snapshotCache("embedding models", cache.modelsTtl(), MAX_CATALOGUE_KEYS, cache, workers, cacheClock, cacheTicker),
        ModelCatalog.EMBEDDINGS_PATH);
    ModelEndpoints modelEndpoints = new ModelEndpoints(upstream,
        snapshotCache("model endpoints", cache.endpointsTtl(), MAX_ENDPOINT_LISTINGS, cache, workers, cacheClock, cacheTicker));
    ProviderDirectory providers = new ProviderDirectory(upstream,
        snapshotCache("providers", cache.modelsTtl(), MAX_ACCOUNT_KEYS, cache, workers, cacheClock, cacheTicker));
    EmbeddingsGrpcService embeddingsService = new EmbeddingsGrpcService(
        new EmbedRequestValidator(config.embeddings().defaultModel(), config.embeddings().maxInputs(),
            config.embeddings().maxRequestBytes()),
        new EmbedRunner(upstream, retryPolicy, clock),
        embeddingModels, statusMapper, workers, config.chat().timeout());
    // The caches report their state to the detailed health check and the cache-age gauges.
    ModelsHealthSource models = () -> {
      ModelCatalog.Health h = catalog.health();
      return Optional.of(new ModelsHealthSource.ModelsStatus(h.loaded(), h.count(), h.cacheAge(), h.stale()));
    };
    CreditsHealthSource creditsHealth = () -> {
      CreditsService.Health h = credits.health();
      return Optional.of(new CreditsHealthSource.CreditsStatus(h.remaining(), h.threshold(), h.cacheAge()));
    };
    HealthGrpcService detailedHealth =
        new HealthGrpcService(target, version, clock, upstreamHealth, models, creditsHealth);
    HealthStatusManager health = new HealthStatusManager();
    metrics.cacheAge("models", () -> models.status().flatMap(ModelsHealthSource.ModelsStatus::cacheAge));
    metrics.cacheAge("credits", () -> creditsHealth.status().flatMap(CreditsHealthSource.CreditsStatus::cacheAge));
    metrics.preregisterRateLimited(SERVICE_NAMES);

    Optional<CallerRegistry> callers = Policies.callers(config.security());
    if (callers.isEmpty()) {
      log.warn("GATEWAY_API_KEYS_FILE is not set: callers are not authenticated. Set it, or"
          + " authenticate callers in front of the gateway (e.g. mTLS in a mesh).");
    } else {
      log.info("caller authentication on: {} callers from {}", callers.get().size(), config.security().apiKeysFile().get());
    }
    // Several replicas share rate limits, callers' slots and spend through Redis when one is set.
    Optional<SharedState> shared = Policies.redis(config.fleet())
        .map(redis -> threads.own(Stage.SHARED_STATE, "shared state", SharedState.start(redis, metrics)));
    shared.ifPresent(state -> {
      detailedHealth.sharedState(state::problem);
      metrics.sharedStateUp(() -> state.problem().isEmpty());
      log.info("shared state in Redis: {}", config.fleet());
    });
    Optional<RedisRateLimitStore> sharedBuckets = shared.map(RedisRateLimitStore::new);
    Optional<RedisCallerSlots> sharedSlots = shared.map(RedisCallerSlots::new);
    Optional<RedisSpendLedger> sharedLedger = shared.map(state -> new RedisSpendLedger(state, clock));
    RateLimiter rateLimiter = new RateLimiter(Policies.rateLimits(config.security()),
        sharedBuckets.<RateLimitStore>map(b -> b).orElseGet(LocalRateLimitStore::new));
    // With shared state, chat calls take their token with their other limits: one Redis round trip.
    CallerInterceptor callerInterceptor = new CallerInterceptor(callers, rateLimiter,
        config.security().allowCallerKeys(), statusMapper, metrics,
        shared.isPresent() ? Set.of(MethodFamily.CHAT) : Set.of());
    ConcurrencyLimits concurrency = new ConcurrencyLimits(config.security().maxConcurrentStreams(), config.security().maxStreamsPerCaller(),
        sharedSlots.<CallerSlots>map(s -> s).orElseGet(LocalCallerSlots::new));
    Budgets budgets = new Budgets(config.fleet().defaultBudget(),
        sharedLedger.<SpendLedger>map(l -> l).orElseGet(() -> new InMemorySpendLedger(clock)),
        clock, metrics, callers.isPresent());
    ChatAdmission admission = shared.isPresent()
        ? new RedisChatAdmission(shared.get(), rateLimiter, sharedBuckets.get(), budgets, sharedLedger.get(),
            sharedSlots.get(), concurrency, () -> metrics.rateLimited(ChatServiceGrpc.SERVICE_NAME))
        : new LocalChatAdmission(budgets, concurrency);
    // A cost read from /generation after the call ended (its usage never came) is charged late;
    // a cost from the usage was charged when the call ended.
    costs.subscribe(cost -> {
      if (cost.source() == openrouter.gateway.server.chat.CallCost.Source.GENERATION) {
        budgets.charge(cost.callerId(), cost.costUsd());
      }
    });

    ConnectionSettings c = config.server().connections();
    ChatGrpcService chatService = new ChatGrpcService(new ChatRequestValidator(chatPolicy, Policies.inputLimits(config.chat())), runner,
        generations, costs, statusMapper, workers, admission, config.chat().timeout());
    List<io.grpc.ServerInterceptor> interceptors = new java.util.ArrayList<>(List.of(
        // The last interceptor registered runs first: the caller check runs inside the access
        // log, so calls it refuses (authentication, rate limits) are logged too.
        callerInterceptor,
        new MetadataLimitInterceptor(c.maxInboundMetadataBytes(), statusMapper),
        new AccessLogInterceptor(AccessLogInterceptor.Lines.parse(config.operations().accessLog()))));
    if (tracing.on()) {
      // Outermost: the access line and everything else run inside the call's span.
      interceptors.add(new TracingServerInterceptor(tracing, AccessLogInterceptor::reason));
    }
    GatewayServices services = new GatewayServices(
        // Redis calls block (bounded by GATEWAY_REDIS_TIMEOUT_MS): never on a Netty event loop.
        // Without Redis nothing in a callback blocks, so it runs on the event loop, no hop.
        shared.isPresent() ? Optional.of(workers) : Optional.empty(),
        c.maxInboundMessageBytes(),
        metrics.grpc(),
        interceptors,
        List.of(
            ServiceDefinitions.strict(chatService, statusMapper),
            ServiceDefinitions.strict(
                new ModelsGrpcService(catalog, userCatalog, modelEndpoints, providers, statusMapper), statusMapper),
            ServiceDefinitions.strict(embeddingsService, statusMapper),
            ServiceDefinitions.strict(new CreditsGrpcService(credits, statusMapper, budgets), statusMapper),
            ServiceDefinitions.strict(detailedHealth, statusMapper),
            health.getHealthService().bindService(),
            ProtoReflectionServiceV1.newInstance().bindService(),
            ProtoReflectionService.newInstance().bindService()));

    // The metrics endpoint starts before the gRPC server, so the start-up can be scraped.
    Optional<MetricsHttpServer> metricsServer = Optional.empty();
    if (config.operations().metricsPort().isPresent()) {
      try {
        ExecutorService scrapes = threads.singleThread(Stage.METRICS_SERVER, "metrics-http");
        metricsServer = Optional.of(threads.own(Stage.METRICS_SERVER, "metrics endpoint",
            MetricsHttpServer.start(config.server().host(), config.operations().metricsPort().getAsInt(), metrics, scrapes)));
      } catch (IOException | RuntimeException e) {
        failIfPortInUse(e, "GATEWAY_METRICS_PORT", config.server().host(), config.operations().metricsPort().getAsInt());
        throw e;
      }
    }
    ServerBuilder<?> builder = transport.apply(config);
    services.bindTo(builder);
    Server server;
    try {
      server = builder.build().start();
    } catch (IOException | RuntimeException e) {
      failIfPortInUse(e, "GATEWAY_PORT", config.server().host(), config.server().port());
      throw e;
    }
    threads.own(Stage.GRPC_SERVER, "gRPC server", () -> {
      server.shutdownNow();
      server.awaitTermination(5, TimeUnit.SECONDS);
    });
    metrics.grpc().preregister(server.getServices());
    for (String service : SERVICE_NAMES) {
      health.setStatus(service, ServingStatus.SERVING);
    }
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
    // A rejected key is the one thing retrying cannot fix: the services that need it say so.
    // The whole server ("") stays SERVING, so liveness and readiness never depend on OpenRouter.
    upstreamHealth.onKeyStateChange(() -> {
      ServingStatus s = upstreamHealth.keyState() == KeyState.KEY_STATE_REJECTED
          ? ServingStatus.NOT_SERVING : ServingStatus.SERVING;
      NEED_THE_KEY.forEach(service -> health.setStatus(service, s));
    });

    if (!config.operations().probeInterval().isZero()) {
      // The first probe at once, so a wrong base URL shows in the start-up log.
      UpstreamProber prober = new UpstreamProber(upstream, upstreamHealth, config.operations().probeTimeout(), clock);
      threads.every(Stage.PROBES, "upstream probe", Duration.ZERO, config.operations().probeInterval(), prober::probeOnce);
    }
    metrics.lostSpans(tracing::lostSpans);
    return new Gateway(server, health, detailedHealth, chatService, threads, metrics, metricsServer,
        upstreamHealth, costs);
  }

  /**
   * The production transport: Netty on the configured address, TLS, keepalive, HTTP/2 limits and
   * connection ages. What is served comes from {@link GatewayServices#bindTo}.
   */
  public static NettyServerBuilder nettyTransport(GatewayConfig config) {
    InetSocketAddress address = new InetSocketAddress(config.server().host(), config.server().port());
    NettyServerBuilder builder;
    try {
      builder = NettyServerBuilder.forAddress(address, credentials(config.server().tls()));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("GATEWAY_TLS_CERT / GATEWAY_TLS_KEY cannot be used for TLS (" + e.getMessage()
          + "): they must be a PEM certificate chain and its PEM PKCS#8 private key");
    }
    ConnectionSettings c = config.server().connections();
    builder
        .keepAliveTime(c.keepAliveTime().isZero() ? Long.MAX_VALUE : c.keepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
        .keepAliveTimeout(c.keepAliveTimeout().toNanos(), TimeUnit.NANOSECONDS)
        .permitKeepAliveTime(c.permitKeepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
        .permitKeepAliveWithoutCalls(c.permitKeepAliveWithoutCalls())
        // GATEWAY_MAX_INBOUND_METADATA_BYTES itself is checked per call by MetadataLimitInterceptor.
        .maxInboundMetadataSize(MetadataLimitInterceptor.transportCeiling(c.maxInboundMetadataBytes()));
    if (c.maxRstFramesPerWindow() > 0) {
      // HTTP/2 rapid reset (CVE-2023-44487): GOAWAY to a client that resets streams en masse.
      builder.maxRstFramesPerWindow(c.maxRstFramesPerWindow(), c.rstFramesWindowSeconds());
    }
    if (!c.maxConnectionIdle().isZero()) {
      builder.maxConnectionIdle(c.maxConnectionIdle().toNanos(), TimeUnit.NANOSECONDS);
    }
    if (!c.maxConnectionAge().isZero()) {
      builder.maxConnectionAge(c.maxConnectionAge().toNanos(), TimeUnit.NANOSECONDS);
      if (!c.maxConnectionAgeGrace().isZero()) {
        builder.maxConnectionAgeGrace(c.maxConnectionAgeGrace().toNanos(), TimeUnit.NANOSECONDS);
      }
    }
    return builder;
  }

  private static ServerCredentials credentials(TlsSettings tls) {
    if (!tls.enabled()) {
      return InsecureServerCredentials.create();
    }
    try {
      TlsServerCredentials.Builder b = TlsServerCredentials.newBuilder()
          .keyManager(tls.cert().get().toFile(), tls.key().get().toFile());
      if (tls.clientCa().isPresent()) {
        b.trustManager(tls.clientCa().get().toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
      }
      return b.build();
    } catch (IOException e) {
      throw new ConfigException("GATEWAY_TLS_*: cannot read a TLS file: " + e.getMessage());
    }
  }

  /** A port that cannot be bound is a configuration problem (one line, exit 2), not a crash. */
  private static void failIfPortInUse(Throwable e, String setting, String host, int port) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      // Netty's native transport reports EADDRINUSE as its own exception, not a BindException.
      if (t instanceof java.net.BindException
          || String.valueOf(t.getMessage()).contains("Address already in use")) {
        throw new ConfigException(setting + " " + port + " cannot be used on " + host + " ("
            + t.getMessage() + "): another process has it, or pick another port");
      }
    }
  }

  public static String version() {
    String v = Gateway.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  public int port() {
    return server.getPort();
  }

  /** The port of the Prometheus endpoint, when there is one. */
  public Optional<Integer> metricsPort() {
    return metricsServer.map(MetricsHttpServer::port);
  }

  public GatewayMetrics metrics() {
    return metrics;
  }

  /** Where the cost of every chat generation is reported; {@link CallCosts#subscribe} to hear it. */
  public CallCosts callCosts() {
    return costs;
  }

  public UpstreamHealth upstreamHealth() {
    return upstreamHealth;
  }

  /**
   * The shutdown sequence: (1) health NOT_SERVING (standard and detailed), so balancers and
   * watchers stop sending; (2) no new calls (GOAWAY, listener closed); (3) calls in flight get
   * {@code grace} to finish (health Watch streams excepted: they never end by themselves);
   * (4) chat calls still running end UNAVAILABLE (GATEWAY_SHUTTING_DOWN, so callers retry
   * elsewhere) and their upstream requests are cancelled; anything else left is cancelled;
   * (5) everything else closes in the order of {@link GatewayThreads.Stage}: the cost lookups,
   * the HTTP client, the scheduler, the workers, tracing, Redis, last the metrics endpoint.
   */
  public void shutdown(Duration grace) {
    long start = System.nanoTime();
    detailedHealth.markShuttingDown();
    health.enterTerminalState();
    server.shutdown(); // at once after NOT_SERVING: a call that saw SERVING can still slip in
    threads.closeThrough(Stage.PROBES); // a late probe could no longer change the health anyway
    log.info("shutdown: health NOT_SERVING, new calls refused; draining {} call(s) for up to {} ms",
        metrics.grpc().callsToDrain(), grace.toMillis());
    long deadline = start + grace.toNanos();
    try {
      while (!server.isTerminated() && metrics.grpc().callsToDrain() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          log.warn("shutdown grace of {} ms passed; cancelling {} call(s) still in flight",
              grace.toMillis(), metrics.grpc().callsToDrain());
          break;
        }
        server.awaitTermination(Math.min(left, TimeUnit.MILLISECONDS.toNanos(20)), TimeUnit.NANOSECONDS);
      }
      if (metrics.grpc().callsToDrain() > 0 && chatService.endForShutdown() > 0) {
        // Let the ended chat calls send their status (bounded: they only have to unwind).
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (metrics.grpc().callsToDrain() > 0 && System.nanoTime() < until) {
          server.awaitTermination(20, TimeUnit.MILLISECONDS);
        }
      }
      server.shutdownNow(); // ends what is left: health watches, or other calls past the grace
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("gRPC server did not terminate within 5 s of being forced");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
    threads.close(); // everything else, in the order of GatewayThreads.Stage
    log.info("shutdown: done in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  @Override
  public void close() {
    shutdown(Duration.ZERO);
  }

  private static <V> SnapshotCache<V> snapshotCache(String name, Duration ttl, int maxKeys, CacheSettings cache,
      ExecutorService workers, Clock clock, Ticker ticker) {
    return new SnapshotCache<>(name, ttl, cache.maxStaleness(), cache.minRefreshInterval(), maxKeys, workers,
        clock, ticker);
  }
}
