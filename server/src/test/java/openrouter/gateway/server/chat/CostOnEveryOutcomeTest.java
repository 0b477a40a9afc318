package openrouter.gateway.server.chat;

import static openrouter.gateway.server.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import com.google.rpc.ErrorInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import java.math.BigDecimal;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import openrouter.gateway.simulator.testing.CapturedLogs;
import openrouter.gateway.simulator.testing.Eventually;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.Prometheus;
import openrouter.gateway.server.testing.Requests;
import openrouter.gateway.server.testing.StreamCollector;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.ChatServiceGrpc;
import openrouter.gateway.v1.Generation;
import openrouter.gateway.v1.GetGenerationRequest;
import openrouter.gateway.v1.StreamChatResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cost of a chat call is learned on every outcome: from the usage when it arrived, otherwise
 * from the simulator's /generation in the background, and it reaches the listeners, the
 * metrics and a log line linked to the call's request id.
 */
class CostOnEveryOutcomeTest {
  private static final Metadata.Key<String> REQUEST_ID =
      Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
  private static GatewayHarness h;
  private static final BlockingQueue<CallCost> costs = new LinkedBlockingQueue<>();
  private CapturedLogs costLines;

  @BeforeAll
  static void start() throws Exception {
    h = GatewayHarness.inProcess().withSimulator();
    h.gateway.callCosts().subscribe(costs::add);
  }

  @AfterAll
  static void stop() throws Exception {
    h.close();
  }

  @BeforeEach
  void capture() {
    costs.clear();
    costLines = new CapturedLogs(CallCosts.LOGGER, Level.INFO);
  }

  @AfterEach
  void release() {
    costLines.close();
  }

  private static ChatServiceGrpc.ChatServiceStub async(String requestId) {
    Metadata m = new Metadata();
    m.put(REQUEST_ID, requestId);
    return h.chatAsync().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
  }

