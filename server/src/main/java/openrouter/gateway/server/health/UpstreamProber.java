package openrouter.gateway.server.health;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Response;
import openrouter.gateway.server.upstream.NotOpenRouter;
import openrouter.gateway.server.upstream.OpenRouterClient;

/**
 * The bounded background probe: every interval, one {@code GET /key} with the gateway's key (a
 * few hundred bytes, free, and it tells whether the key is accepted), bounded by its own
 * timeout, on one daemon thread. Never a chat call. Its result only feeds {@link
 * UpstreamHealth}: an unreachable upstream degrades the detailed report and never fails a
 * liveness or readiness probe. The first probe runs at start-up, so a base URL that does not
 * point at OpenRouter's API ({@link NotOpenRouter}) shows in the start-up log.
 */
public final class UpstreamProber implements AutoCloseable {
  private final OpenRouterClient client;
  private final UpstreamHealth health;
  private final Duration timeout;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;

  private UpstreamProber(OpenRouterClient client, UpstreamHealth health, Duration timeout, Clock clock) {
    this.client = client;
    this.health = health;
    this.timeout = timeout;
    this.clock = clock;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "upstream-probe");
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts probing at once, then every {@code interval}; a zero interval starts nothing. */
  public static Optional<UpstreamProber> start(
      OpenRouterClient client, UpstreamHealth health, Duration interval, Duration timeout, Clock clock) {
    if (interval.isZero()) {
      return Optional.empty();
    }
    UpstreamProber prober = new UpstreamProber(client, health, timeout, clock);
    prober.scheduler.scheduleWithFixedDelay(prober::probeOnce, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return Optional.of(prober);
  }

  void probeOnce() {
    Call call = client.newGetCall("/key", Optional.empty());
    call.timeout().timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    long start = System.nanoTime();
    UpstreamHealth.Probe probe;
    try (Response response = call.execute()) {
      Duration latency = Duration.ofNanos(System.nanoTime() - start);
      int code = response.code();
      Optional<String> notOpenRouter = NotOpenRouter.inKeyAnswer(response);
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
    health.probed(probe);
  }

  private String describe(Exception e) {
    // OkHttp's call timeout cancels the call and throws InterruptedIOException("timeout").
    if (e instanceof java.io.InterruptedIOException && "timeout".equals(e.getMessage())) {
      return "no answer within " + timeout.toMillis() + " ms (GATEWAY_HEALTH_PROBE_TIMEOUT_MS)";
    }
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
