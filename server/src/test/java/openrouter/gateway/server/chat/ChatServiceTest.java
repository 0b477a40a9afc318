package openrouter.gateway.server.chat;

import static openrouter.gateway.server.testing.Requests.chat;
import static openrouter.gateway.server.testing.Requests.errorInfo;
import static openrouter.gateway.server.testing.Requests.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.rpc.BadRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import openrouter.gateway.server.json.OpenRouterJson;
import openrouter.gateway.simulator.RecordedRequest;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.Requests;
import openrouter.gateway.server.testing.StreamCollector;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.ChatResponse;
import openrouter.gateway.v1.ChatSummary;
import openrouter.gateway.v1.FunctionDefinition;
import openrouter.gateway.v1.Message;
import openrouter.gateway.v1.ProviderPreferences;
import openrouter.gateway.v1.ProviderSort;
import openrouter.gateway.v1.ReasoningConfig;
import openrouter.gateway.v1.Role;
import openrouter.gateway.v1.StreamChatResponse;
import openrouter.gateway.v1.Tool;
import openrouter.gateway.v1.ToolCallDelta;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * StreamChat and Chat through a real channel, a real gateway and the simulator over HTTP/1.1;
 * {@link ChatServiceHttp2Test} runs the same cases over h2c.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChatServiceTest {
  GatewayHarness h;

  /** Gateway settings on top of this class's; the HTTP/2 variant adds its own. */
  String[] settings() {
    return new String[0];
  }

  @BeforeAll
  void start() throws Exception {
    List<String> settings = new java.util.ArrayList<>(List.of(
        "OPENROUTER_SITE_URL", "https://example.test/app",
        "OPENROUTER_SITE_NAME", "Example App",
        "OPENROUTER_DEFAULT_MAX_TOKENS", "777"));
    settings.addAll(List.of(settings()));
    h = GatewayHarness.inProcess().withSimulator(settings.toArray(String[]::new));
  }

  @AfterAll
  void stop() throws Exception {
    h.close();
  }

  private List<StreamChatResponse> stream(ChatRequest request) {
    List<StreamChatResponse> out = new java.util.ArrayList<>();
    Iterator<StreamChatResponse> it = h.chat().streamChat(request);
    it.forEachRemaining(out::add);
    return out;
  }

  private RecordedRequest lastChatRequest() {
    List<RecordedRequest> all = h.simulator.requests();
    for (int i = all.size() - 1; i >= 0; i--) {
      if (all.get(i).path().equals("/chat/completions")) {
        return all.get(i);
      }
    }
    throw new AssertionError("no chat request recorded");
  }

  @Test
  void streamsDeltasInOrderThenOneSummary() {
    String text = "the quick brown fox jumps over the lazy dog";
    List<StreamChatResponse> messages = stream(chat("sim/echo", text));

    assertThat(messages).hasSizeGreaterThan(2);
    assertThat(messages.subList(0, messages.size() - 1)).allMatch(StreamChatResponse::hasDelta);
    StreamChatResponse last = messages.get(messages.size() - 1);
    assertThat(last.hasSummary()).isTrue();
    String content = messages.stream().filter(StreamChatResponse::hasDelta)
        .map(m -> m.getDelta().getContent()).reduce("", String::concat);
    assertThat(content).isEqualTo(text);

    ChatSummary summary = last.getSummary();
    assertThat(summary.getFinishReason()).isEqualTo("stop");
    assertThat(summary.getModel()).isEqualTo("sim/echo");
    assertThat(summary.getProvider()).isEqualTo("Simulator");
    assertThat(summary.getGenerationId()).startsWith("gen-");
    assertThat(summary.getUsage().getCompletionTokens()).isEqualTo(9);
    assertThat(summary.getUsage().getTotalTokens())
        .isEqualTo(summary.getUsage().getPromptTokens() + summary.getUsage().getCompletionTokens());
    assertThat(summary.getUsage().getCost()).isNotEmpty();
    assertThat(summary.getAttempts()).isEqualTo(1);
  }

  @Test
  void unaryAndStreamedUsageAgreeForTheSameAnswer() {
    ChatRequest request = chat("sim/echo", "usage should match across both RPCs");
    ChatResponse unary = h.chat().chat(request);
    List<StreamChatResponse> streamed = stream(request);
    ChatSummary streamedSummary = streamed.get(streamed.size() - 1).getSummary();

    assertThat(unary.getMessage().getContent()).isEqualTo("usage should match across both RPCs");
    assertThat(unary.getSummary().getUsage()).isEqualTo(streamedSummary.getUsage());
    assertThat(unary.getSummary().getFinishReason()).isEqualTo("stop");
    assertThat(unary.getSummary().getModel()).isEqualTo("sim/echo");
    assertThat(unary.getSummary().getGenerationId()).startsWith("gen-");
  }

  @Test
  void requestFieldsReachTheUpstreamJsonAndUnsetOnesAreAbsent() throws Exception {
    ChatRequest request = ChatRequest.newBuilder()
        .setModel("sim/inspect")
        .addMessages(Message.newBuilder().setRole(Role.ROLE_SYSTEM).setContent("be brief"))
        .addMessages(user("hello"))
        .setTemperature(0.2)
        .setSeed(42)
        .addStop("END")
        .putMetadata("team", "search")
        .addTools(Tool.newBuilder().setFunction(FunctionDefinition.newBuilder()
            .setName("get_weather")
            .setParameters(Struct.newBuilder().putFields("type", Value.newBuilder().setStringValue("object").build()))))
        .setReasoning(ReasoningConfig.newBuilder().setEffort("high"))
        .setProvider(ProviderPreferences.newBuilder().addOrder("anthropic").setSort(ProviderSort.newBuilder().setBy("price")))
        .setExtraBody(Struct.newBuilder().putFields("top_future_param", Value.newBuilder().setBoolValue(true).build()))
        .build();
    ChatResponse response = h.chat().chat(request);
    JsonNode sent = OpenRouterJson.mapper().readTree(response.getMessage().getContent());

    assertThat(sent.path("model").asText()).isEqualTo("sim/inspect");
    assertThat(sent.path("stream").asBoolean()).isFalse();
    assertThat(sent.path("messages").get(0).path("role").asText()).isEqualTo("system");
    assertThat(sent.path("messages").get(1).path("content").asText()).isEqualTo("hello");
    assertThat(sent.path("temperature").doubleValue()).isEqualTo(0.2);
    assertThat(sent.path("seed").asLong()).isEqualTo(42);
    assertThat(sent.path("stop").get(0).asText()).isEqualTo("END");
    assertThat(sent.path("metadata").path("team").asText()).isEqualTo("search");
    assertThat(sent.path("tools").get(0).path("function").path("name").asText()).isEqualTo("get_weather");
    assertThat(sent.path("reasoning").path("effort").asText()).isEqualTo("high");
    assertThat(sent.path("provider").path("order").get(0).asText()).isEqualTo("anthropic");
    assertThat(sent.path("provider").path("sort").asText()).isEqualTo("price");
    assertThat(sent.path("top_future_param").asBoolean()).isTrue();
    assertThat(sent.path("max_tokens").asInt()).as("configured default").isEqualTo(777);
    for (String unset : List.of("top_p", "top_k", "models", "user", "session_id", "plugins", "tool_choice", "response_format", "logprobs")) {
      assertThat(sent.has(unset)).as(unset + " must not be sent").isFalse();
    }

    RecordedRequest recorded = lastChatRequest();
    assertThat(recorded.header("authorization")).startsWith("Bearer sk-or-");
    assertThat(recorded.header("http-referer")).isEqualTo("https://example.test/app");
    assertThat(recorded.header("x-openrouter-title")).isEqualTo("Example App");
    assertThat(recorded.header("x-title")).isEqualTo("Example App");
  }

  @Test
  void toolCallDeltasAssembleAcrossChunks() throws Exception {
    ChatRequest request = chat("sim/tools", "weather in Paris?").toBuilder()
        .addTools(Tool.newBuilder().setFunction(FunctionDefinition.newBuilder().setName("get_weather")))
        .build();
    List<StreamChatResponse> messages = stream(request);
    Map<Integer, String[]> calls = new LinkedHashMap<>();
    int fragments = 0;
    for (StreamChatResponse m : messages) {
      for (ToolCallDelta d : m.getDelta().getToolCallsList()) {
        fragments++;
        String[] call = calls.computeIfAbsent(d.getIndex(), i -> new String[] {"", "", ""});
        if (!d.getId().isEmpty()) {
          call[0] = d.getId();
        }
        if (!d.getName().isEmpty()) {
          call[1] = d.getName();
        }
        call[2] += d.getArguments();
      }
    }
    assertThat(fragments).isGreaterThanOrEqualTo(3);
    assertThat(calls).hasSize(1);
    assertThat(calls.get(0)[1]).isEqualTo("get_weather");
    assertThat(calls.get(0)[0]).isNotEmpty();
    assertThat(OpenRouterJson.mapper().readTree(calls.get(0)[2]).path("city").asText()).isEqualTo("Paris");
    assertThat(messages.get(messages.size() - 1).getSummary().getFinishReason()).isEqualTo("tool_calls");

    ChatResponse unary = h.chat().chat(request);
    assertThat(unary.getMessage().getToolCallsList()).hasSize(1);
    assertThat(unary.getMessage().getToolCalls(0).getName()).isEqualTo("get_weather");
    assertThat(OpenRouterJson.mapper().readTree(unary.getMessage().getToolCalls(0).getArguments()).path("city").asText()).isEqualTo("Paris");
  }

  @Test
  void reasoningDeltasArriveBeforeContent() {
    List<StreamChatResponse> messages = stream(chat("sim/reasoning", "think then answer"));
    String reasoning = messages.stream().map(m -> m.getDelta().getReasoning()).reduce("", String::concat);
    long details = messages.stream().mapToLong(m -> m.getDelta().getReasoningDetailsCount()).sum();
    assertThat(reasoning).isNotBlank();
    assertThat(details).isPositive();
    int firstReasoning = -1;
    int firstContent = -1;
    for (int i = 0; i < messages.size(); i++) {
      if (firstReasoning < 0 && !messages.get(i).getDelta().getReasoning().isEmpty()) {
        firstReasoning = i;
      }
      if (firstContent < 0 && !messages.get(i).getDelta().getContent().isEmpty()) {
        firstContent = i;
      }
    }
    assertThat(firstReasoning).isLessThan(firstContent);
    ChatSummary summary = messages.get(messages.size() - 1).getSummary();
    assertThat(summary.getUsage().getCompletionTokensDetails().getReasoningTokens()).isPositive();

    ChatResponse unary = h.chat().chat(chat("sim/reasoning", "think then answer"));
    assertThat(unary.getMessage().getReasoning()).isEqualTo(reasoning);
  }

  @Test
  void keepAliveCommentsCrlfAndSplitReadsDoNotChangeTheContent() {
    String text = "alpha beta gamma delta";
    StreamCollector c = new StreamCollector();
    h.chatAsync().streamChat(chat("sim/slow", text, Map.of("sim_chunk_delay_ms", "120",
        "sim_line_ending", "crlf", "sim_split_writes", "true")), c);
    try {
      assertThat(c.await().isOk()).isTrue();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    assertThat(c.content()).isEqualTo(text);
  }

  @Test
  void invalidRequestsFailBeforeAnyUpstreamCall() {
    int before = h.simulator.requestCount("/chat/completions");
    ChatRequest bad = ChatRequest.newBuilder().setModel("sim/echo")
        .addMessages(Message.newBuilder().setRole(Role.ROLE_TOOL).setContent("result without id"))
        .setTemperature(3)
        .addAllStop(List.of("a", "b", "c", "d", "e"))
        .build();
    StatusRuntimeException e = (StatusRuntimeException) org.assertj.core.api.Assertions.catchThrowable(() -> h.chat().chat(bad));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(errorInfo(e).getReason()).isEqualTo("INVALID_REQUEST");
    BadRequest br = Requests.detail(e, BadRequest.class);
    assertThat(br.getFieldViolationsList()).extracting(BadRequest.FieldViolation::getField)
        .contains("messages[0].tool_call_id", "temperature", "stop");

    assertThatThrownBy(() -> stream(ChatRequest.newBuilder().setModel("sim/echo").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            ex -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    assertThatThrownBy(() -> h.chat().chat(chat("", "no model and no default")))
        .isInstanceOfSatisfying(StatusRuntimeException.class, ex -> {
          assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(ex.getStatus().getDescription()).contains("OPENROUTER_DEFAULT_MODEL");
        });
    assertThat(h.simulator.requestCount("/chat/completions")).isEqualTo(before);
  }
}
