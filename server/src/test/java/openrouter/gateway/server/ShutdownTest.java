package openrouter.gateway.server;

import static openrouter.gateway.server.testing.Requests.chat;
import static openrouter.gateway.server.testing.Requests.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import openrouter.gateway.simulator.RecordedRequest;
import openrouter.gateway.simulator.testing.Eventually;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.StreamCollector;
import org.junit.jupiter.api.Test;

/** The end of the shutdown sequence, in process: what the grace leaves is cancelled upstream too. */
class ShutdownTest {
  @Test
  void callsStillRunningAfterTheGraceAreCancelledAndSoAreTheirUpstreamRequests() throws Exception {
    try (GatewayHarness h = GatewayHarness.withSimulator()) {
      StreamCollector stream = new StreamCollector();
      // Endless: only the gateway's cancellation can end it.
      h.chatAsync().streamChat(chat("sim/stall", "hang", Map.of()), stream);
      assertThat(stream.firstMessage.await(Eventually.DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
      RecordedRequest upstream = h.simulator.requests().stream()
          .filter(r -> r.path().equals("/chat/completions")).findFirst().orElseThrow();

      long start = System.nanoTime();
      h.gateway.shutdown(Duration.ofMillis(300));
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

      assertThat(tookMs).as("the shutdown waited for the grace").isGreaterThanOrEqualTo(250L);
      assertThat(stream.await().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      var info = errorInfo((StatusRuntimeException) stream.error());
      assertThat(info.getReason()).isEqualTo("GATEWAY_SHUTTING_DOWN");
      assertThat(info.getDomain()).isEqualTo("openrouter-grpc-gateway");
      assertThat(stream.error()).hasMessageContaining("GATEWAY_SHUTDOWN_GRACE_MS");
      upstream.closedAtNanos().get(Eventually.DEADLINE.toSeconds(), TimeUnit.SECONDS);
      assertThat(upstream.clientDisconnected()).as("the upstream request was cancelled, not finished").isTrue();
    }
  }

  @Test
  void withNothingInFlightShutdownDoesNotWaitForTheGrace() throws Exception {
    try (GatewayHarness h = GatewayHarness.withSimulator()) {
      h.chat().chat(chat("sim/echo", "done before"));
      // A grace far beyond the wait below: a shutdown that waited for it would fail the join.
      Thread stopper = new Thread(() -> h.gateway.shutdown(Duration.ofMinutes(10)));
      stopper.start();
      stopper.join(Eventually.DEADLINE.toMillis());
      assertThat(stopper.isAlive()).as("shutdown returned without waiting for the grace").isFalse();
    }
  }
}
