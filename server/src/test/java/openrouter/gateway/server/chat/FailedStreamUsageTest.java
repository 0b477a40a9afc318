package openrouter.gateway.server.chat;

import static openrouter.gateway.server.testing.Requests.chat;
import static openrouter.gateway.server.testing.Requests.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.math.BigDecimal;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import openrouter.gateway.simulator.SimulatorKeys;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.StreamCollector;
import org.junit.jupiter.api.Test;

/**
 * A stream that fails after its usage arrived tells the caller what it cost: the ErrorInfo of
 * the failure carries generationId, promptTokens, completionTokens and costUsd, and the cost is
 * the usage's (no /generation lookup needed).
 */
class FailedStreamUsageTest {
  private static final String USAGE_THEN_ERROR = ": OPENROUTER PROCESSING\n\n"
      + "data: {\"id\":\"gen-usage-1\",\"model\":\"m/ok\",\"provider\":\"P\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},"
      + "\"finish_reason\":null}]}\n\n"
      + "data: {\"id\":\"gen-usage-1\",\"model\":\"m/ok\",\"provider\":\"P\",\"choices\":[],"
      + "\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,\"total_tokens\":10,\"cost\":0.00042}}\n\n"
      + "data: {\"id\":\"gen-usage-1\",\"object\":\"chat.completion.chunk\",\"error\":{\"code\":502,\"message\":\"provider went away\"},"
      + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},\"finish_reason\":\"error\"}]}\n\n";

  @Test
  void aStreamFailingAfterItsUsageArrivedReportsTokensAndCostInErrorInfo() throws Exception {
    try (MockWebServer upstream = new MockWebServer()) {
      upstream.start(java.net.InetAddress.getLoopbackAddress(), 0);
      upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
          .body(USAGE_THEN_ERROR).build());
      try (GatewayHarness h = GatewayHarness.inProcess().withUpstream(upstream.url("/api/v1").uri(), SimulatorKeys.DEFAULT)) {
        BlockingQueue<CallCost> costs = new LinkedBlockingQueue<>();
        h.gateway.callCosts().subscribe(costs::add);
        StreamCollector c = new StreamCollector();
        h.chatAsync().streamChat(chat("m/ok", "hi"), c);
        assertThat(c.await().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(c.messages).isNotEmpty(); // the delta reached the caller before the failure

        ErrorInfo info = errorInfo((StatusRuntimeException) c.error());
        assertThat(info.getMetadataMap()).containsEntry("generationId", "gen-usage-1")
            .containsEntry("promptTokens", "7").containsEntry("completionTokens", "3");
        assertThat(new BigDecimal(info.getMetadataOrThrow("costUsd"))).isEqualByComparingTo("0.00042");

        CallCost cost = costs.poll(30, TimeUnit.SECONDS);
        assertThat(cost).isNotNull();
        assertThat(cost.source()).isEqualTo(CallCost.Source.USAGE);
        assertThat(cost.costUsd()).isEqualByComparingTo("0.00042");
        assertThat(cost.generationId()).isEqualTo("gen-usage-1");
      }
    }
  }
}
