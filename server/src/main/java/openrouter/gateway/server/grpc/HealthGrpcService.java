package openrouter.gateway.server.grpc;

import com.google.protobuf.util.Durations;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import openrouter.gateway.server.upstream.UpstreamTarget;
import openrouter.gateway.v1.CheckRequest;
import openrouter.gateway.v1.CheckResponse;
import openrouter.gateway.v1.HealthServiceGrpc;
import openrouter.gateway.v1.KeyState;
import openrouter.gateway.v1.OverallStatus;
import openrouter.gateway.v1.UpstreamMode;

/**
 * The detailed health report. It reads only in-process state, so it answers at once even when
 * OpenRouter is down.
 */
public final class HealthGrpcService extends HealthServiceGrpc.HealthServiceImplBase {
  private final UpstreamTarget target;
  private final String version;
  private final Instant startedAt;
  private final Clock clock;
  private volatile boolean shuttingDown;

  public HealthGrpcService(UpstreamTarget target, String version, Clock clock) {
    this.target = target;
    this.version = version;
    this.clock = clock;
    this.startedAt = clock.instant();
  }

  /** From now on the report says NOT_SERVING. */
  public void markShuttingDown() {
    shuttingDown = true;
  }

  @Override
  public void check(CheckRequest request, StreamObserver<CheckResponse> observer) {
    CheckResponse.Builder r = CheckResponse.newBuilder()
        .setMode(target.simulator() ? UpstreamMode.UPSTREAM_MODE_SIMULATOR : UpstreamMode.UPSTREAM_MODE_LIVE)
        .setUpstreamBaseUrl(target.baseUrl().toString())
        .setKeyState(target.apiKey().isPresent() ? KeyState.KEY_STATE_UNSPECIFIED : KeyState.KEY_STATE_NOT_CONFIGURED)
        .setVersion(version)
        .setUptime(Durations.fromMillis(Duration.between(startedAt, clock.instant()).toMillis()));
    if (shuttingDown) {
      r.setStatus(OverallStatus.OVERALL_STATUS_NOT_SERVING).addProblems("the gateway is shutting down");
    } else {
      r.setStatus(OverallStatus.OVERALL_STATUS_SERVING);
    }
    observer.onNext(r.build());
    observer.onCompleted();
  }
}
