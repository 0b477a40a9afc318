package openrouter.gateway.server.chat;

import static openrouter.gateway.server.chat.ChatFixtures.request;
import static openrouter.gateway.server.json.JsonTrees.assertSameJson;
import static openrouter.gateway.server.json.JsonTrees.j;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.util.List;
import java.util.stream.Stream;
import openrouter.gateway.server.json.OpenRouterJson;
import openrouter.gateway.server.json.JsonTrees;
import openrouter.gateway.server.upstream.wire.ChatRequestBodies;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.ContentPart;
import openrouter.gateway.v1.Message;
import openrouter.gateway.v1.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ChatRequestBodiesTest {

  private static final ChatPolicy POLICY = new ChatPolicy(null, 4096, 10, 4);
  private final ChatRequestBodies mapper = new ChatRequestBodies(POLICY.defaultMaxTokens());

  private static final String USER_HI = "'messages':[{'role':'ROLE_USER','content':'hi'}]";

  /** Maps a one-model request and returns the body. */
  private JsonNode body(String protoJson) {
    ChatRequest r = request(protoJson);
    return mapper.toUpstreamBody(r, List.of(POLICY.primaryModel(r)), false);
  }

  /** The body minus the fields every request has, to compare just the interesting part. */
  private JsonNode extras(String protoJson) {
    ObjectNode b = (ObjectNode) body("{'model':'m'," + USER_HI + "," + protoJson + "}");
    assertThat(b.get("model").asText()).isEqualTo("m");
    assertSameJson(b.get("messages"), j("[{'role':'user','content':'hi'}]"));
    assertThat(b.get("stream").booleanValue()).isFalse();
    b.remove(List.of("model", "messages", "stream"));
    return b;
  }

  // -----------------------------------------------------------------------------------------
  // The golden request

  @Test
  void everyFieldMapsToTheGoldenBody() {
    ChatRequest full = ChatFixtures.requestResource("/chat/full-request.proto.json");
    ObjectNode body =
        mapper.toUpstreamBody(
            full, List.of("anthropic/claude-sonnet-4.5", "openai/gpt-4o-mini", "google/gemini-2.5-flash"), true);
    assertSameJson(body, JsonTrees.resource("/chat/full-request.upstream.json"));
  }

  @Test
  void goldenRequestReallySetsEveryFieldAndEveryVariant() {
    ChatRequest full = ChatFixtures.requestResource("/chat/full-request.proto.json");
    for (FieldDescriptor f : ChatRequest.getDescriptor().getFields()) {
      boolean set = f.isRepeated() ? full.getRepeatedFieldCount(f) > 0 : full.hasField(f);
      assertThat(set).as("golden request sets ChatRequest.%s", f.getName()).isTrue();
    }
    assertThat(full.getMessagesList().stream().map(Message::getRole).distinct())
        .containsExactlyInAnyOrder(
            Role.ROLE_SYSTEM, Role.ROLE_DEVELOPER, Role.ROLE_USER, Role.ROLE_ASSISTANT, Role.ROLE_TOOL);
    assertThat(
            full.getMessagesList().stream()
                .flatMap(m -> m.getPartsList().stream())
                .map(ContentPart::getPartCase)
                .distinct())
        .containsExactlyInAnyOrder(
            ContentPart.PartCase.TEXT,
            ContentPart.PartCase.IMAGE_URL,
            ContentPart.PartCase.INPUT_AUDIO,
            ContentPart.PartCase.FILE,
            ContentPart.PartCase.VIDEO_URL);
    assertThat(new ChatRequestValidator(POLICY).validate(full)).isEmpty();
  }

  // -----------------------------------------------------------------------------------------
  // Presence and defaults

  @Test
  void smallestRequestSendsOnlyModelMessagesStreamAndDefaultMaxTokens() {
    assertSameJson(
        body("{'model':'sim/echo'," + USER_HI + "}"),
        j("{'model':'sim/echo','messages':[{'role':'user','content':'hi'}],'stream':false,'max_tokens':4096}"));
  }

  @Test
  void setMessagesWithDefaultContentAreStillAbsentWhenEmpty() {
    // Set-but-empty lists, maps and strings are "not set"; set messages with no fields are sent.
    JsonNode b =
        extras(
            "'stop':[],'modalities':[],'metadata':{},'user':'','session_id':'','service_tier':'',"
                + "'verbosity':'','prompt_cache_key':'','tools':[],'plugins':[]");
    assertSameJson(b, j("{'max_tokens':4096}"));
  }

  static Stream<Arguments> presence() {
    return Stream.of(
        Arguments.of("'temperature':0", "{'temperature':0.0,'max_tokens':4096}"),
        Arguments.of("'top_p':0", "{'top_p':0.0,'max_tokens':4096}"),
        Arguments.of("'top_k':0", "{'top_k':0,'max_tokens':4096}"),
        Arguments.of("'min_p':0", "{'min_p':0.0,'max_tokens':4096}"),
        Arguments.of("'top_a':0", "{'top_a':0.0,'max_tokens':4096}"),
        Arguments.of("'frequency_penalty':0", "{'frequency_penalty':0.0,'max_tokens':4096}"),
        Arguments.of("'presence_penalty':0", "{'presence_penalty':0.0,'max_tokens':4096}"),
        Arguments.of("'repetition_penalty':1", "{'repetition_penalty':1.0,'max_tokens':4096}"),
        Arguments.of("'seed':0", "{'seed':0,'max_tokens':4096}"),
        Arguments.of("'seed':-5", "{'seed':-5,'max_tokens':4096}"),
        Arguments.of("'logprobs':false", "{'logprobs':false,'max_tokens':4096}"),
        Arguments.of("'logprobs':true,'top_logprobs':0", "{'logprobs':true,'top_logprobs':0,'max_tokens':4096}"),
        Arguments.of("'parallel_tool_calls':false", "{'parallel_tool_calls':false,'max_tokens':4096}"),
        Arguments.of("'reasoning':{}", "{'reasoning':{},'max_tokens':4096}"),
        Arguments.of("'reasoning':{'enabled':false}", "{'reasoning':{'enabled':false},'max_tokens':4096}"),
        Arguments.of("'reasoning':{'max_tokens':2000,'exclude':true}", "{'reasoning':{'max_tokens':2000,'exclude':true},'max_tokens':4096}"),
        Arguments.of("'provider':{}", "{'provider':{},'max_tokens':4096}"),
        Arguments.of("'provider':{'allow_fallbacks':false,'zdr':false}", "{'provider':{'allow_fallbacks':false,'zdr':false},'max_tokens':4096}"),
        Arguments.of("'trace':{}", "{'trace':{},'max_tokens':4096}"),
        Arguments.of("'audio':{'voice':'alloy'}", "{'audio':{'voice':'alloy'},'max_tokens':4096}"),
        Arguments.of("'prediction':{'content':'x'}", "{'prediction':{'type':'content','content':'x'},'max_tokens':4096}"),
        Arguments.of("'cache_control':{}", "{'cache_control':{'type':'ephemeral'},'max_tokens':4096}"),
        Arguments.of("'stop':['x']", "{'stop':['x'],'max_tokens':4096}"),
        Arguments.of("'logit_bias':{'42':1,'7':-0.5}", "{'logit_bias':{'42':1,'7':-0.5},'max_tokens':4096}"),
        Arguments.of("'metadata':{'k':'v'}", "{'metadata':{'k':'v'},'max_tokens':4096}"),
        Arguments.of("'user':'u','session_id':'s'", "{'user':'u','session_id':'s','max_tokens':4096}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("presence")
  void setFieldsAreSentWithTheirValueEvenWhenZero(String field, String expected) {
    assertSameJson(extras(field), j(expected));
  }

  static Stream<Arguments> maxTokens() {
    return Stream.of(
        Arguments.of("", new ChatPolicy(null, 4096, 10, 4), "{'max_tokens':4096}"),
        Arguments.of("", new ChatPolicy(null, 1000, 10, 4), "{'max_tokens':1000}"),
        Arguments.of("", new ChatPolicy(null, 0, 10, 4), "{}"),
        Arguments.of("'max_tokens':77", POLICY, "{'max_tokens':77}"),
        Arguments.of("'max_completion_tokens':88", POLICY, "{'max_completion_tokens':88}"),
        Arguments.of("'max_tokens':77,'max_completion_tokens':88", POLICY, "{'max_tokens':77,'max_completion_tokens':88}"));
  }

  @ParameterizedTest(name = "{0} with {1}")
  @MethodSource("maxTokens")
  void maxTokensDefaultsOnlyWhenNeitherLimitIsSet(String fields, ChatPolicy policy, String expected) {
    String json = "{'model':'m'," + USER_HI + (fields.isEmpty() ? "" : "," + fields) + "}";
    ObjectNode b = new ChatRequestBodies(policy.defaultMaxTokens()).toUpstreamBody(request(json), List.of("m"), false);
    b.remove(List.of("model", "messages", "stream"));
    assertSameJson(b, j(expected));
  }

  // -----------------------------------------------------------------------------------------
  // Models

  static Stream<Arguments> models() {
    return Stream.of(
        // request model, models, default model -> primary, chain
        Arguments.of("a/x", List.of(), null, "a/x", List.of("a/x")),
        Arguments.of("a/x", List.of("b/y", "c/z"), null, "a/x", List.of("a/x", "b/y", "c/z")),
        Arguments.of("a/x", List.of("b/y"), "d/default", "a/x", List.of("a/x", "b/y")),
        Arguments.of("", List.of("b/y"), "d/default", "d/default", List.of("d/default", "b/y")),
        Arguments.of("", List.of(), "d/default", "d/default", List.of("d/default")),
        Arguments.of("", List.of("b/y", "c/z"), null, "b/y", List.of("b/y", "c/z")),
        Arguments.of("a/x", List.of("a/x", "b/y", "a/x", "b/y"), null, "a/x", List.of("a/x", "b/y")),
        Arguments.of("", List.of("b/y", "d/default"), "d/default", "d/default", List.of("d/default", "b/y")));
  }

  @ParameterizedTest(name = "model={0} models={1} default={2}")
  @MethodSource("models")
  void primaryModelAndChain(
      String model, List<String> models, String defaultModel, String primary, List<String> chain) {
    ChatRequest r = request("{" + USER_HI + "}").toBuilder().setModel(model).addAllModels(models).build();
    ChatPolicy m = POLICY.withDefaultModel(defaultModel);
    assertThat(m.primaryModel(r)).isEqualTo(primary);
    assertThat(m.modelChain(r)).isEqualTo(chain);
  }

  @Test
  void noModelAnywhereIsAnError() {
    assertThatThrownBy(() -> POLICY.primaryModel(request("{" + USER_HI + "}")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void attemptModelsBecomeModelAndModels() {
    ChatRequest r = request("{'model':'a'," + USER_HI + ",'models':['b','c','d','e']}");
    ObjectNode b = mapper.toUpstreamBody(r, List.of("c", "d", "e"), true);
    assertThat(b.get("model").asText()).isEqualTo("c");
    assertSameJson(b.get("models"), j("['d','e']"));
    assertThat(b.get("stream").booleanValue()).isTrue();
    assertThat(mapper.toUpstreamBody(r, List.of("e"), true).has("models")).isFalse();
    assertThatThrownBy(() -> mapper.toUpstreamBody(r, List.of(), true))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // -----------------------------------------------------------------------------------------
  // Messages

  static Stream<Arguments> messages() {
    return Stream.of(
        Arguments.of("{'role':'ROLE_SYSTEM','content':'s'}", "{'role':'system','content':'s'}"),
        Arguments.of("{'role':'ROLE_DEVELOPER','content':'d'}", "{'role':'developer','content':'d'}"),
        Arguments.of("{'role':'ROLE_USER','content':'u','name':'bob'}", "{'role':'user','content':'u','name':'bob'}"),
        Arguments.of("{'role':'ROLE_USER','content':''}", "{'role':'user','content':''}"),
        Arguments.of("{'role':'ROLE_ASSISTANT','content':'a'}", "{'role':'assistant','content':'a'}"),
        Arguments.of("{'role':'ROLE_ASSISTANT'}", "{'role':'assistant','content':null}"),
        Arguments.of(
            "{'role':'ROLE_ASSISTANT','tool_calls':[{'id':'c1','name':'f','arguments':'{}'}]}",
            "{'role':'assistant','content':null,'tool_calls':[{'id':'c1','type':'function','function':{'name':'f','arguments':'{}'}}]}"),
        Arguments.of(
            "{'role':'ROLE_ASSISTANT','content':'Let me check.','tool_calls':[{'name':'f','arguments':'{\\'a\\':1}'}]}",
            "{'role':'assistant','content':'Let me check.','tool_calls':[{'type':'function','function':{'name':'f','arguments':'{\\'a\\':1}'}}]}"),
        Arguments.of(
            "{'role':'ROLE_ASSISTANT','content':'x','reasoning':'r','refusal':'no','reasoning_details':[{'type':'reasoning.summary','summary':'s','index':0}]}",
            "{'role':'assistant','content':'x','reasoning':'r','refusal':'no','reasoning_details':[{'type':'reasoning.summary','summary':'s','index':0}]}"),
        Arguments.of("{'role':'ROLE_TOOL','tool_call_id':'c1','content':'42'}", "{'role':'tool','tool_call_id':'c1','content':'42'}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("messages")
  void messageVariants(String message, String expected) {
    JsonNode b = body("{'model':'m','messages':[" + message + "]}");
    assertSameJson(b.get("messages"), j("[" + expected + "]"));
  }

  static Stream<Arguments> parts() {
    return Stream.of(
        Arguments.of("{'text':'t'}", "{'type':'text','text':'t'}"),
        Arguments.of("{'text':'t','cache_control':{'type':'ephemeral','ttl':'1h'}}", "{'type':'text','text':'t','cache_control':{'type':'ephemeral','ttl':'1h'}}"),
        Arguments.of("{'text':'t','cache_control':{}}", "{'type':'text','text':'t','cache_control':{'type':'ephemeral'}}"),
        Arguments.of("{'image_url':{'url':'https://x/i.png'}}", "{'type':'image_url','image_url':{'url':'https://x/i.png'}}"),
        Arguments.of("{'image_url':{'url':'https://x/i.png','detail':'original'}}", "{'type':'image_url','image_url':{'url':'https://x/i.png','detail':'original'}}"),
        Arguments.of("{'input_audio':{'data':'QUJD','format':'mp3'}}", "{'type':'input_audio','input_audio':{'data':'QUJD','format':'mp3'}}"),
        Arguments.of("{'file':{'filename':'a.pdf','file_data':'data:application/pdf;base64,QUJD'}}", "{'type':'file','file':{'filename':'a.pdf','file_data':'data:application/pdf;base64,QUJD'}}"),
        Arguments.of("{'file':{'file_id':'file-1'}}", "{'type':'file','file':{'file_id':'file-1'}}"),
        Arguments.of("{'file':{'filename':'a.pdf','file_data':'https://x/a.pdf','file_id':'file-1'}}", "{'type':'file','file':{'filename':'a.pdf','file_data':'https://x/a.pdf','file_id':'file-1'}}"),
        Arguments.of("{'video_url':{'url':'https://x/v.mp4'}}", "{'type':'video_url','video_url':{'url':'https://x/v.mp4'}}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("parts")
  void contentPartVariants(String part, String expected) {
    JsonNode b = body("{'model':'m','messages':[{'role':'ROLE_USER','parts':[" + part + "]}]}");
    assertSameJson(b.get("messages"), j("[{'role':'user','content':[" + expected + "]}]"));
  }

  // -----------------------------------------------------------------------------------------
  // Tools, tool_choice, response_format

  static Stream<Arguments> tools() {
    return Stream.of(
        Arguments.of("{'function':{'name':'f'}}", "{'type':'function','function':{'name':'f'}}"),
        Arguments.of("{'type':'function','function':{'name':'f','description':'d','strict':false}}", "{'type':'function','function':{'name':'f','description':'d','strict':false}}"),
        Arguments.of(
            "{'function':{'name':'f','parameters':{'type':'object','properties':{'n':{'type':'integer','minimum':0,'maximum':10.5}}}}}",
            "{'type':'function','function':{'name':'f','parameters':{'type':'object','properties':{'n':{'type':'integer','minimum':0,'maximum':10.5}}}}}"),
        Arguments.of("{'function':{'name':'f'},'cache_control':{'type':'ephemeral','ttl':'1h'}}", "{'type':'function','function':{'name':'f'},'cache_control':{'type':'ephemeral','ttl':'1h'}}"),
        Arguments.of("{'type':'openrouter:web_search'}", "{'type':'openrouter:web_search'}"),
        Arguments.of(
            "{'type':'openrouter:web_search','server_tool_config':{'max_results':3,'allowed_domains':['a.com'],'user_location':{'type':'approximate','country':'US'}}}",
            "{'type':'openrouter:web_search','max_results':3,'allowed_domains':['a.com'],'user_location':{'type':'approximate','country':'US'}}"),
        Arguments.of("{'type':'web_search','server_tool_config':{'type':'ignored'}}", "{'type':'web_search'}"),
        Arguments.of("{'type':'openrouter:datetime','cache_control':{}}", "{'type':'openrouter:datetime','cache_control':{'type':'ephemeral'}}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tools")
  void toolVariants(String tool, String expected) {
    assertSameJson(extras("'tools':[" + tool + "]").get("tools"), j("[" + expected + "]"));
  }

  static Stream<Arguments> toolChoices() {
    return Stream.of(
        Arguments.of("{'mode':'none'}", "'none'"),
        Arguments.of("{'mode':'auto'}", "'auto'"),
        Arguments.of("{'mode':'required'}", "'required'"),
        Arguments.of("{'function_name':'f'}", "{'type':'function','function':{'name':'f'}}"),
        Arguments.of("{'server_tool_type':'openrouter:web_search'}", "{'type':'openrouter:web_search'}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("toolChoices")
  void toolChoiceVariants(String choice, String expected) {
    assertSameJson(
        extras("'tools':[{'function':{'name':'f'}}],'tool_choice':" + choice).get("tool_choice"),
        j(expected));
  }

  @Test
  void toolChoiceWithNothingChosenIsNotSent() {
    assertThat(extras("'tool_choice':{}").has("tool_choice")).isFalse();
  }

  static Stream<Arguments> responseFormats() {
    return Stream.of(
        Arguments.of("{'type':'text'}", "{'type':'text'}"),
        Arguments.of("{'type':'json_object'}", "{'type':'json_object'}"),
        Arguments.of("{'type':'python'}", "{'type':'python'}"),
        Arguments.of("{'type':'grammar','grammar':'root ::= \\'yes\\''}", "{'type':'grammar','grammar':'root ::= \\'yes\\''}"),
        Arguments.of(
            "{'type':'json_schema','json_schema':{'name':'w','schema':{'type':'object','properties':{'xs':{'type':'array','minItems':1}}}}}",
            "{'type':'json_schema','json_schema':{'name':'w','schema':{'type':'object','properties':{'xs':{'type':'array','minItems':1}}}}}"),
        Arguments.of(
            "{'type':'json_schema','json_schema':{'name':'w','description':'d','strict':false,'schema':{'type':'number','multipleOf':0.01}}}",
            "{'type':'json_schema','json_schema':{'name':'w','description':'d','strict':false,'schema':{'type':'number','multipleOf':0.01}}}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("responseFormats")
  void responseFormatVariants(String format, String expected) {
    assertSameJson(extras("'response_format':" + format).get("response_format"), j(expected));
  }

  @Test
  void wholeNumbersInStructsAreIntegers() {
    JsonNode b =
        extras(
            "'response_format':{'type':'json_schema','json_schema':{'name':'w','schema':{'minItems':1,'maxLength':64}}},"
                + "'trace':{'n':3},'image_config':{'n':2},'web_search_options':{'max_results':5},"
                + "'extra_body':{'x':{'count':7}},'provider':{'preferred_min_throughput':50},"
                + "'plugins':[{'id':'web','config':{'max_results':5}}],"
                + "'tools':[{'type':'openrouter:web_search','server_tool_config':{'max_results':4}}]");
    for (String path :
        List.of(
            "/response_format/json_schema/schema/minItems",
            "/response_format/json_schema/schema/maxLength",
            "/trace/n",
            "/image_config/n",
            "/web_search_options/max_results",
            "/x/count",
            "/provider/preferred_min_throughput",
            "/plugins/0/max_results",
            "/tools/0/max_results")) {
      assertThat(b.at(path).isIntegralNumber()).as(path).isTrue();
    }
    assertThat(OpenRouterJson.write(b)).doesNotContain(".0");
  }

  // -----------------------------------------------------------------------------------------
  // Provider, plugins, extra_body

  static Stream<Arguments> providerSorts() {
    return Stream.of(
        Arguments.of("{'by':'price'}", "'price'"),
        Arguments.of("{'by':'latency','partition':'model'}", "{'by':'latency','partition':'model'}"),
        Arguments.of("{'by':'exacto','partition':'none'}", "{'by':'exacto','partition':'none'}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("providerSorts")
  void providerSortVariants(String sort, String expected) {
    assertSameJson(extras("'provider':{'sort':" + sort + "}").get("provider"), j("{'sort':" + expected + "}"));
  }

  @Test
  void providerPreferredValuesAndPartialMaxPrice() {
    assertSameJson(
        extras(
                "'provider':{'preferred_min_throughput':{'p50':100,'p90':50.5},'preferred_max_latency':2.5,"
                    + "'max_price':{'prompt':'0.5','completion':'1.25'}}")
            .get("provider"),
        j(
            "{'preferred_min_throughput':{'p50':100,'p90':50.5},'preferred_max_latency':2.5,"
                + "'max_price':{'prompt':'0.5','completion':'1.25'}}"));
    assertThat(extras("'provider':{'sort':{}}").get("provider").has("sort")).isFalse();
  }

  @Test
  void pluginsCarryTheirConfigFlat() {
    assertSameJson(
        extras(
                "'plugins':[{'id':'file-parser','config':{'pdf':{'engine':'mistral-ocr'}}},"
                    + "{'id':'auto-router','enabled':true,'config':{'allowed_models':['anthropic/*'],'id':'x','enabled':false}}]")
            .get("plugins"),
        j(
            "[{'id':'file-parser','pdf':{'engine':'mistral-ocr'}},"
                + "{'id':'auto-router','enabled':true,'allowed_models':['anthropic/*']}]"));
  }

  @Test
  void extraBodyIsMergedAtTopLevelButNeverOverridesTypedFields() {
    JsonNode b =
        extras(
            "'temperature':0.5,'extra_body':{'route':'fallback','transforms':['middle-out'],"
                + "'temperature':2,'stream':true,'model':'evil','usage':{'include':true}}");
    assertSameJson(
        b,
        j(
            "{'temperature':0.5,'max_tokens':4096,'route':'fallback','transforms':['middle-out'],"
                + "'usage':{'include':true}}"));
  }
}
