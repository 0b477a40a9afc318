package openrouter.gateway.server.spend;

import static openrouter.gateway.server.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.math.BigDecimal;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import openrouter.gateway.server.chat.CallCost;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.RedisServer;
import openrouter.gateway.server.testing.StreamCollector;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.CreditsServiceGrpc;
import openrouter.gateway.v1.GetSpendRequest;
import openrouter.gateway.v1.StreamChatResponse;
import org.junit.jupiter.api.Test;

/**
 * Streams that fail or are cancelled after the upstream started are charged to the caller's
 * budget what OpenRouter billed, learned from /generation in the background: in memory and in
 * Redis. GetSpend (authentication off: the anonymous caller) shows the charge.
 */
class FailedStreamSpendTest {

  @Test
  void aMidStreamFailureAndACancelledStreamAreChargedInMemory() throws Exception {
    try (GatewayHarness h = GatewayHarness.inProcess().withSimulator("GATEWAY_BUDGET", "25/1d")) {
      chargesFailedAndCancelledStreams(h);
    }
  }

  @Test
  void aMidStreamFailureAndACancelledStreamAreChargedInRedis() throws Exception {
    try (RedisServer redis = RedisServer.start();
        GatewayHarness h = GatewayHarness.inProcess().withSimulator("GATEWAY_BUDGET", "25/1d",
            "GATEWAY_REDIS_URL", redis.url(), "GATEWAY_REDIS_TIMEOUT_MS", "2000")) {
      chargesFailedAndCancelledStreams(h);
    }
  }

  private static void chargesFailedAndCancelledStreams(GatewayHarness h) throws Exception {
    BlockingQueue<CallCost> costs = new LinkedBlockingQueue<>();
    h.gateway.callCosts().subscribe(costs::add);
    var credits = CreditsServiceGrpc.newBlockingStub(h.channel);
    assertThat(new BigDecimal(credits.getSpend(GetSpendRequest.getDefaultInstance()).getSpent())).isZero();

    StreamCollector failed = new StreamCollector();
    h.chatAsync().streamChat(chat("sim/error-midstream", "a b c d e"), failed);
    assertThat(failed.await().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    CallCost first = costs.poll(60, TimeUnit.SECONDS);
    assertThat(first).as("the failed stream's cost").isNotNull();
    assertThat(first.source()).isEqualTo(CallCost.Source.GENERATION);

    AtomicReference<ClientCallStreamObserver<ChatRequest>> call = new AtomicReference<>();
    class Cancelling extends StreamCollector implements ClientResponseObserver<ChatRequest, StreamChatResponse> {
      @Override
      public void beforeStart(ClientCallStreamObserver<ChatRequest> requestStream) {
        call.set(requestStream);
      }
    }
    Cancelling cancelled = new Cancelling();
    h.chatAsync().streamChat(chat("sim/slow", "a b c d e f g h i j", Map.of("sim_chunk_delay_ms", "200")), cancelled);
    assertThat(cancelled.firstMessage.await(30, TimeUnit.SECONDS)).isTrue();
    call.get().cancel("the caller gives up", null);
    assertThat(cancelled.await().getCode()).isEqualTo(Status.Code.CANCELLED);
    CallCost second = costs.poll(60, TimeUnit.SECONDS);
    assertThat(second).as("the cancelled stream's cost").isNotNull();
    assertThat(second.source()).isEqualTo(CallCost.Source.GENERATION);

    BigDecimal billed = first.costUsd().add(second.costUsd());
    assertThat(billed).isPositive();
    // The charge follows the listener's report on the lookup thread: poll GetSpend until it shows.
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    BigDecimal spent;
    while ((spent = new BigDecimal(credits.getSpend(GetSpendRequest.getDefaultInstance()).getSpent())).compareTo(billed) < 0) {
      assertThat(System.nanoTime()).as("spent " + spent + " reaches " + billed).isLessThan(until);
      Thread.sleep(50);
    }
    assertThat(spent).isEqualByComparingTo(billed);
  }
}
