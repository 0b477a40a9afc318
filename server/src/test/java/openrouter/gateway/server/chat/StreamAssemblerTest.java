package openrouter.gateway.server.chat;

import static openrouter.gateway.server.chat.ChatFixtures.merge;
import static openrouter.gateway.server.json.JsonTrees.assertSameJson;
import static openrouter.gateway.server.json.JsonTrees.j;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import openrouter.gateway.server.json.OpenRouterJson;
import openrouter.gateway.server.json.StructJson;
import openrouter.gateway.server.upstream.wire.ChatChunks;
import openrouter.gateway.server.upstream.wire.OpenRouterErrors;
import openrouter.gateway.v1.AssistantMessage;
import openrouter.gateway.v1.ChatDelta;
import openrouter.gateway.v1.ChatSummary;
import openrouter.gateway.v1.ToolCall;
import openrouter.gateway.v1.ToolCallDelta;
import org.junit.jupiter.api.Test;

class StreamAssemblerTest {

  private static final String HEAD =
      "'id':'gen-1739458867-kUKFjpDGCEBBvK6V46PX','provider':'OpenAI','model':'openai/gpt-4o-mini',"
          + "'object':'chat.completion.chunk','created':1739458867,'system_fingerprint':'fp_72ed7ab54c'";

  /** A chunk with the common header and one choice. */
  private static String chunk(String delta, String finish, String nativeFinish) {
    return "{" + HEAD + ",'choices':[{'index':0,'delta':" + delta + ",'finish_reason':" + finish
        + ",'native_finish_reason':" + nativeFinish + ",'logprobs':null}]}";
  }

  private static String chunk(String delta) {
    return chunk(delta, "null", "null");
  }

  private static String usageChunk(String usage) {
    return "{" + HEAD + ",'choices':[],'usage':" + usage + "}";
  }

  /** Feeds every chunk and returns the deltas produced, asserting no chunk carried an error. */
  private static List<ChatDelta> feed(StreamAssembler a, String... chunks) {
    List<ChatDelta> deltas = new ArrayList<>();
    for (String c : chunks) {
      StreamAssembler.ChunkResult r = a.accept(ChatChunks.parse(j(c)));
      assertThat(r.error()).as("error in %s", c).isNull();
      r.delta().ifPresent(deltas::add);
    }
    return deltas;
  }

  private static ChatSummary summary(String protoJson) {
    return merge(protoJson.replace('\'', '"'), ChatSummary.newBuilder()).build();
  }

  private static AssistantMessage message(String protoJson) {
    return merge(protoJson.replace('\'', '"'), AssistantMessage.newBuilder()).build();
  }

  private static ToolCallDelta toolDelta(int index, String id, String type, String name, String args) {
    return ToolCallDelta.newBuilder().setIndex(index).setId(id).setType(type).setName(name).setArguments(args).build();
  }

  // -----------------------------------------------------------------------------------------

  @Test
  void contentStreamWithUsageOnTrailingChunk() {
    StreamAssembler a = new StreamAssembler();
    List<ChatDelta> deltas =
        feed(
            a,
            chunk("{'role':'assistant','content':''}"),
            chunk("{'role':'assistant','content':'亚'}"),
            chunk("{'content':'马'}"),
            chunk("{'content':'逊'}"),
            chunk("{'content':''}", "'stop'", "'stop'"),
            usageChunk("{'prompt_tokens':10,'completion_tokens':4,'total_tokens':14,'cost':0.00001}"));

    assertThat(deltas.stream().map(ChatDelta::getContent)).containsExactly("亚", "马", "逊");
    assertThat(deltas).allSatisfy(d -> assertThat(d.toBuilder().clearContent().build()).isEqualTo(ChatDelta.getDefaultInstance()));
    assertThat(a.finishReasonSeen()).isTrue();
    assertThat(a.summary(1))
        .isEqualTo(
            summary(
                "{'finish_reason':'stop','native_finish_reason':'stop','model':'openai/gpt-4o-mini',"
                    + "'provider':'OpenAI','generation_id':'gen-1739458867-kUKFjpDGCEBBvK6V46PX',"
                    + "'created':'2025-02-13T15:01:07Z','system_fingerprint':'fp_72ed7ab54c','attempts':1,"
                    + "'usage':{'prompt_tokens':10,'completion_tokens':4,'total_tokens':14,'cost':'0.00001'}}"));
    assertThat(a.assembledMessage()).isEqualTo(message("{'content':'亚马逊'}"));
  }

