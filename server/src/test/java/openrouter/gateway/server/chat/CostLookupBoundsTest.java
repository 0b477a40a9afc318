package openrouter.gateway.server.chat;

import static openrouter.gateway.server.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.grpc.Status;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import openrouter.gateway.simulator.SimulatorKeys;
import openrouter.gateway.simulator.testing.CapturedLogs;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.Prometheus;
import openrouter.gateway.server.testing.StreamCollector;
import org.junit.jupiter.api.Test;

/**
 * The background /generation lookup of a failed stream's cost is bounded: when OpenRouter never
 * knows the generation (404 every time), the lookup gives up after at most
 * GenerationLookup.MAX_ATTEMPTS requests, logs cost_unknown and counts it, and the call itself
 * had ended long before.
 */
class CostLookupBoundsTest {
  private static final String TRUNCATED = ": OPENROUTER PROCESSING\n\n"
      + "data: {\"id\":\"gen-never-known\",\"model\":\"m/ok\",\"provider\":\"P\",\"choices\":[{\"index\":0,"
      + "\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}\n\n";

  @Test
  void aGenerationOpenRouterNeverKnowsIsLookedUpABoundedNumberOfTimesThenReportedUnknown() throws Exception {
    AtomicInteger lookups = new AtomicInteger();
    try (MockWebServer upstream = new MockWebServer();
        CapturedLogs costLines = new CapturedLogs(CallCosts.LOGGER, Level.INFO)) {
      upstream.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          if (request.getUrl().encodedPath().endsWith("/generation")) {
            lookups.incrementAndGet();
            return new MockResponse.Builder().code(404).addHeader("Content-Type", "application/json")
                .body("{\"error\":{\"code\":404,\"message\":\"Generation not found\"}}").build();
          }
          return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream").body(TRUNCATED).build();
        }
      });
      upstream.start(InetAddress.getLoopbackAddress(), 0);
      try (GatewayHarness h = GatewayHarness.inProcess().withUpstream(upstream.url("/api/v1").uri(), SimulatorKeys.DEFAULT)) {
        StreamCollector c = new StreamCollector();
        h.chatAsync().streamChat(chat("m/ok", "hi"), c);
        assertThat(c.await().getCode()).isEqualTo(Status.Code.UNAVAILABLE); // truncated: no finish, no [DONE]

        // The lookup may take up to its own 30 s bound (after a 1 s start delay): wait longer than that.
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(90);
        while (costLines.linesWith("generation_id=gen-never-known").isEmpty()) {
          assertThat(System.nanoTime()).as("a cost line for gen-never-known within 90 s").isLessThan(until);
          Thread.sleep(50);
        }
        String line = costLines.linesWith("generation_id=gen-never-known").get(0);
        assertThat(line).contains("event=cost_unknown");
        assertThat(lookups.get()).as("404s are retried, a bounded number of times")
            .isBetween(2, GenerationLookup.MAX_ATTEMPTS);
        assertThat(Prometheus.value(h.scrape(), "gateway_chat_cost_lookups_total", "outcome", "not_found")).isEqualTo(1.0);
      }
    }
  }
}
