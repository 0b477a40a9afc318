package openrouter.gateway.server.metrics;

import com.github.benmanes.caffeine.cache.Cache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import openrouter.gateway.server.chat.ChatMetrics;
import openrouter.gateway.server.shared.SharedState;
import openrouter.gateway.server.spend.SpendObserver;
import openrouter.gateway.server.upstream.UpstreamObserver;
import openrouter.gateway.v1.Usage;

/**
 * The gateway's metrics, one Prometheus registry per gateway. Names follow the OpenTelemetry
 * semantic conventions where they exist ({@code gen_ai.*}, {@code http.client.*}, gRPC's A66
 * {@code grpc.server.*}); Prometheus sees them with dots as underscores and unit suffixes
 * ({@code gen_ai_client_operation_duration_seconds}). docs/operations.md lists every one.
 *
 * <p>Labels never carry a caller's identity, a key or a raw URL; model labels are bounded.
 */
public final class GatewayMetrics implements ChatMetrics, UpstreamObserver, SpendObserver, SharedState.Observer,
    AutoCloseable {
  // OpenTelemetry's advised buckets for the GenAI histograms, in seconds and tokens.
  private static final Duration[] OPERATION_BUCKETS = seconds(
      0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92, 163.84, 327.68);
  private static final Duration[] FIRST_CHUNK_BUCKETS = seconds(
      0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 30.0, 60.0);
  private static final Duration[] CHUNK_GAP_BUCKETS = seconds(
      0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0, 30.0);
  private static final Duration[] REDIS_BUCKETS = seconds(
      0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5);
  private static final double[] TOKEN_BUCKETS = {
      1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304};
  private static final Duration[] UPSTREAM_BUCKETS = GrpcServerMetrics.buckets(
      5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 120_000);

  private final PrometheusMeterRegistry registry;
  private final GrpcServerMetrics grpc;
  private final JvmGcMetrics gcMetrics;
  private final BoundedLabels models = new BoundedLabels(200);
  private final Map<String, Object> meters = new ConcurrentHashMap<>();
  private final Counter attempts;
  private final Counter fallbacks;
  private final Timer chunkGaps;

  public GatewayMetrics() {
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    this.gcMetrics = new JvmGcMetrics();
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmInfoMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    this.grpc = new GrpcServerMetrics(registry);
    this.attempts = Counter.builder("gateway.upstream.attempts")
        .description("Upstream chat attempts (first tries, retries and fallbacks)").register(registry);
    this.fallbacks = Counter.builder("gateway.upstream.fallbacks")
        .description("Moves to the next models of a fallback chain after a failed attempt").register(registry);
    this.chunkGaps = Timer.builder("gen_ai.client.operation.time_per_output_chunk")
        .description("Time the upstream took to send each chunk after the previous one (streaming)")
        .tags("gen_ai.operation.name", "chat")
        .serviceLevelObjectives(CHUNK_GAP_BUCKETS)
        .register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  public GrpcServerMetrics grpc() {
    return grpc;
  }

  /** The Prometheus text exposition of every metric. */
  public String scrape() {
    return registry.scrape();
  }

  /**
   * Hits, misses, loads, evictions and size of a Caffeine cache (built with {@code
   * recordStats()}), under {@code cache_*{cache="name"}}. MERGE POINT for the models and credits
   * caches.
   */
  public void monitorCache(String name, Cache<?, ?> cache) {
    CaffeineCacheMetrics.monitor(registry, cache, name);
  }

  /**
   * {@code gateway_cache_age_seconds{cache="name"}}: how old the cached data is (staleness);
   * NaN while nothing is cached.
   */
  public void cacheAge(String name, Supplier<Optional<Duration>> age) {
    Gauge.builder("gateway.cache.age", age, a -> a.get().map(d -> d.toMillis() / 1000.0).orElse(Double.NaN))
        // Micrometer holds a gauge's object weakly: a lambda only it references would be
        // collected, and the gauge would read NaN from the next GC on.
        .strongReference(true)
        .description("Age of the cached data").baseUnit("seconds").tags("cache", name).register(registry);
  }

  /**
   * {@code gateway_spend_usd_total{caller}}: what callers spent (OpenRouter's reported cost).
   * The one metric labelled by caller: only when a keys file bounds the callers (else "all").
   */
  @Override
  public void charged(String callerLabel, BigDecimal usd) {
    counter("gateway.spend", "What callers spent, as OpenRouter reported each call's cost", "usd",
        Tags.of("caller", callerLabel)).increment(usd.doubleValue());
  }

  /** {@code gateway_budget_refusals_total}: chat calls refused because the caller's budget is spent. */
  @Override
  public void budgetRefused() {
    counter("gateway.budget.refusals", "Chat calls refused because the caller's spend budget is spent", null,
        Tags.empty()).increment();
  }

  /**
   * {@code gateway_redis_duration_seconds{operation,error}}: every Redis call of the shared
   * state, and whether it failed ({@code error="true"} counts Redis errors).
   */
  @Override
  public void redisCall(String operation, long nanos, boolean failed) {
    ((Timer) meters.computeIfAbsent("redis " + operation + ' ' + failed, k -> Timer.builder("gateway.redis.duration")
        .description("Redis calls of the state replicas share, by operation and failure")
        .tags("operation", operation, "error", Boolean.toString(failed))
        .serviceLevelObjectives(REDIS_BUCKETS)
        .register(registry))).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** {@code gateway_shared_state_up}: 1 while the Redis replicas share answers, 0 in an outage. */
  public void sharedStateUp(java.util.function.BooleanSupplier up) {
    Gauge.builder("gateway.shared_state.up", up, u -> u.getAsBoolean() ? 1 : 0)
        .description("Whether the Redis that replicas share answers (1) or not (0)").strongReference(true)
        .register(registry);
  }

  private Counter counter(String name, String description, String unit, Tags tags) {
    return (Counter) meters.computeIfAbsent(name + tags, k -> Counter.builder(name).description(description)
        .baseUnit(unit).tags(tags).register(registry));
  }

  /**
   * Counts one call refused by a rate limit. The counter exists (at 0) for each service from
   * start-up; only the service name is a label, never who called.
   */
  public void rateLimited(String serviceName) {
    rateLimitedCounter(serviceName).increment();
  }

  public void preregisterRateLimited(Iterable<String> serviceNames) {
    serviceNames.forEach(this::rateLimitedCounter);
  }

  private Counter rateLimitedCounter(String serviceName) {
    return (Counter) meters.computeIfAbsent("rl " + serviceName, k -> Counter.builder("gateway.rate_limited.calls")
        .description("Calls refused by a rate limit, by service").tags("grpc.service", serviceName)
        .register(registry));
  }

  /** {@code gateway_trace_spans_lost_total}: spans ended but never received by the collector. */
  private volatile Supplier<Long> lostSpansSource;

  public void lostSpans(Supplier<Long> lost) {
    lostSpansSource = lost; // held here: Micrometer holds a function counter's object weakly
    io.micrometer.core.instrument.FunctionCounter.builder("gateway.trace.spans.lost", lost, l -> l.get())
        .description("Trace spans ended but not received by the collector (failed exports, or dropped by a full export queue)")
        .register(registry);
  }

  // ---- ChatMetrics: hooks from ChatRunner ----

  @Override
  public void attempt() {
    attempts.increment();
  }

  @Override
  public void retry(String cause) {
    ((Counter) meters.computeIfAbsent("retry " + cause, k -> Counter.builder("gateway.upstream.retries")
        .description("Retries of a failed upstream attempt, by the failure that caused them")
        .tags("error.type", cause).register(registry))).increment();
  }

  @Override
  public void fallback() {
    fallbacks.increment();
  }

  @Override
  public void firstChunk(String model, long nanos) {
    String m = models.of(model);
    ((Timer) meters.computeIfAbsent("ttfc " + m, k -> Timer.builder("gen_ai.client.operation.time_to_first_chunk")
        .description("Time from the start of a streaming chat call to its first chunk, retries included")
        .tags("gen_ai.operation.name", "chat", "gen_ai.response.model", m)
        .serviceLevelObjectives(FIRST_CHUNK_BUCKETS)
        .register(registry))).record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void chunkGap(long nanos) {
    chunkGaps.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void finished(boolean streaming, String model, Usage usage, long nanos, String errorType) {
    String m = models.of(model);
    String error = errorType.isEmpty() ? "none" : errorType;
    ((Timer) meters.computeIfAbsent("op " + m + ' ' + error, k -> Timer.builder("gen_ai.client.operation.duration")
        .description("Duration of chat calls, retries and fallbacks included")
        .tags("gen_ai.operation.name", "chat", "gen_ai.response.model", m, "error.type", error)
        .serviceLevelObjectives(OPERATION_BUCKETS)
        .register(registry))).record(nanos, TimeUnit.NANOSECONDS);
    if (usage != null) {
      usage(m, usage);
    }
  }

  @Override
  public void usageLearnedLater(String model, Usage usage) {
    usage(models.of(model), usage);
  }

  @Override
  public void costLookup(String outcome) {
    ((Counter) meters.computeIfAbsent("lookup " + outcome, k -> Counter.builder("gateway.chat.cost.lookups")
        .description("Background GET /generation lookups of the cost of calls that ended without usage, by outcome")
        .tags("outcome", outcome).register(registry))).increment();
  }

  private void usage(String m, Usage usage) {
    tokens(m, "input").record(usage.getPromptTokens());
    tokens(m, "output").record(usage.getCompletionTokens());
    if (!usage.getCost().isEmpty()) {
      try {
        double cost = new BigDecimal(usage.getCost()).doubleValue();
        ((Counter) meters.computeIfAbsent("cost " + m, k -> Counter.builder("gateway.chat.cost.usd")
            .description("Cost of chat calls in USD, as OpenRouter reported it, by model")
            .tags("gen_ai.response.model", m).register(registry))).increment(cost);
      } catch (NumberFormatException ignored) {
        // OpenRouter sent a cost that is not a number: nothing to add
      }
    }
  }

  private DistributionSummary tokens(String model, String type) {
    return (DistributionSummary) meters.computeIfAbsent("tok " + model + ' ' + type,
        k -> DistributionSummary.builder("gen_ai.client.token.usage")
            .description("Tokens per chat call, input (prompt) and output (completion), by model")
            .tags(Tags.of("gen_ai.operation.name", "chat", "gen_ai.response.model", model, "gen_ai.token.type", type))
            .serviceLevelObjectives(TOKEN_BUCKETS)
            .register(registry));
  }

  // ---- UpstreamObserver: every HTTP exchange with OpenRouter ----

  @Override
  public void exchange(
      String endpoint, String method, int httpStatus, String errorType, boolean gatewayKey, long nanos) {
    String status = httpStatus == 0 ? "none" : Integer.toString(httpStatus);
    String error = httpStatus == 0 ? errorType : httpStatus >= 400 ? status : "none";
    ((Timer) meters.computeIfAbsent("http " + endpoint + ' ' + method + ' ' + status + ' ' + error,
        k -> Timer.builder("http.client.request.duration")
            .description("Upstream (OpenRouter) requests until their response headers, by endpoint and HTTP status")
            .tags("url.template", endpoint, "http.request.method", method,
                "http.response.status_code", status, "error.type", error)
            .serviceLevelObjectives(UPSTREAM_BUCKETS)
            .register(registry))).record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void close() {
    gcMetrics.close();
    registry.close();
  }

  private static Duration[] seconds(double... values) {
    Duration[] d = new Duration[values.length];
    for (int i = 0; i < values.length; i++) {
      d[i] = Duration.ofNanos((long) (values[i] * 1e9));
    }
    return d;
  }
}
