package openrouter.gateway.server.chat;

import static openrouter.gateway.server.testing.Requests.chat;
import static openrouter.gateway.server.testing.Requests.detail;
import static openrouter.gateway.server.testing.Requests.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.ResourceInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.net.URI;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.TestKeys;
import openrouter.gateway.simulator.OpenRouterSimulator;
import openrouter.gateway.simulator.SimulatorOptions;
import openrouter.gateway.v1.ChatResponse;
import openrouter.gateway.v1.ChatSummary;
import openrouter.gateway.v1.GetGenerationRequest;
import openrouter.gateway.v1.Generation;
import openrouter.gateway.v1.StreamChatResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ChatService.GetGeneration against the simulator, whose /generation answers 404 for a while
 * after a completion, like OpenRouter's eventually consistent stats.
 */
class GetGenerationTest {
  /**
   * The simulator's 404 window: 2 s, not the default 300 ms, so the first lookup right after a
   * completion falls inside it unless the machine stalls for seconds between two calls (at 300
   * ms a busy machine's first lookup could already find the stats, one lookup instead of two).
   */
  private static final java.time.Duration STATS_DELAY = java.time.Duration.ofSeconds(2);

  private static OpenRouterSimulator sim;
  private static GatewayHarness h;

  @BeforeAll
  static void start() throws Exception {
    sim = OpenRouterSimulator.start(SimulatorOptions.builder().generationStatsDelay(STATS_DELAY).build());
    h = GatewayHarness.inProcess().withUpstream(URI.create(sim.baseUrl()), TestKeys.GATEWAY);
  }

  @AfterAll
  static void stop() throws Exception {
    h.close();
    sim.close();
  }

  private static Generation lookup(String id, long deadlineMillis) {
    return h.chat().withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
        .getGeneration(GetGenerationRequest.newBuilder().setId(id).build()).getGeneration();
  }

  @Test
  void findsTheStatsRightAfterACompletionByRetryingTheBrief404() {
    ChatResponse answer = h.chat().chat(chat("sim/echo", "count these five words"));
    ChatSummary summary = answer.getSummary();
    int before = sim.requestCount("/generation");

    // A deadline that only bounds a failure: the gateway waits 100, 200, 400, 800, 1000 ms
    // between lookups, so the stats 2 s after the completion are found by the sixth at most.
    Generation g = lookup(summary.getGenerationId(), 30_000);

    int lookups = sim.requestCount("/generation") - before;
    assertThat(lookups).as("the first lookups met the 404 window").isBetween(2, 6);
    assertThat(g.getId()).isEqualTo(summary.getGenerationId());
    assertThat(g.getModel()).isEqualTo("sim/echo");
    assertThat(g.getProviderName()).isEqualTo(summary.getProvider());
    assertThat(g.getTotalCost()).isEqualTo(summary.getUsage().getCost());
    assertThat(g.getTokensCompletion()).isEqualTo(summary.getUsage().getCompletionTokens());
    assertThat(g.getTokensPrompt()).isEqualTo(summary.getUsage().getPromptTokens());
    assertThat(g.getFinishReason()).isEqualTo("stop");
    assertThat(g.getStreamed()).isFalse();
    assertThat(g.getCancelled()).isFalse();
    assertThat(g.getLatencyMs()).isGreaterThanOrEqualTo(0);
    assertThat(g.hasCreatedAt()).isTrue();
    assertThat(g.getRaw().getFieldsMap()).containsKeys("provider_responses", "upstream_id", "api_type");
  }

  @Test
  void findsAStreamedGeneration() {
    List<StreamChatResponse> messages = new ArrayList<>();
    h.chat().streamChat(chat("sim/reasoning", "think first")).forEachRemaining(messages::add);
    ChatSummary summary = messages.get(messages.size() - 1).getSummary();

    Generation g = lookup(summary.getGenerationId(), 30_000);
    assertThat(g.getStreamed()).isTrue();
    assertThat(g.getModel()).isEqualTo("sim/reasoning");
    assertThat(g.getNativeTokensReasoning()).isPositive();
  }

  @Test
  void anUnknownIdIsNotFoundOnceTheDeadlineLeavesNoRoomForAnotherTry() {
    String id = "gen-0000000000-doesnotexistanywhere";
    int before = sim.requestCount("/generation");

    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> lookup(id, 1200));

    // NOT_FOUND, not DEADLINE_EXCEEDED: the gateway ended the call before the caller's deadline.
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    ErrorInfo info = errorInfo(e);
    assertThat(info.getReason()).isEqualTo("GENERATION_NOT_FOUND");
    assertThat(info.getDomain()).isEqualTo("openrouter.ai");
    int lookups = sim.requestCount("/generation") - before;
    assertThat(info.getMetadataMap()).containsEntry("attempts", Integer.toString(lookups));
    // 100, 200, 400 ms of backoff fit 1.2 s, 800 more do not: never more than 5 tries, and at
    // least one retry (fewer fit when the machine makes each lookup slow).
    assertThat(lookups).isBetween(2, 5);
    ResourceInfo resource = detail(e, ResourceInfo.class);
    assertThat(resource.getResourceType()).isEqualTo("generation");
    assertThat(resource.getResourceName()).isEqualTo(id);
  }

  @Test
  void anUnknownIdSaysWhatToCheckAndEndsWithinTheShortDefaultWindow() {
    String id = "gen-0000000000-nosuchgenerationatall";
    int before = sim.requestCount("/generation");
    // No deadline on the call: the gateway's own lookup window applies.
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> openrouter.gateway.v1.ChatServiceGrpc.newBlockingStub(h.channel)
            .getGeneration(openrouter.gateway.v1.GetGenerationRequest.newBuilder().setId(id).build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(errorInfo(e).getReason()).isEqualTo("GENERATION_NOT_FOUND");
    assertThat(e.getStatus().getDescription()).contains("check that the id is the generation_id")
        .doesNotContain("model id");
    // 100, 200, 400, 800, 1000 ms between lookups: a 3 s window has room for at most 6 of them.
    assertThat(sim.requestCount("/generation") - before).isBetween(1, 6);
  }

  @Test
  void anEmptyIdIsInvalidAndNeverReachesOpenRouter() {
    int before = sim.requestCount("/generation");
    for (String id : List.of("", "   ", "gen-with space")) {
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> lookup(id, 2000));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(detail(e, BadRequest.class).getFieldViolations(0).getField()).isEqualTo("id");
    }
    assertThat(sim.requestCount("/generation")).isEqualTo(before);
  }
}