  @Test
  void finishReasonIsNotSeenUntilItArrives() {
    StreamAssembler a = new StreamAssembler();
    feed(a, chunk("{'role':'assistant','content':'Hel'}"), chunk("{'content':'lo'}"));
    assertThat(a.finishReasonSeen()).isFalse();
    assertThat(a.summary(2).getFinishReason()).isEmpty();
    assertThat(a.summary(2).getAttempts()).isEqualTo(2);
    assertThat(a.summary(2).hasUsage()).isFalse();
    feed(a, chunk("{}", "'length'", "'max_tokens'"));
    assertThat(a.finishReasonSeen()).isTrue();
    assertThat(a.summary(2).getFinishReason()).isEqualTo("length");
    assertThat(a.summary(2).getNativeFinishReason()).isEqualTo("max_tokens");
  }

  @Test
  void twoParallelToolCallsSplitAcrossChunksByIndex() {
    StreamAssembler a = new StreamAssembler();
    List<ChatDelta> deltas =
        feed(
            a,
            chunk("{'role':'assistant','content':null,'tool_calls':[{'index':0,'id':'call_a','type':'function','function':{'name':'get_weather','arguments':''}}]}"),
            chunk("{'tool_calls':[{'index':0,'function':{'arguments':'{\\'city\\':'}}]}"),
            chunk("{'tool_calls':[{'index':1,'id':'call_b','type':'function','function':{'name':'get_time','arguments':''}}]}"),
            chunk("{'tool_calls':[{'index':0,'function':{'arguments':'\\'Paris\\'}'}},{'index':1,'function':{'arguments':'{}'}}]}"),
            "{" + HEAD + ",'choices':[{'index':0,'delta':{},'finish_reason':'tool_calls','native_finish_reason':'tool_calls'}],"
                + "'usage':{'prompt_tokens':50,'completion_tokens':30,'total_tokens':80,'cost':0.0002}}");

    assertThat(deltas.stream().flatMap(d -> d.getToolCallsList().stream()))
        .containsExactly(
            toolDelta(0, "call_a", "function", "get_weather", ""),
            toolDelta(0, "", "", "", "{\"city\":"),
            toolDelta(1, "call_b", "function", "get_time", ""),
            toolDelta(0, "", "", "", "\"Paris\"}"),
            toolDelta(1, "", "", "", "{}"));
    assertThat(a.assembledMessage().getToolCallsList())
        .containsExactly(
            ToolCall.newBuilder().setId("call_a").setType("function").setName("get_weather").setArguments("{\"city\":\"Paris\"}").build(),
            ToolCall.newBuilder().setId("call_b").setType("function").setName("get_time").setArguments("{}").build());
    assertThat(a.assembledMessage().getContent()).isEmpty();
    ChatSummary s = a.summary(1);
    assertThat(s.getFinishReason()).isEqualTo("tool_calls");
    assertThat(s.getUsage().getTotalTokens()).isEqualTo(80);
    assertThat(s.getUsage().getCost()).isEqualTo("0.0002");
  }

