package openrouter.gateway.server.health;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import openrouter.gateway.server.errors.Redactor;
import openrouter.gateway.server.upstream.UpstreamObserver;
import openrouter.gateway.v1.KeyState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the gateway knows about its upstream: the last background probe and whether OpenRouter
 * accepts the gateway's key. The probe feeds it, and so does every upstream exchange (as an
 * {@link UpstreamObserver}): a 401 to any request made with the gateway's key marks the key
 * REJECTED at once; a 200 from an endpoint that checks the key ({@code /key}, {@code
 * /chat/completions}) marks it ACCEPTED again.
 *
 * <p>Both facts live in one immutable {@link State} swapped atomically, and the probe publishes
 * its answer and the key verdict that answer implies in the same swap: a reader never sees a
 * key rejected by the probe next to a probe that has not answered yet.
 */
public final class UpstreamHealth implements UpstreamObserver {
  private static final Logger log = LoggerFactory.getLogger(UpstreamHealth.class);

  /**
   * One probe's outcome. {@code error} is empty when the upstream answered sensibly;
   * {@code notOpenRouter} says something answered, but not OpenRouter's API (wrong base URL).
   * The error is redacted here, once: it quotes the upstream's bytes (OkHttp's messages do) and
   * goes to the health report and the log.
   */
  public record Probe(boolean reachable, Duration latency, Instant at, String error, boolean notOpenRouter) {
    public Probe {
      error = Redactor.redact(error);
    }

    public Probe(boolean reachable, Duration latency, Instant at, String error) {
      this(reachable, latency, at, error, false);
    }

    static Probe notOpenRouter(Duration latency, Instant at, String error) {
      return new Probe(false, latency, at, error, true);
    }
  }

  /** The key state and the last probe (null before the first), always read together. */
  public record State(KeyState keyState, Probe lastProbe) {
    public Optional<Probe> probe() {
      return Optional.ofNullable(lastProbe);
    }
  }

  private final boolean keyConfigured;
  private final List<Runnable> keyStateListeners = new CopyOnWriteArrayList<>();
  private final AtomicReference<State> state;

  /** @param keyConfigured whether the operator configured OPENROUTER_API_KEY */
  public UpstreamHealth(boolean keyConfigured) {
    this.keyConfigured = keyConfigured;
    this.state = new AtomicReference<>(new State(
        keyConfigured ? KeyState.KEY_STATE_UNSPECIFIED : KeyState.KEY_STATE_NOT_CONFIGURED, null));
  }

  /** One consistent view of the key state and the last probe. */
  public State state() {
    return state.get();
  }

  public KeyState keyState() {
    return state.get().keyState();
  }

  public Optional<Probe> lastProbe() {
    return state.get().probe();
  }

  /** Runs {@code listener} after every change of the key state. */
  public void onKeyStateChange(Runnable listener) {
    keyStateListeners.add(listener);
  }

  /**
   * The probe's outcome and the HTTP status it got (0 when none): both are published at once.
   * The probe's own exchange reaches {@link #probeExchange} and changes nothing, so its key
   * verdict is applied here, together with the probe.
   */
  void probed(Probe probe, int httpStatus) {
    State previous = update(s -> new State(keyVerdict(s.keyState(), "/key", httpStatus), probe));
    Probe before = previous.lastProbe();
    if (probe.notOpenRouter()) {
      if (before == null || !before.notOpenRouter()) {
        log.error("OPENROUTER_BASE_URL looks wrong: {}. Every call will fail FAILED_PRECONDITION"
            + " UPSTREAM_BASE_URL_WRONG until it is fixed.", probe.error());
      }
    } else if (before == null || before.reachable() != probe.reachable() || before.notOpenRouter()) {
      if (probe.reachable()) {
        log.info("upstream reachable (probe took {} ms)", probe.latency().toMillis());
      } else {
        log.warn("upstream unreachable: {}", probe.error());
      }
    }
  }

  @Override
  public void exchange(
      String endpoint, String method, int httpStatus, String errorType, boolean gatewayKey, long nanos) {
    if (!gatewayKey || !keyConfigured) {
      return;
    }
    update(s -> new State(keyVerdict(s.keyState(), endpoint, httpStatus), s.lastProbe()));
  }

  @Override
  public void probeExchange(String endpoint, String method, int httpStatus, String errorType, long nanos) {
    // The prober reports this exchange through probed(), with the probe's outcome.
  }

  private KeyState keyVerdict(KeyState current, String endpoint, int httpStatus) {
    if (!keyConfigured) {
      return current;
    }
    if (httpStatus == 401) {
      return KeyState.KEY_STATE_REJECTED;
    }
    if (httpStatus == 200 && (endpoint.equals("/key") || endpoint.equals("/chat/completions"))) {
      return KeyState.KEY_STATE_ACCEPTED;
    }
    return current;
  }

  /** Swaps in {@code change(current)} atomically, reports a key state change, returns the state before. */
  private State update(UnaryOperator<State> change) {
    State previous;
    State next;
    do {
      previous = state.get();
      next = change.apply(previous);
    } while (!state.compareAndSet(previous, next));
    keyStateChanged(previous.keyState(), next.keyState());
    return previous;
  }

  private void keyStateChanged(KeyState previous, KeyState next) {
    if (previous == next) {
      return;
    }
    if (next == KeyState.KEY_STATE_REJECTED) {
      log.error("OpenRouter rejected the gateway's API key (HTTP 401): chat and credits report"
          + " NOT_SERVING until OPENROUTER_API_KEY is fixed");
    } else if (previous == KeyState.KEY_STATE_REJECTED) {
      log.info("OpenRouter accepts the gateway's API key again");
    }
    keyStateListeners.forEach(Runnable::run);
  }
}
