package openrouter.gateway.server.health;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Response;
import openrouter.gateway.server.upstream.NotOpenRouter;
import openrouter.gateway.server.upstream.OpenRouterClient;

/**
 * The bounded background probe: every interval, one {@code GET /key} with the gateway's key (a
 * few hundred bytes, free, and it tells whether the key is accepted), bounded by its own
 * timeout, run by the gateway's shared scheduler ({@code GatewayThreads}). Never a chat call. Its result only feeds {@link
 * UpstreamHealth}: an unreachable upstream degrades the detailed report and never fails a
 * liveness or readiness probe. The first probe runs at start-up, so a base URL that does not
 * point at OpenRouter's API ({@link NotOpenRouter}) shows in the start-up log.
 */
public final class UpstreamProber {
  private final OpenRouterClient client;
  private final UpstreamHealth health;
  private final Duration timeout;
  private final Clock clock;

  public UpstreamProber(OpenRouterClient client, UpstreamHealth health, Duration timeout, Clock clock) {
    this.client = client;
    this.health = health;
    this.timeout = timeout;
    this.clock = clock;
  }

  /** One probe: blocks for the exchange (at most the timeout) and reports it to the health. */
  public void probeOnce() {
    Call call = client.newProbeCall("/key");
    call.timeout().timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    long start = System.nanoTime();
    UpstreamHealth.Probe probe;
    int code = 0;
    try (Response response = call.execute()) {
      Duration latency = Duration.ofNanos(System.nanoTime() - start);
      Optional<String> notOpenRouter = NotOpenRouter.inKeyAnswer(response);
      // A redirect or a web page is not OpenRouter's API, so it says nothing about the key.
      code = notOpenRouter.isPresent() ? 0 : response.code();
      // Any answer below 500 (401 included) shows OpenRouter is up; a 5xx shows it is not well;
      // a redirect or a web page shows the base URL does not point at OpenRouter's API.
      probe = notOpenRouter.isPresent()
          ? UpstreamHealth.Probe.notOpenRouter(latency, clock.instant(),
              NotOpenRouter.explain(response, notOpenRouter.get()))
          : code < 500
          ? new UpstreamHealth.Probe(true, latency, clock.instant(), "")
          : new UpstreamHealth.Probe(false, latency, clock.instant(), "GET /key answered HTTP " + code);
    } catch (IOException | RuntimeException e) {
      probe = new UpstreamHealth.Probe(false, Duration.ofNanos(System.nanoTime() - start), clock.instant(),
          "GET /key failed: " + describe(e));
    }
    health.probed(probe, code);
  }

  private String describe(Exception e) {
    // OkHttp's call timeout cancels the call and throws InterruptedIOException("timeout").
    if (e instanceof java.io.InterruptedIOException && "timeout".equals(e.getMessage())) {
      return "no answer within " + timeout.toMillis() + " ms (GATEWAY_HEALTH_PROBE_TIMEOUT_MS)";
    }
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