  @Test
  void toolCallWithNullIdMissingArgumentsAndMissingIndex() {
    StreamAssembler a = new StreamAssembler();
    List<ChatDelta> deltas =
        feed(
            a,
            chunk("{'tool_calls':[{'index':0,'id':null,'type':'function','function':{'name':'ping'}}]}"),
            chunk("{'tool_calls':[{'index':0,'function':{'arguments':null}}]}"),
            chunk("{'tool_calls':[{'id':'c2','function':{'name':'whole','arguments':{'a':1}}}]}"),
            chunk("{}", "'tool_calls'", "null"));
    assertThat(deltas).hasSize(3);
    // The third fragment has no index: its position (0) is used, so it joins call 0.
    assertThat(a.assembledMessage().getToolCallsList())
        .containsExactly(
            ToolCall.newBuilder().setId("c2").setType("function").setName("ping").setArguments("{\"a\":1}").build());
    assertThat(a.summary(1).getNativeFinishReason()).isEmpty();
  }

  @Test
  void reasoningAndReasoningDetailsMerge() {
    StreamAssembler a = new StreamAssembler();
    List<ChatDelta> deltas =
        feed(
            a,
            chunk("{'role':'assistant','content':'','reasoning':'Let me','reasoning_details':[{'type':'reasoning.text','text':'Let me','index':0,'format':'anthropic-claude-v1','signature':null}]}"),
            chunk("{'reasoning':' think.','reasoning_details':[{'type':'reasoning.text','text':' think.','index':0,'format':'anthropic-claude-v1'}]}"),
            chunk("{'reasoning_details':[{'type':'reasoning.text','text':'','index':0,'signature':'sig-abc'}]}"),
            chunk("{'reasoning_details':[{'type':'reasoning.encrypted','id':'enc_1','data':'[REDACTED]','index':1}]}"),
            chunk("{'reasoning_details':[{'type':'reasoning.summary','summary':'Thinking about it','index':2}]}"),
            chunk("{'reasoning_details':[{'type':'reasoning.encrypted','id':'enc_1','data':'ZW5jcnlwdGVk','index':1}]}"),
            chunk("{'reasoning_details':[{'type':'reasoning.text','text':'Second block','index':3}]}"),
            chunk("{'reasoning_details':[{'type':'reasoning.summary','summary':' more','index':2}]}"),
            chunk("{'content':'Answer.'}"),
            chunk("{'content':'','reasoning_details':[]}", "'stop'", "'end_turn'"));

    assertThat(deltas).hasSize(9); // the last chunk carries nothing
    assertThat(deltas.stream().map(ChatDelta::getReasoning).collect(Collectors.joining())).isEqualTo("Let me think.");
    assertSameJson(
        StructJson.toJson(deltas.get(0).getReasoningDetails(0)),
        j("{'type':'reasoning.text','text':'Let me','index':0,'format':'anthropic-claude-v1','signature':null}"));

    AssistantMessage m = a.assembledMessage();
    assertThat(m.getReasoning()).isEqualTo("Let me think.");
    assertThat(m.getContent()).isEqualTo("Answer.");
    JsonNode merged =
        OpenRouterJson.mapper().valueToTree(m.getReasoningDetailsList().stream().map(StructJson::toJson).collect(Collectors.toList()));
    assertSameJson(
        merged,
        j(
            "[{'type':'reasoning.text','text':'Let me think.','index':0,'format':'anthropic-claude-v1','signature':'sig-abc'},"
                + "{'type':'reasoning.encrypted','id':'enc_1','data':'ZW5jcnlwdGVk','index':1},"
                + "{'type':'reasoning.summary','summary':'Thinking about it','index':2},"
                + "{'type':'reasoning.text','text':'Second block','index':3},"
                + "{'type':'reasoning.summary','summary':' more','index':2}]"));
    assertThat(a.summary(1).getFinishReason()).isEqualTo("stop");
    assertThat(a.summary(1).getNativeFinishReason()).isEqualTo("end_turn");
  }

