package openrouter.gateway.server.chat;

import static openrouter.gateway.server.chat.ChatFixtures.merge;
import static openrouter.gateway.server.json.JsonTrees.j;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.stream.Stream;
import openrouter.gateway.server.chat.CompletionMapper.CompletionResult;
import java.util.Map;
import openrouter.gateway.server.json.OpenRouterJson;
import openrouter.gateway.server.upstream.wire.ChatChunks;
import openrouter.gateway.server.upstream.wire.OpenRouterError;
import openrouter.gateway.server.upstream.wire.OpenRouterErrors;
import openrouter.gateway.v1.ChatResponse;
import openrouter.gateway.v1.ToolCall;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CompletionMapperTest {

  private static ChatResponse success(CompletionResult r) {
    assertThat(r).isInstanceOf(CompletionResult.Success.class);
    return ((CompletionResult.Success) r).response();
  }

  private static OpenRouterError errorOf(CompletionResult r) {
    assertThat(r).isInstanceOf(CompletionResult.ErrorBody.class);
    return ((CompletionResult.ErrorBody) r).error();
  }

  @Test
  void theReferenceExampleMapsToTheExpectedResponse() {
    // The body starts with whitespace padding, as OpenRouter sends while the model works.
    String text = ChatFixtures.text("/chat/completion-2.9.json");
    assertThat(text).startsWith("    \n");
    ChatResponse actual = success(CompletionMapper.map(ChatChunks.parse(OpenRouterJson.parse(text)), 1));
    ChatResponse expected =
        merge(ChatFixtures.text("/chat/completion-2.9.expected.proto.json"), ChatResponse.newBuilder()).build();
    assertThat(actual).isEqualTo(expected);
    assertThat(actual.getSummary().getUsage().getCost()).isEqualTo("0.00014");
    assertThat(actual.getSummary().getUsage().getCostDetails().getUpstreamInferenceCost()).isEmpty();
  }

  @Test
  void toolCallsReasoningAndAttempts() {
    ChatResponse r =
        success(
            CompletionMapper.map(
                ChatChunks.parse(j(
                    "{'id':'gen-2','model':'anthropic/claude-sonnet-4.5','provider':'Anthropic','created':1,"
                        + "'choices':[{'index':0,'finish_reason':'tool_calls','native_finish_reason':'tool_use','message':{"
                        + "'role':'assistant','content':null,'reasoning':'Need weather.',"
                        + "'reasoning_details':[{'type':'reasoning.text','text':'Need weather.','signature':'s','index':0}],"
                        + "'tool_calls':[{'id':'toolu_1','type':'function','function':{'name':'get_weather','arguments':'{\\'city\\':\\'Paris\\'}'}},"
                        + "{'id':'toolu_2','type':'function','function':{'name':'get_time','arguments':'{}'}}]}}],"
                        + "'usage':{'prompt_tokens':5,'completion_tokens':7,'total_tokens':12,'cost':0}}")),
                3));
    assertThat(r.getMessage().getContent()).isEmpty();
    assertThat(r.getMessage().getReasoning()).isEqualTo("Need weather.");
    assertThat(r.getMessage().getReasoningDetailsCount()).isEqualTo(1);
    assertThat(r.getMessage().getToolCallsList())
        .containsExactly(
            ToolCall.newBuilder().setId("toolu_1").setType("function").setName("get_weather").setArguments("{\"city\":\"Paris\"}").build(),
            ToolCall.newBuilder().setId("toolu_2").setType("function").setName("get_time").setArguments("{}").build());
    assertThat(r.getSummary().getFinishReason()).isEqualTo("tool_calls");
    assertThat(r.getSummary().getNativeFinishReason()).isEqualTo("tool_use");
    assertThat(r.getSummary().getAttempts()).isEqualTo(3);
    assertThat(r.getSummary().getUsage().getCost()).isEqualTo("0");
  }

  @Test
  void stopWithToolCallsIsToolCallsInUnaryToo() {
    ChatResponse r =
        success(
            CompletionMapper.map(
                ChatChunks.parse(j("{'choices':[{'finish_reason':'stop','native_finish_reason':'STOP','message':{'tool_calls':[{'id':'t','function':{'name':'f','arguments':'{}'}}]}}]}")),
                1));
    assertThat(r.getSummary().getFinishReason()).isEqualTo("tool_calls");
    assertThat(r.getSummary().getNativeFinishReason()).isEqualTo("STOP");
  }

  /** HTTP 200 bodies that are errors, from the reference's section 6.6 and 6.4. */
  static Stream<String> errorBodies() {
    return Stream.of(
        "{'id':null,'choices':null,'error':{'message':'Provider returned error','code':524,'metadata':{'raw':'error code: 524','provider_name':'Google AI Studio'}},'user_id':'user_2lJk'}",
        "{'error':{'message':'This content was flagged for possible cybersecurity risk...','code':502}}",
        "{'error':{'message':'Internal error','code':'server_error'}}",
        "{'error':{'message':'All providers are at capacity.','error_type':'rate_limit_exceeded','http_status':429,'availability':{'code':'capacity_exhausted','retryable':true,'retry_after':40}}}",
        "{'id':'gen-1','choices':[{'index':0,'message':{'content':'ok'}}],'error':{'code':500,'message':'late failure'}}");
  }

  @ParameterizedTest
  @MethodSource("errorBodies")
  void topLevelErrorInA200IsAnErrorBody(String body) {
    JsonNode parsed = j(body);
    assertThat(errorOf(CompletionMapper.map(ChatChunks.parse(parsed), 1))).isEqualTo(OpenRouterErrors.parse(200, parsed.get("error"), Map.of()));
  }

  @Test
  void choiceErrorWithFinishReasonErrorIsAnErrorBody() {
    JsonNode body =
        j(
            "{'id':'gen-3','choices':[{'index':0,'finish_reason':'error','native_finish_reason':null,"
                + "'message':{'role':'assistant','content':'partial answ'},"
                + "'error':{'code':502,'message':'Provider disconnected','metadata':{'error_type':'provider_unavailable','provider_code':'ECONNRESET'}}}]}");
    OpenRouterError error = errorOf(CompletionMapper.map(ChatChunks.parse(body), 1));
    assertThat(error).isEqualTo(OpenRouterErrors.parse(200, body.at("/choices/0/error"), Map.of()));
  }

  @Test
  void finishReasonErrorWithoutDetailsIsStillAnErrorBody() {
    OpenRouterError error =
        errorOf(CompletionMapper.map(ChatChunks.parse(j("{'choices':[{'finish_reason':'error','message':{'content':''}}]}")), 1));
    assertThat(error.effectiveStatus()).isEqualTo(502);
    assertThat(error.message()).contains("finish_reason");
  }

  static Stream<String> noChoices() {
    return Stream.of(
        "{'id':'gen-1','choices':[]}",
        "{'id':'gen-1','choices':null}",
        "{'id':'gen-1','error':null}",
        "{'id':'gen-1','choices':{'index':0}}",
        "{'choices':['not an object']}",
        "[]",
        "'text'");
  }

  @ParameterizedTest
  @MethodSource("noChoices")
  void missingEmptyOrNullChoicesIsNoChoices(String body) {
    assertThat(CompletionMapper.map(ChatChunks.parse(j(body)), 1)).isInstanceOf(CompletionResult.NoChoices.class);
  }

  @Test
  void nullAndMissingBodiesAreNoChoices() {
    assertThat(CompletionMapper.map(ChatChunks.parse(null), 1)).isInstanceOf(CompletionResult.NoChoices.class);
    assertThat(CompletionMapper.map(ChatChunks.parse(OpenRouterJson.parse("   ")), 1)).isInstanceOf(CompletionResult.NoChoices.class);
  }

  /** The same answer, streamed and unary, reports the same usage, message and finish reason. */
  @Test
  void streamedAndUnaryUsageOfTheSameAnswerAgree() {
    String usage =
        "{'prompt_tokens':194,'completion_tokens':12,'total_tokens':206,"
            + "'prompt_tokens_details':{'cached_tokens':128,'cache_write_tokens':0,'audio_tokens':0,'video_tokens':0},"
            + "'completion_tokens_details':{'reasoning_tokens':4,'audio_tokens':0,'image_tokens':0,'accepted_prediction_tokens':0,'rejected_prediction_tokens':0},"
            + "'cost':0.000123450,'is_byok':true,"
            + "'cost_details':{'upstream_inference_cost':0.0002,'upstream_inference_prompt_cost':0.00015,'upstream_inference_completions_cost':0.00005},"
            + "'server_tool_use_details':{'web_search_requests':1,'tool_calls_requested':0,'tool_calls_executed':0}}";
    String head = "'id':'gen-9','model':'openai/gpt-4o-mini','provider':'OpenAI','created':1778031306";

    StreamAssembler stream = new StreamAssembler();
    for (String c :
        new String[] {
          "{" + head + ",'choices':[{'index':0,'delta':{'role':'assistant','content':''}}]}",
          "{" + head + ",'choices':[{'index':0,'delta':{'content':'Hello'}}]}",
          "{" + head + ",'choices':[{'index':0,'delta':{'content':' there'}}]}",
          "{" + head + ",'choices':[{'index':0,'delta':{},'finish_reason':'stop','native_finish_reason':'stop'}]}",
          "{" + head + ",'choices':[],'usage':" + usage + "}"
        }) {
      stream.accept(ChatChunks.parse(j(c)));
    }
    ChatResponse unary =
        success(
            CompletionMapper.map(
                ChatChunks.parse(j(
                    "{" + head + ",'choices':[{'index':0,'finish_reason':'stop','native_finish_reason':'stop',"
                        + "'message':{'role':'assistant','content':'Hello there'}}],'usage':" + usage + "}")),
                1));

    assertThat(stream.summary(1).getUsage()).isEqualTo(unary.getSummary().getUsage());
    assertThat(stream.summary(1)).isEqualTo(unary.getSummary());
    assertThat(stream.assembledMessage()).isEqualTo(unary.getMessage());
    assertThat(unary.getSummary().getUsage().getCost()).isEqualTo("0.000123450");
  }
}
