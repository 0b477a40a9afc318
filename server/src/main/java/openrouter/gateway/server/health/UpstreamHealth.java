package openrouter.gateway.server.health;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
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
 */
public final class UpstreamHealth implements UpstreamObserver {
  private static final Logger log = LoggerFactory.getLogger(UpstreamHealth.class);

  /** One probe's outcome. {@code error} is empty when the upstream answered sensibly. */
  public record Probe(boolean reachable, Duration latency, Instant at, String error) {}

  private final boolean keyConfigured;
  private final List<Runnable> keyStateListeners = new CopyOnWriteArrayList<>();
  private volatile KeyState keyState;
  private volatile Probe lastProbe;

  /** @param keyConfigured whether the operator configured OPENROUTER_API_KEY */
  public UpstreamHealth(boolean keyConfigured) {
    this.keyConfigured = keyConfigured;
    this.keyState = keyConfigured ? KeyState.KEY_STATE_UNSPECIFIED : KeyState.KEY_STATE_NOT_CONFIGURED;
  }

  public KeyState keyState() {
    return keyState;
  }

  public Optional<Probe> lastProbe() {
    return Optional.ofNullable(lastProbe);
  }

  /** Runs {@code listener} after every change of the key state. */
  public void onKeyStateChange(Runnable listener) {
    keyStateListeners.add(listener);
  }

  void probed(Probe probe) {
    Probe previous = lastProbe;
    lastProbe = probe;
    if (previous == null || previous.reachable() != probe.reachable()) {
      if (probe.reachable()) {
        log.info("upstream reachable (probe took {} ms)", probe.latency().toMillis());
      } else {
        log.warn("upstream unreachable: {}", Redactor.redact(probe.error()));
      }
    }
  }

  @Override
  public void exchange(
      String endpoint, String method, int httpStatus, String errorType, boolean gatewayKey, long nanos) {
    if (!gatewayKey || !keyConfigured) {
      return;
    }
    if (httpStatus == 401) {
      setKeyState(KeyState.KEY_STATE_REJECTED);
    } else if (httpStatus == 200 && (endpoint.equals("/key") || endpoint.equals("/chat/completions"))) {
      setKeyState(KeyState.KEY_STATE_ACCEPTED);
    }
  }

  private void setKeyState(KeyState next) {
    KeyState previous = keyState;
    if (previous == next) {
      return;
    }
    keyState = next;
    if (next == KeyState.KEY_STATE_REJECTED) {
      log.error("OpenRouter rejected the gateway's API key (HTTP 401): chat and credits report"
          + " NOT_SERVING until OPENROUTER_API_KEY is fixed");
    } else if (previous == KeyState.KEY_STATE_REJECTED) {
      log.info("OpenRouter accepts the gateway's API key again");
    }
    keyStateListeners.forEach(Runnable::run);
  }
}