  @Test
  void usageOnTheFinishChunkAndAgainOnATrailingChunkKeepsTheLast() {
    String first = "{'prompt_tokens':10,'completion_tokens':3,'total_tokens':13,'cost':0.5}";
    String last = "{'prompt_tokens':10,'completion_tokens':4,'total_tokens':14,'cost':0.75,'is_byok':true}";
    StreamAssembler a = new StreamAssembler();
    feed(
        a,
        chunk("{'content':'hi'}"),
        "{" + HEAD + ",'choices':[{'index':0,'delta':{},'finish_reason':'stop'}],'usage':" + first + "}",
        // Some streams repeat the finish chunk, without usage.
        "{" + HEAD + ",'choices':[{'index':0,'delta':{},'finish_reason':'stop'}]}",
        usageChunk(last));
    assertThat(a.summary(1).getUsage()).isEqualTo(UsageMapper.toUsage(ChatChunks.usage(j(last))));
    assertThat(a.summary(1).getUsage().getCost()).isEqualTo("0.75");

    StreamAssembler onlyFinish = new StreamAssembler();
    feed(
        onlyFinish,
        chunk("{'content':'hi'}"),
        "{" + HEAD + ",'choices':[{'index':0,'delta':{},'finish_reason':'stop'}],'usage':" + first + "}",
        "{" + HEAD + ",'choices':[{'index':0,'delta':{},'finish_reason':'stop'}],'usage':null}");
    assertThat(onlyFinish.summary(1).getUsage()).isEqualTo(UsageMapper.toUsage(ChatChunks.usage(j(first))));
    assertThat(onlyFinish.summary(1).getUsage().getCompletionTokens()).isEqualTo(3);
  }

  @Test
  void errorChunkWithNumericCode() {
    StreamAssembler a = new StreamAssembler();
    feed(a, chunk("{'content':'partial'}"));
    String errorChunk =
        "{'id':'gen-abc','object':'chat.completion.chunk','created':1234567890,'model':'openai/gpt-4o','provider':'OpenAI',"
            + "'error':{'code':429,'message':'Rate limit exceeded','metadata':{'error_type':'rate_limit_exceeded','provider_code':'x'}},"
            + "'choices':[{'index':0,'delta':{'content':''},'finish_reason':'error'}]}";
    StreamAssembler.ChunkResult r = a.accept(ChatChunks.parse(j(errorChunk)));
    assertThat(r.delta()).isEmpty();
    assertThat(r.hasError()).isTrue();
    assertThat(r.error()).isEqualTo(OpenRouterErrors.parse(200, j(errorChunk).get("error"), Map.of()));
    assertThat(r.error().effectiveStatus()).isEqualTo(429);
    assertThat(a.finishReasonSeen()).isTrue();
    assertThat(a.summary(1).getFinishReason()).isEqualTo("error");
    assertThat(a.summary(1).getGenerationId()).isEqualTo("gen-abc");
    assertThat(a.assembledMessage().getContent()).isEqualTo("partial");
  }

  @Test
  void errorChunkWithStringCodeAndNoChoices() {
    StreamAssembler a = new StreamAssembler();
    StreamAssembler.ChunkResult r =
        a.accept(ChatChunks.parse(j("{'id':'gen-x','error':{'code':'server_error','message':'Internal error'}}")));
    assertThat(r.delta()).isEmpty();
    assertThat(r.error().codeText()).isNotEmpty(); // the code was text
    assertThat(r.error().codeText()).isEqualTo("server_error");
    assertThat(a.finishReasonSeen()).isFalse();
  }

  @Test
  void choiceLevelErrorIsReportedToo() {
    StreamAssembler.ChunkResult r =
        new StreamAssembler()
            .accept(ChatChunks.parse(j("{'choices':[{'index':0,'delta':{},'finish_reason':'error','error':{'code':502,'message':'Provider returned error'}}]}")));
    assertThat(r.error().effectiveStatus()).isEqualTo(502);
    assertThat(new StreamAssembler().accept(ChatChunks.parse(j("{'error':null,'choices':[]}"))).error()).isNull();
  }

