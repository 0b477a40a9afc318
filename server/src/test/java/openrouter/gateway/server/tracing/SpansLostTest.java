package openrouter.gateway.server.tracing;

import static openrouter.gateway.server.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.OtlpReceiver;
import openrouter.gateway.simulator.testing.Eventually;
import org.junit.jupiter.api.Test;

/**
 * Export is bounded: a collector that does not answer never fails a call, and the spans the
 * BatchSpanProcessor's full queue drops are counted in {@code gateway_trace_spans_lost_total},
 * exactly: every span the gateway made is either received by the collector or counted lost.
 */
class SpansLostTest {
  private static final int CALLS = 20;

  @Test
  void spansDroppedByAFullQueueAreCountedAndWhatWasNotLostArrives() throws Exception {
    try (OtlpReceiver receiver = new OtlpReceiver()) {
      receiver.hold(); // exports wait unanswered: the queue fills behind the first one
      GatewayHarness h = GatewayHarness.withSimulator(
          "OTEL_TRACES_EXPORTER", "otlp",
          "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.grpcEndpoint(),
          "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc",
          "OTEL_BSP_MAX_QUEUE_SIZE", "4",
          "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "2",
          "OTEL_BSP_SCHEDULE_DELAY", "10",
          // Held exports must not time out: a span would then be both lost and (once released) received.
          "OTEL_BSP_EXPORT_TIMEOUT", "300000",
          "OTEL_EXPORTER_OTLP_TIMEOUT", "300000");
      long lostWhileHeld;
      try {
        for (int i = 0; i < CALLS; i++) {
          assertThat(h.chat().chat(chat("sim/echo", "call " + i)).getSummary().getFinishReason()).isEqualTo("stop");
        }
        // Each call ended at least its upstream attempt span before answering: 20 or more spans
        // against room for 4 queued and 2 in the unanswered export.
        lostWhileHeld = lost(h.scrape());
        assertThat(lostWhileHeld).isPositive();
      } finally {
        receiver.release();
        h.close(); // exports what is still queued, then stops the SDK
      }
      // One server span per call and one client span per upstream request (calls and the
      // gateway's own reads); each was received or counted lost, never both.
      long produced = CALLS + h.simulator.requests().size();
      long lost = lost(h.gateway.metrics().scrape());
      assertThat(lost).isGreaterThanOrEqualTo(lostWhileHeld);
      // Awaited: close() waits a bounded time for the last exports, which a busy machine can
      // finish after it returned.
      long accounted = Eventually.await("every span received or counted lost",
          () -> receiver.spans().size() + lost(h.gateway.metrics().scrape()), n -> n >= produced);
      assertThat(accounted).isEqualTo(produced);
    }
  }

  private static long lost(String prometheus) {
    Matcher m = Pattern.compile("(?m)^gateway_trace_spans_lost_total(?:\\{[^}]*})? (\\S+)$").matcher(prometheus);
    assertThat(m.find()).as("gateway_trace_spans_lost_total in\n%s", prometheus).isTrue();
    return (long) Double.parseDouble(m.group(1));
  }
}
