package openrouter.gateway.server;

import static openrouter.gateway.server.testing.Requests.chat;
import static openrouter.gateway.server.testing.Requests.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import openrouter.gateway.server.simulator.RecordedRequest;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.StreamCollector;
import org.junit.jupiter.api.Test;

/** The end of the shutdown sequence, in process: what the grace leaves is cancelled upstream too. */
class ShutdownTest {
  @Test
  void callsStillRunningAfterTheGraceAreCancelledAndSoAreTheirUpstreamRequests() throws Exception {
    try (GatewayHarness h = GatewayHarness.withSimulator()) {
      StreamCollector stream = new StreamCollector();
      h.chatAsync().streamChat(chat("sim/slow", "w ".repeat(60).trim(), Map.of()), stream);
      assertThat(stream.firstMessage.await(10, TimeUnit.SECONDS)).isTrue();
      RecordedRequest upstream = h.simulator.requests().stream()
          .filter(r -> r.path().equals("/chat/completions")).findFirst().orElseThrow();

      long start = System.nanoTime();
      h.gateway.shutdown(Duration.ofMillis(300));
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

      assertThat(tookMs).as("grace, then prompt cancellation").isBetween(250L, 3_000L);
      assertThat(stream.await().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      var info = errorInfo((StatusRuntimeException) stream.error());
      assertThat(info.getReason()).isEqualTo("GATEWAY_SHUTTING_DOWN");
      assertThat(info.getDomain()).isEqualTo("openrouter-grpc-gateway");
      assertThat(stream.error()).hasMessageContaining("GATEWAY_SHUTDOWN_GRACE_MS");
      long closedAt = upstream.closedAtNanos().get(5, TimeUnit.SECONDS);
      assertThat(upstream.clientDisconnected()).as("the upstream request was cancelled, not finished").isTrue();
      assertThat(TimeUnit.NANOSECONDS.toMillis(closedAt - start)).isLessThan(3_000);
    }
  }

  @Test
  void withNothingInFlightShutdownDoesNotWaitForTheGrace() throws Exception {
    try (GatewayHarness h = GatewayHarness.withSimulator()) {
      h.chat().chat(chat("sim/echo", "done before"));
      long start = System.nanoTime();
      h.gateway.shutdown(Duration.ofSeconds(20));
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2_000);
    }
  }
}
