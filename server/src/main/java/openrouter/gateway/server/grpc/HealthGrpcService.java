package openrouter.gateway.server.grpc;

import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import openrouter.gateway.server.health.CreditsHealthSource;
import openrouter.gateway.server.health.ModelsHealthSource;
import openrouter.gateway.server.health.UpstreamHealth;
import openrouter.gateway.server.upstream.UpstreamTarget;
import openrouter.gateway.v1.CheckRequest;
import openrouter.gateway.v1.CheckResponse;
import openrouter.gateway.v1.CreditsHealth;
import openrouter.gateway.v1.HealthServiceGrpc;
import openrouter.gateway.v1.KeyState;
import openrouter.gateway.v1.ModelsHealth;
import openrouter.gateway.v1.OverallStatus;
import openrouter.gateway.v1.UpstreamMode;
import openrouter.gateway.v1.UpstreamProbe;
import openrouter.gateway.v1.UpstreamProbeResult;

/**
 * The detailed health report. It reads only in-process state (the last background probe, the
 * key state, the caches), so it answers at once even when OpenRouter is down.
 *
 * <p>NOT_SERVING: shutting down, or OpenRouter rejected the gateway's key (an operator must act).
 * DEGRADED: serving, but the last probe could not reach OpenRouter, the catalogue is stale
 * (its refresh failed), the balance is below its threshold, or the Redis replicas share is
 * unreachable. SERVING otherwise.
 */
public final class HealthGrpcService extends HealthServiceGrpc.HealthServiceImplBase {
  private final UpstreamTarget target;
  private final String version;
  private final Instant startedAt;
  private final Clock clock;
  private final UpstreamHealth upstream;
  private final ModelsHealthSource models;
  private final CreditsHealthSource credits;
  private volatile boolean shuttingDown;
  private volatile Supplier<Optional<String>> sharedState = Optional::empty;

  public HealthGrpcService(UpstreamTarget target, String version, Clock clock, UpstreamHealth upstream,
      ModelsHealthSource models, CreditsHealthSource credits) {
    this.target = target;
    this.version = version;
    this.clock = clock;
    this.startedAt = clock.instant();
    this.upstream = upstream;
    this.models = models;
    this.credits = credits;
  }

  /** A problem of the state replicas share (Redis unreachable) makes the report DEGRADED. */
  public void sharedState(Supplier<Optional<String>> problem) {
    this.sharedState = problem;
  }

  /** From now on the report says NOT_SERVING. */
  public void markShuttingDown() {
    shuttingDown = true;
  }

  @Override
  public void check(CheckRequest request, StreamObserver<CheckResponse> observer) {
    observer.onNext(report());
    observer.onCompleted();
  }

  CheckResponse report() {
    UpstreamHealth.State state = upstream.state(); // one read: the key state and probe agree
    KeyState keyState = state.keyState();
    CheckResponse.Builder r = CheckResponse.newBuilder()
        .setMode(target.simulator() ? UpstreamMode.UPSTREAM_MODE_SIMULATOR : UpstreamMode.UPSTREAM_MODE_LIVE)
        .setUpstreamBaseUrl(target.baseUrl().toString())
        .setKeyState(keyState)
        .setVersion(version)
        .setUptime(Durations.fromMillis(Duration.between(startedAt, clock.instant()).toMillis()));
    boolean notServing = false;
    boolean degraded = false;
    if (shuttingDown) {
      notServing = true;
      r.addProblems("the gateway is shutting down");
    }
    if (keyState == KeyState.KEY_STATE_REJECTED) {
      notServing = true;
      r.addProblems("OpenRouter rejected the gateway's API key (HTTP 401): fix OPENROUTER_API_KEY");
    }
    var probe = state.probe();
    if (probe.isPresent()) {
      UpstreamHealth.Probe p = probe.get();
      r.setUpstream(UpstreamProbe.newBuilder()
          .setReachable(p.reachable())
          .setLatency(Durations.fromNanos(p.latency().toNanos()))
          .setProbedAt(Timestamps.fromMillis(p.at().toEpochMilli()))
          .setLastError(p.error())
          .setResult(p.notOpenRouter() ? UpstreamProbeResult.UPSTREAM_PROBE_RESULT_NOT_OPENROUTER
              : p.reachable() ? UpstreamProbeResult.UPSTREAM_PROBE_RESULT_OK
              : UpstreamProbeResult.UPSTREAM_PROBE_RESULT_FAILED));
      if (p.notOpenRouter()) {
        notServing = true; // every call fails until the base URL is fixed
        r.addProblems("the upstream base URL looks wrong: " + p.error());
      } else if (!p.reachable()) {
        degraded = true;
        r.addProblems("the last upstream probe failed: " + p.error());
      }
    }
    var modelsStatus = models.status();
    if (modelsStatus.isPresent()) {
      ModelsHealthSource.ModelsStatus m = modelsStatus.get();
      ModelsHealth.Builder mh = ModelsHealth.newBuilder().setLoaded(m.loaded()).setCount(m.count());
      m.cacheAge().ifPresent(age -> mh.setCacheAge(Durations.fromMillis(age.toMillis())));
      r.setModels(mh);
      // The catalogue loads on first use, so "not loaded yet" is no problem; a failing refresh is.
      if (m.stale()) {
        degraded = true;
        r.addProblems("the model catalogue is stale: its last refresh from OpenRouter failed");
      }
    }
    var creditsStatus = credits.status();
    if (creditsStatus.isPresent()) {
      CreditsHealthSource.CreditsStatus c = creditsStatus.get();
      CreditsHealth.Builder ch = CreditsHealth.newBuilder()
          .setKnown(c.remaining().isPresent())
          .setAboveThreshold(c.aboveThreshold());
      c.remaining().ifPresent(v -> ch.setRemaining(v.toPlainString()));
      c.lowBalanceThreshold().ifPresent(v -> ch.setLowBalanceThreshold(v.toPlainString()));
      c.cacheAge().ifPresent(age -> ch.setCacheAge(Durations.fromMillis(age.toMillis())));
      r.setCredits(ch);
      if (!c.aboveThreshold()) {
        degraded = true;
        r.addProblems("the credit balance " + c.remaining().get().toPlainString()
            + " USD is below the low-balance threshold of " + c.lowBalanceThreshold().get().toPlainString() + " USD");
      }
    }
    Optional<String> shared = sharedState.get();
    if (shared.isPresent()) {
      degraded = true;
      r.addProblems("shared state: " + shared.get());
    }
    r.setStatus(notServing ? OverallStatus.OVERALL_STATUS_NOT_SERVING
        : degraded ? OverallStatus.OVERALL_STATUS_DEGRADED : OverallStatus.OVERALL_STATUS_SERVING);
    return r.build();
  }
}