  @Test
  void messageInsteadOfDeltaIsReadLikeADelta() {
    StreamAssembler a = new StreamAssembler();
    List<ChatDelta> deltas =
        feed(
            a,
            chunk("{'role':'assistant','content':'Hel'}"),
            "{" + HEAD + ",'choices':[{'index':0,'message':{'role':'assistant','content':'lo','tool_calls':[{'id':'c1','type':'function','function':{'name':'f','arguments':'{}'}}]},'finish_reason':'tool_calls'}]}");
    assertThat(deltas).hasSize(2);
    assertThat(deltas.get(1).getContent()).isEqualTo("lo");
    assertThat(deltas.get(1).getToolCallsList()).containsExactly(toolDelta(0, "c1", "function", "f", "{}"));
    assertThat(a.assembledMessage().getContent()).isEqualTo("Hello");
    assertThat(a.summary(1).getFinishReason()).isEqualTo("tool_calls");
  }

  @Test
  void stopWithToolCallsIsReportedAsToolCalls() {
    StreamAssembler a = new StreamAssembler();
    feed(
        a,
        chunk("{'reasoning_details':[{'type':'reasoning.encrypted','id':'e1','data':'abc'}]}"),
        chunk("{'tool_calls':[{'index':0,'id':'tool_0','type':'function','function':{'name':'lookup','arguments':'{}'}}]}"),
        chunk("{}", "'stop'", "'STOP'"));
    assertThat(a.summary(1).getFinishReason()).isEqualTo("tool_calls");
    assertThat(a.summary(1).getNativeFinishReason()).isEqualTo("STOP");

    StreamAssembler plain = new StreamAssembler();
    feed(plain, chunk("{'content':'x'}"), chunk("{}", "'stop'", "'STOP'"));
    assertThat(plain.summary(1).getFinishReason()).isEqualTo("stop");
  }

  @Test
  void missingOrNullChoicesAndUnknownFieldsAreTolerated() {
    StreamAssembler a = new StreamAssembler();
    List<ChatDelta> deltas =
        feed(
            a,
            "{'id':'gen-1','model':'m','debug':{'echo_upstream_body':{'model':'x'}},'choices':[]}",
            "{'id':'gen-1','choices':null,'something_new':{'a':1}}",
            "{'id':'gen-1'}",
            "{'id':'gen-1','choices':[{'index':0,'delta':{'content':'ok','brand_new':[1,2]},'weird':true}]}",
            "[1,2,3]",
            "'just a string'");
    assertThat(deltas.stream().map(ChatDelta::getContent)).containsExactly("ok");
    assertThat(a.summary(1).getModel()).isEqualTo("m");
    assertThat(a.accept(ChatChunks.parse(null)).delta()).isEmpty();
  }