  private static CallCost nextCost(String requestId) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < until) {
      CallCost c = costs.poll(1, TimeUnit.SECONDS);
      if (c != null && c.requestId().equals(requestId)) {
        return c;
      }
    }
    throw new AssertionError("no cost reported for " + requestId);
  }

  private static Generation generation(String id) {
    return h.chat().getGeneration(GetGenerationRequest.newBuilder().setId(id).build()).getGeneration();
  }

  @Test
  void aCompletedStreamReportsTheCostOfItsUsage() throws Exception {
    String requestId = "cost-ok-" + UUID.randomUUID();
    StreamCollector c = new StreamCollector();
    async(requestId).streamChat(chat("sim/echo", "one two three"), c);
    assertThat(c.await().getCode()).isEqualTo(Status.Code.OK);
    var summary = c.messages.get(c.messages.size() - 1).getSummary();

    CallCost cost = nextCost(requestId);
    assertThat(cost.source()).isEqualTo(CallCost.Source.USAGE);
    assertThat(cost.generationId()).isEqualTo(summary.getGenerationId());
    assertThat(cost.callerId()).isEqualTo("anonymous");
    assertThat(cost.costUsd()).isEqualByComparingTo(new BigDecimal(summary.getUsage().getCost()));
    assertThat(cost.promptTokens()).isEqualTo(summary.getUsage().getPromptTokens());
    assertThat(cost.completionTokens()).isEqualTo(summary.getUsage().getCompletionTokens());
  }

  @Test
  void aMidStreamErrorReportsTheGenerationIdAndItsCostIsLearnedFromGeneration() throws Exception {
    String requestId = "cost-midstream-" + UUID.randomUUID();
    double costBefore = Prometheus.value(h.scrape(), "gateway_chat_cost_usd_total", "gen_ai_response_model", "sim/error-midstream");
    double outputTokensBefore = outputTokens("sim/error-midstream");
    StreamCollector c = new StreamCollector();
    async(requestId).streamChat(chat("sim/error-midstream", "a b c d e"), c);
    assertThat(c.await().getCode()).isNotEqualTo(Status.Code.OK);
    ErrorInfo info = Requests.errorInfo((StatusRuntimeException) c.error());
    String generationId = info.getMetadataOrThrow("generationId");
    assertThat(info.getMetadataMap()).doesNotContainKey("costUsd"); // no usage had arrived

    CallCost cost = nextCost(requestId);
    assertThat(cost.source()).isEqualTo(CallCost.Source.GENERATION);
    assertThat(cost.generationId()).isEqualTo(generationId);
    Generation billed = generation(generationId);
    assertThat(cost.costUsd()).isPositive().isEqualByComparingTo(new BigDecimal(billed.getTotalCost()));
    assertThat(cost.completionTokens()).isEqualTo(billed.getTokensCompletion()).isPositive();

    String line = costLines.await("request_id=" + requestId, 1).get(0);
    assertThat(line).contains("event=cost_learned", "generation_id=" + generationId,
        "cost_usd=" + billed.getTotalCost(), "completion_tokens=" + billed.getTokensCompletion());
    double costAfter = Prometheus.value(h.scrape(), "gateway_chat_cost_usd_total", "gen_ai_response_model", "sim/error-midstream");
    assertThat(costAfter - (Double.isNaN(costBefore) ? 0 : costBefore))
        .isCloseTo(billed.getTotalCost().isEmpty() ? 0 : Double.parseDouble(billed.getTotalCost()),
            org.assertj.core.data.Offset.offset(1e-12));
    assertThat(Prometheus.value(h.scrape(), "gateway_chat_cost_lookups_total", "outcome", "found")).isPositive();
    // The tokens learned from /generation reach the token histogram too.
    assertThat(outputTokens("sim/error-midstream") - (Double.isNaN(outputTokensBefore) ? 0 : outputTokensBefore))
        .isEqualTo((double) billed.getTokensCompletion());
  }

  private static double outputTokens(String model) throws Exception {
    return Prometheus.value(h.scrape(), "gen_ai_client_token_usage_sum", "gen_ai_response_model", model,
        "gen_ai_token_type", "output");
  }

  @Test
  void aCancelledStreamStillLearnsWhatWasGeneratedBeforeTheCancel() throws Exception {
    String requestId = "cost-cancel-" + UUID.randomUUID();
    AtomicReference<ClientCallStreamObserver<ChatRequest>> call = new AtomicReference<>();
    class Cancelling extends StreamCollector implements ClientResponseObserver<ChatRequest, StreamChatResponse> {
      @Override
      public void beforeStart(ClientCallStreamObserver<ChatRequest> requestStream) {
        call.set(requestStream);
      }
    }
    Cancelling c = new Cancelling();
    // 3 s between chunks: still running when cancelled, however slow the machine.
    async(requestId).streamChat(chat("sim/slow", "one two three four five six seven eight nine ten",
        Map.of("sim_chunk_delay_ms", "3000")), c);
    assertThat(c.firstMessage.await(Eventually.DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
    call.get().cancel("the test cancels", null);
    assertThat(c.await().getCode()).isEqualTo(Status.Code.CANCELLED);

    CallCost cost = nextCost(requestId);
    assertThat(cost.source()).isEqualTo(CallCost.Source.GENERATION);
    Generation billed = generation(cost.generationId());
    assertThat(billed.getCancelled()).isTrue();
    assertThat(cost.costUsd()).isPositive().isEqualByComparingTo(new BigDecimal(billed.getTotalCost()));
    assertThat(costLines.await("request_id=" + requestId, 1).get(0))
        .contains("event=cost_learned", "generation_id=" + cost.generationId());
  }

  @Test
  void aCallerDeadlineMidStreamStillLearnsTheCost() throws Exception {
    String requestId = "cost-deadline-" + UUID.randomUUID();
    StreamCollector c = new StreamCollector();
    // The deadline passes mid-stream however fast or slow the machine: it leaves 5 s for the
    // first chunk (sent at once), and the next one comes 30 s later. At 700 ms, a busy machine
    // could pass it before the upstream answered, and there was no generation to look up.
    async(requestId).withDeadlineAfter(5, TimeUnit.SECONDS)
        .streamChat(chat("sim/slow", "a b c d e f g h i j", Map.of("sim_chunk_delay_ms", "30000")), c);
    assertThat(c.await().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);

    CallCost cost = nextCost(requestId);
    assertThat(cost.source()).isEqualTo(CallCost.Source.GENERATION);
    assertThat(cost.costUsd()).isEqualByComparingTo(new BigDecimal(generation(cost.generationId()).getTotalCost()));
  }

  @Test
  void aFailureBeforeTheUpstreamAnsweredCostsNothingAndLooksNothingUp() throws Exception {
    String requestId = "cost-refused-" + UUID.randomUUID();
    Metadata m = new Metadata();
    m.put(REQUEST_ID, requestId);
    var e = catchThrowableOfType(() -> h.chat().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m))
        .chat(chat("sim/error-400", "hi")), StatusRuntimeException.class);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    // A later call's cost arrives; none came for the refused one before it.
    String after = "cost-after-" + UUID.randomUUID();
    Metadata m2 = new Metadata();
    m2.put(REQUEST_ID, after);
    h.chat().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m2)).chat(chat("sim/echo", "x"));
    CallCost next = costs.poll(30, TimeUnit.SECONDS);
    assertThat(next).isNotNull();
    assertThat(next.requestId()).isEqualTo(after);
  }
}
