package openrouter.gateway.server.chat;

import static net.logstash.logback.argument.StructuredArguments.keyValue;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.Redactor;
import openrouter.gateway.server.upstream.wire.OpenRouterError;
import openrouter.gateway.server.upstream.CallControl;
import openrouter.gateway.v1.Generation;
import openrouter.gateway.v1.Usage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Learns the cost of every chat generation, whatever the call's outcome. When a call ends,
 * {@link #settle} reports the usage that arrived; each generation that started (the upstream
 * answered 200) but whose usage never came, because the stream failed, timed out or was
 * cancelled, is looked up with {@code GET /generation} in the background: OpenRouter billed it
 * anyway.
 *
 * <p>The lookups never hold a gRPC call open: they run on {@value #LOOKUP_THREADS} threads of
 * their own, start {@link #FIRST_LOOKUP_DELAY} after the call ended, at most {@value
 * #QUEUE_CAPACITY} waiting (more are dropped and counted), each bounded by {@link GenerationLookup}'s attempts and by {@link #LOOKUP_TIME}.
 * A cost learned this way cannot be in the call's access line, which is already written: it
 * gets a line of its own (logger {@value #LOGGER}) with the same {@code request_id}, and goes
 * to the cost counter, the token histogram and every {@link CallCostListener}.
 */
public final class CallCosts implements AutoCloseable {
  public static final String LOGGER = "openrouter.gateway.cost";
  static final int LOOKUP_THREADS = 2;
  static final int QUEUE_CAPACITY = 1024;
  /**
   * OpenRouter's /generation answers 404 for a moment after a generation ended: the first
   * lookup waits this long, so it rarely needs a retry.
   */
  static final Duration FIRST_LOOKUP_DELAY = Duration.ofSeconds(1);
  /** Total time for one background lookup, its 404 retries included. */
  static final Duration LOOKUP_TIME = Duration.ofSeconds(30);
  /** MDC entries a background line keeps from the call (the trace it belongs to). */
  private static final List<String> LINKED_MDC = List.of("trace_id", "span_id");
  private static final Logger log = LoggerFactory.getLogger(LOGGER);

  private final GenerationLookup lookup;
  private final ChatMetrics metrics;
  private final List<CallCostListener> listeners = new CopyOnWriteArrayList<>();
  private final Set<CallControl> running = ConcurrentHashMap.newKeySet();
  private final ScheduledThreadPoolExecutor lookups;
  private final AtomicInteger queued = new AtomicInteger();

  public CallCosts(GenerationLookup lookup, ChatMetrics metrics) {
    this.lookup = lookup;
    this.metrics = metrics;
    AtomicInteger n = new AtomicInteger();
    this.lookups = new ScheduledThreadPoolExecutor(LOOKUP_THREADS, r -> {
      Thread t = new Thread(r, "cost-lookup-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    lookups.setRemoveOnCancelPolicy(true);
  }

  /** Adds a listener that hears every cost from now on (e.g. a budget ledger). */
  public void subscribe(CallCostListener listener) {
    listeners.add(listener);
  }

  /**
   * Called once when a chat call ended, on any outcome: reports the usage that arrived and
   * queues a lookup for each generation whose usage did not.
   */
  public void settle(String callerId, String requestId, ChatStats stats, Optional<String> callerKey) {
    Usage usage = stats.usage();
    if (usage != null) {
      cost(usage.getCost()).ifPresent(cost -> tell(new CallCost(callerId, requestId, stats.generationId(),
          stats.model(), usage.getPromptTokens(), usage.getCompletionTokens(), cost, CallCost.Source.USAGE)));
    }
    List<String> unknown = stats.unsettledGenerations();
    if (unknown.isEmpty()) {
      return;
    }
    Map<String, String> linked = linkedMdc();
    // The lookups' HTTP spans join the call's trace (after its span ended) when tracing is on.
    io.opentelemetry.context.Context trace = io.opentelemetry.context.Context.current();
    for (String generationId : unknown) {
      if (queued.incrementAndGet() > QUEUE_CAPACITY) {
        queued.decrementAndGet();
        drop(requestId, generationId);
        continue;
      }
      try {
        lookups.schedule(trace.wrap(() -> {
          queued.decrementAndGet();
          lookUp(callerId, requestId, generationId, callerKey, linked);
        }), FIRST_LOOKUP_DELAY.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException closed) {
        queued.decrementAndGet();
        drop(requestId, generationId);
      }
    }
  }

  private void drop(String requestId, String generationId) {
    metrics.costLookup("dropped");
    log.warn("{} {} {}", keyValue("event", "cost_lookup_dropped"), keyValue("request_id", requestId),
        keyValue("generation_id", Redactor.redact(generationId)));
  }

  private void lookUp(String callerId, String requestId, String generationId, Optional<String> callerKey,
      Map<String, String> linked) {
    linked.forEach(MDC::put);
    CallControl control = new CallControl(LOOKUP_TIME, false);
    running.add(control);
    try {
      Generation g = lookup.find(generationId, callerKey, control);
      Usage usage = Usage.newBuilder()
          .setPromptTokens(g.getTokensPrompt())
          .setCompletionTokens(g.getTokensCompletion())
          .setTotalTokens(g.getTokensPrompt() + g.getTokensCompletion())
          .setCost(g.getTotalCost())
          .build();
      metrics.costLookup("found");
      metrics.usageLearnedLater(g.getModel(), usage);
      log.info("{} {} {} {} {} {} {} {}",
          keyValue("event", "cost_learned"),
          keyValue("source", "generation"),
          keyValue("generation_id", Redactor.redact(generationId)),
          keyValue("model", Redactor.redact(g.getModel())),
          keyValue("prompt_tokens", usage.getPromptTokens()),
          keyValue("completion_tokens", usage.getCompletionTokens()),
          keyValue("cost_usd", usage.getCost().isEmpty() ? null : usage.getCost()),
          keyValue("request_id", requestId));
      cost(usage.getCost()).ifPresent(cost -> tell(new CallCost(callerId, requestId, generationId, g.getModel(),
          usage.getPromptTokens(), usage.getCompletionTokens(), cost, CallCost.Source.GENERATION)));
    } catch (GatewayFailure f) {
      boolean notFound = f.upstreamError().map(OpenRouterError::effectiveStatus).orElse(0) == 404;
      metrics.costLookup(notFound ? "not_found" : "failed");
      log.warn("{} {} {} {}", keyValue("event", "cost_unknown"), keyValue("generation_id", Redactor.redact(generationId)),
          keyValue("cause", Redactor.redact(f.getMessage())), keyValue("request_id", requestId));
    } finally {
      running.remove(control);
      MDC.clear();
    }
  }

  private void tell(CallCost cost) {
    for (CallCostListener listener : listeners) {
      try {
        listener.cost(cost);
      } catch (RuntimeException e) {
        log.warn("a cost listener failed ({}); the others still hear every cost", e.getClass().getSimpleName());
      }
    }
  }

  private static Optional<BigDecimal> cost(String text) {
    if (text == null || text.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new BigDecimal(text));
    } catch (NumberFormatException notANumber) {
      return Optional.empty();
    }
  }

  private static Map<String, String> linkedMdc() {
    Map<String, String> linked = new java.util.HashMap<>(2);
    for (String key : LINKED_MDC) {
      String v = MDC.get(key);
      if (v != null) {
        linked.put(key, v);
      }
    }
    return linked;
  }

  /** Cancels the lookups in flight and drops the queued ones (at shutdown). */
  @Override
  public void close() {
    lookups.shutdownNow();
    running.forEach(CallControl::cancel);
  }
}