  @Test
  void annotationsImagesAudioAndLogprobs() {
    String pcm1 = Base64.getEncoder().encodeToString(new byte[] {1, 2, 3, 4});
    String pcm2 = Base64.getEncoder().encodeToString(new byte[] {5});
    StreamAssembler a = new StreamAssembler();
    List<ChatDelta> deltas =
        feed(
            a,
            chunk("{'annotations':[{'type':'url_citation','url_citation':{'url':'https://a.example','title':'A','content':'aa','start_index':0,'end_index':5}},"
                + "{'type':'url_citation','url_citation':{'url':'https://b.example'}},"
                + "{'type':'file','file':{'hash':'h1','name':'doc.pdf','content':[{'type':'text','text':'p1'}]}}]}"),
            chunk("{'images':[{'type':'image_url','image_url':{'url':'data:image/png;base64,AAA'}}]}"),
            chunk("{'audio':{'id':'audio_1','data':'" + pcm1 + "','transcript':'Hel','expires_at':1700000000}}"),
            chunk("{'audio':{'data':'" + pcm2 + "','transcript':'lo'}}"),
            "{" + HEAD + ",'choices':[{'index':0,'delta':{'content':'x'},'logprobs':{'content':[{'token':'x','logprob':-0.1,'top_logprobs':[]}],'refusal':null}}]}",
            "{" + HEAD + ",'choices':[{'index':0,'delta':{'content':'y'},'logprobs':{'content':[{'token':'y','logprob':-0.2,'top_logprobs':[]}]}}]}",
            "{" + HEAD + ",'choices':[{'index':0,'delta':{},'logprobs':{'content':[],'refusal':null}}]}");
    assertThat(deltas).hasSize(6);

    AssistantMessage expected =
        message(
            "{'content':'xy','annotations':["
                + "{'type':'url_citation','url_citation':{'url':'https://a.example','title':'A','content':'aa','start_index':0,'end_index':5}},"
                + "{'type':'url_citation','url_citation':{'url':'https://b.example'}},"
                + "{'type':'file','other':{'type':'file','file':{'hash':'h1','name':'doc.pdf','content':[{'type':'text','text':'p1'}]}}}],"
                + "'images':[{'url':'data:image/png;base64,AAA'}],"
                + "'audio':{'id':'audio_1','data':'" + Base64.getEncoder().encodeToString(new byte[] {1, 2, 3, 4, 5})
                + "','transcript':'Hello','expires_at':'1700000000'},"
                + "'logprobs':{'content':[{'token':'x','logprob':-0.1,'top_logprobs':[]},{'token':'y','logprob':-0.2,'top_logprobs':[]}],'refusal':null}}");
    assertThat(a.assembledMessage()).isEqualTo(expected);
    assertThat(a.assembledMessage().getAnnotations(1).getUrlCitation().hasStartIndex()).isFalse();
    assertThat(deltas.get(4).getLogprobs().getStructValue().getFieldsOrThrow("content").getListValue().getValuesCount()).isEqualTo(1);
  }

  @Test
  void openrouterMetadataAndServiceTierGoToTheSummary() {
    StreamAssembler a = new StreamAssembler();
    feed(
        a,
        chunk("{'content':'hi'}", "'stop'", "'stop'"),
        "{" + HEAD + ",'service_tier':'flex','choices':[],'usage':{'total_tokens':1},"
            + "'openrouter_metadata':{'strategy':'fallback','attempt':2,'attempts':[{'provider':'A','status':429}]}}");
    ChatSummary s = a.summary(3);
    assertThat(s.getServiceTier()).isEqualTo("flex");
    assertSameJson(
        StructJson.toJson(s.getOpenrouterMetadata()),
        j("{'strategy':'fallback','attempt':2,'attempts':[{'provider':'A','status':429}]}"));
    assertThat(s.getAttempts()).isEqualTo(3);
  }

  @Test
  void noChunksMeansAnEmptyAnswer() {
    StreamAssembler a = new StreamAssembler();
    assertThat(a.assembledMessage()).isEqualTo(AssistantMessage.getDefaultInstance());
    assertThat(a.summary(1)).isEqualTo(ChatSummary.newBuilder().setAttempts(1).build());
  }

  /** The stream's assembler keeps no text, yet hands on the same deltas and the same summary. */
  @Test
  void summaryOnlyGivesTheSameDeltasAndSummaryWithoutKeepingTheMessage() {
    String[] chunks = {
        chunk("{'role':'assistant','content':'Hel'}"),
        chunk("{'content':'lo','tool_calls':[{'index':0,'id':'call_a','type':'function','function':{'name':'f','arguments':'{}'}}]}"),
        // "stop" with tool calls is reported as tool_calls [observed, Gemini]
        "{" + HEAD + ",'choices':[{'index':0,'delta':{},'finish_reason':'stop','native_finish_reason':'STOP'}],"
            + "'usage':{'prompt_tokens':5,'completion_tokens':2,'total_tokens':7}}"};
    StreamAssembler full = new StreamAssembler();
    StreamAssembler lean = StreamAssembler.summaryOnly();
    assertThat(feed(lean, chunks)).isEqualTo(feed(full, chunks));
    assertThat(lean.summary(2)).isEqualTo(full.summary(2));
    assertThat(lean.summary(2).getFinishReason()).isEqualTo("tool_calls");
    assertThatThrownBy(lean::assembledMessage).isInstanceOf(IllegalStateException.class);
  }
}
