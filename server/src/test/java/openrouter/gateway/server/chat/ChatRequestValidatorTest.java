package openrouter.gateway.server.chat;

import static openrouter.gateway.server.chat.ChatFixtures.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.base.Strings;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.rpc.BadRequest.FieldViolation;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import openrouter.gateway.server.json.JsonTrees;
import openrouter.gateway.server.upstream.wire.ChatRequestBodies;
import openrouter.gateway.v1.ChatRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ChatRequestValidatorTest {

  private static final ChatPolicy POLICY = new ChatPolicy(null, 4096, 10, 4);
  private final ChatRequestValidator validator = new ChatRequestValidator(POLICY);

  private static final String BASE = "'model':'m','messages':[{'role':'ROLE_USER','content':'hi'}]";

  private static List<String> fields(List<FieldViolation> violations) {
    return violations.stream().map(FieldViolation::getField).collect(Collectors.toList());
  }

  private static void assertActionable(List<FieldViolation> violations) {
    for (FieldViolation v : violations) {
      assertThat(v.getDescription()).as(v.getField()).isNotBlank().endsWith(".");
      assertThat(Character.isUpperCase(v.getDescription().charAt(0))).as(v.getField()).isTrue();
    }
  }

  // -----------------------------------------------------------------------------------------
  // Valid requests

  static Stream<String> validRequests() {
    return Stream.of(
        "{" + BASE + "}",
        "{'models':['a/x','b/y'],'messages':[{'role':'ROLE_USER','content':'hi'}]}",
        "{" + BASE + ",'models':['a','b','c','d','e','f','g','h','i']}",
        "{'model':'m','messages':[{'role':'ROLE_USER','parts':[{'text':'a','cache_control':{}},{'image_url':{'url':'https://x'}}]},"
            + "{'role':'ROLE_ASSISTANT','tool_calls':[{'id':'c','name':'f','arguments':'{}'}]},"
            + "{'role':'ROLE_TOOL','tool_call_id':'c','content':'1'},{'role':'ROLE_ASSISTANT'}]}",
        "{" + BASE + ",'temperature':0,'top_p':1,'top_k':0,'min_p':0,'top_a':1,'frequency_penalty':-2,"
            + "'presence_penalty':2,'repetition_penalty':2,'max_tokens':1,'max_completion_tokens':1,"
            + "'logprobs':true,'top_logprobs':20,'stop':['a','b','c','d'],'logit_bias':{'1':-100,'2':100}}",
        "{" + BASE + ",'tools':[{'function':{'name':'a-B_9'}},{'type':'openrouter:web_search','server_tool_config':{'max_results':2}}],"
            + "'tool_choice':{'function_name':'a-B_9'}}",
        "{" + BASE + ",'tool_choice':{'mode':'none'}}",
        "{" + BASE + ",'response_format':{'type':'json_schema','json_schema':{'name':'n','schema':{}}}}",
        "{" + BASE + ",'reasoning':{'max_tokens':1024},'provider':{'sort':{'by':'price','partition':'none'},'max_price':{'prompt':'0.5'}}}",
        "{" + BASE + ",'extra_body':{'route':'fallback','transforms':['middle-out'],'usage':{'include':true}}}");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validRequests")
  void validRequestsHaveNoViolations(String json) {
    assertThat(validator.validate(request(json))).isEmpty();
  }

  @Test
  void missingModelIsFineWithADefaultModel() {
    ChatRequest r = request("{'messages':[{'role':'ROLE_USER','content':'hi'}]}");
    assertThat(fields(validator.validate(r))).containsExactly("model");
    assertThat(new ChatRequestValidator(POLICY.withDefaultModel("d/m")).validate(r)).isEmpty();
  }

  // -----------------------------------------------------------------------------------------
  // One rule at a time: request fields (added to a valid base) -> the violations' field paths

  static Stream<Arguments> invalidRequests() {
    return Stream.of(
        // messages
        Arguments.of("{'model':'m'}", List.of("messages")),
        Arguments.of("{'model':'m','messages':[]}", List.of("messages")),
        Arguments.of("{'model':'m','messages':[{'content':'x'}]}", List.of("messages[0].role")),
        Arguments.of("{'model':'m','messages':[{'role':'ROLE_USER','content':'q'},{'role':'ROLE_TOOL','content':'42'}]}", List.of("messages[1].tool_call_id")),
        Arguments.of("{'model':'m','messages':[{'role':'ROLE_USER','content':'q','parts':[{'text':'x'}]}]}", List.of("messages[0].parts")),
        Arguments.of("{'model':'m','messages':[{'role':'ROLE_USER','parts':[{'text':'x'},{}]}]}", List.of("messages[0].parts[1]")),
        Arguments.of("{'model':'m','messages':[{'role':'ROLE_USER','parts':[{'image_url':{'url':'https://x'},'cache_control':{'type':'ephemeral'}}]}]}", List.of("messages[0].parts[0].cache_control")),
        Arguments.of("{'model':'m','messages':[{'role':'ROLE_USER','parts':[{'file':{'file_id':'f'},'cache_control':{}}]}]}", List.of("messages[0].parts[0].cache_control")),
        Arguments.of("{'model':'m','messages':[{'role':'ROLE_USER'}]}", List.of("messages[0].content")),
        Arguments.of("{'model':'m','messages':[{'role':'ROLE_SYSTEM','parts':[{'image_url':{'url':'https://x'}}]}]}", List.of("messages[0].parts[0]")),
        Arguments.of("{'model':'m','messages':[{'role':'ROLE_USER','content':'x','tool_calls':[{'name':'f'}]}]}", List.of("messages[0].tool_calls")),
        Arguments.of("{'model':'m','messages':[{'role':'ROLE_ASSISTANT','tool_calls':[{'id':'c','arguments':'{}'}]}]}", List.of("messages[0].tool_calls[0].name")),
        Arguments.of("{'model':'m','messages':[{'role':'ROLE_USER','parts':[{'image_url':{'detail':'low'}}]}]}", List.of("messages[0].parts[0].image_url.url")),
        Arguments.of("{'model':'m','messages':[{'role':'ROLE_USER','parts':[{'input_audio':{'data':'QQ=='}}]}]}", List.of("messages[0].parts[0].input_audio.format")),
        Arguments.of("{'model':'m','messages':[{'role':'ROLE_USER','parts':[{'input_audio':{'format':'wav'}}]}]}", List.of("messages[0].parts[0].input_audio.data")),
        Arguments.of("{'model':'m','messages':[{'role':'ROLE_USER','parts':[{'file':{'filename':'a.pdf'}}]}]}", List.of("messages[0].parts[0].file")),
        Arguments.of("{'model':'m','messages':[{'role':'ROLE_USER','parts':[{'video_url':{}}]}]}", List.of("messages[0].parts[0].video_url.url")),
        // models
        Arguments.of("{'messages':[{'role':'ROLE_USER','content':'hi'}]}", List.of("model")),
        Arguments.of("{" + BASE + ",'models':['a','']}", List.of("models[1]")),
        Arguments.of("{'messages':[{'role':'ROLE_USER','content':'hi'}],'models':['']}", List.of("models[0]", "model")),
        Arguments.of("{" + BASE + ",'models':['a','b','c','d','e','f','g','h','i','j']}", List.of("models")),
        Arguments.of("{'messages':[{'role':'ROLE_USER','content':'hi'}],'models':['a','b','c','d','e','f','g','h','i','j','k']}", List.of("models")),
        // sampling
        Arguments.of("{" + BASE + ",'temperature':2.01}", List.of("temperature")),
        Arguments.of("{" + BASE + ",'temperature':-0.1}", List.of("temperature")),
        Arguments.of("{" + BASE + ",'temperature':'NaN'}", List.of("temperature")),
        Arguments.of("{" + BASE + ",'top_p':1.5}", List.of("top_p")),
        Arguments.of("{" + BASE + ",'top_p':-0.5}", List.of("top_p")),
        Arguments.of("{" + BASE + ",'top_k':-1}", List.of("top_k")),
        Arguments.of("{" + BASE + ",'min_p':1.01}", List.of("min_p")),
        Arguments.of("{" + BASE + ",'top_a':-0.01}", List.of("top_a")),
        Arguments.of("{" + BASE + ",'frequency_penalty':2.5}", List.of("frequency_penalty")),
        Arguments.of("{" + BASE + ",'presence_penalty':-2.5}", List.of("presence_penalty")),
        Arguments.of("{" + BASE + ",'repetition_penalty':0}", List.of("repetition_penalty")),
        Arguments.of("{" + BASE + ",'repetition_penalty':2.1}", List.of("repetition_penalty")),
        Arguments.of("{" + BASE + ",'max_tokens':0}", List.of("max_tokens")),
        Arguments.of("{" + BASE + ",'max_completion_tokens':-1}", List.of("max_completion_tokens")),
        Arguments.of("{" + BASE + ",'logprobs':true,'top_logprobs':21}", List.of("top_logprobs")),
        Arguments.of("{" + BASE + ",'logprobs':true,'top_logprobs':-1}", List.of("top_logprobs")),
        Arguments.of("{" + BASE + ",'top_logprobs':3}", List.of("top_logprobs")),
        Arguments.of("{" + BASE + ",'logprobs':false,'top_logprobs':3}", List.of("top_logprobs")),
        Arguments.of("{" + BASE + ",'top_logprobs':30}", List.of("top_logprobs", "top_logprobs")),
        Arguments.of("{" + BASE + ",'stop':['a','b','c','d','e']}", List.of("stop")),
        Arguments.of("{" + BASE + ",'stop':['a','']}", List.of("stop[1]")),
        Arguments.of("{" + BASE + ",'logit_bias':{'abc':1}}", List.of("logit_bias.abc")),
        Arguments.of("{" + BASE + ",'logit_bias':{'5':101}}", List.of("logit_bias.5")),
        // tools
        Arguments.of("{" + BASE + ",'tools':[{'function':{'description':'no name'}}]}", List.of("tools[0].function.name")),
        Arguments.of("{" + BASE + ",'tools':[{}]}", List.of("tools[0].function.name")),
        Arguments.of("{" + BASE + ",'tools':[{'type':'function','function':{'name':'get weather'}}]}", List.of("tools[0].function.name")),
        Arguments.of("{" + BASE + ",'tools':[{'function':{'name':'" + "f".repeat(65) + "'}}]}", List.of("tools[0].function.name")),
        Arguments.of("{" + BASE + ",'tools':[{'function':{'name':'f'}},{'function':{'name':'f'}}]}", List.of("tools[1].function.name")),
        Arguments.of("{" + BASE + ",'tools':[{'function':{'name':'f'},'server_tool_config':{'a':1}}]}", List.of("tools[0].server_tool_config")),
        Arguments.of("{" + BASE + ",'tools':[{'type':'openrouter:web_search','function':{'name':'f'}}]}", List.of("tools[0].function")),
        Arguments.of("{" + BASE + ",'tools':[{'type':'openrouter:web_search','server_tool_config':{'type':'x'}}]}", List.of("tools[0].server_tool_config.type")),
        Arguments.of("{" + BASE + ",'tools':[{'function':{'name':'f'}}],'tool_choice':{'function_name':'g'}}", List.of("tool_choice.function_name")),
        Arguments.of("{" + BASE + ",'tool_choice':{'function_name':'g'}}", List.of("tool_choice.function_name")),
        Arguments.of("{" + BASE + ",'tools':[{'type':'openrouter:web_search'}],'tool_choice':{'function_name':'openrouter:web_search'}}", List.of("tool_choice.function_name")),
        Arguments.of("{" + BASE + ",'tool_choice':{'mode':''}}", List.of("tool_choice.mode")),
        Arguments.of("{" + BASE + ",'tool_choice':{'server_tool_type':''}}", List.of("tool_choice.server_tool_type")),
        // response_format
        Arguments.of("{" + BASE + ",'response_format':{'type':'json_schema'}}", List.of("response_format.json_schema.name", "response_format.json_schema.schema")),
        Arguments.of("{" + BASE + ",'response_format':{'type':'json_schema','json_schema':{'name':'n'}}}", List.of("response_format.json_schema.schema")),
        Arguments.of("{" + BASE + ",'response_format':{'type':'json_schema','json_schema':{'schema':{'type':'object'}}}}", List.of("response_format.json_schema.name")),
        Arguments.of("{" + BASE + ",'response_format':{'type':'json_schema','json_schema':{'name':'a b','schema':{}}}}", List.of("response_format.json_schema.name")),
        Arguments.of("{" + BASE + ",'response_format':{}}", List.of("response_format.type")),
        Arguments.of("{" + BASE + ",'response_format':{'type':'grammar'}}", List.of("response_format.grammar")),
        // reasoning, provider, plugins, identifiers
        Arguments.of("{" + BASE + ",'reasoning':{'effort':'high','max_tokens':2000}}", List.of("reasoning.max_tokens")),
        Arguments.of("{" + BASE + ",'reasoning':{'max_tokens':0}}", List.of("reasoning.max_tokens")),
        Arguments.of("{" + BASE + ",'provider':{'sort':{'partition':'none'}}}", List.of("provider.sort.by")),
        Arguments.of("{" + BASE + ",'provider':{'max_price':{'prompt':'cheap','image':'-1'}}}", List.of("provider.max_price.prompt", "provider.max_price.image")),
        Arguments.of("{" + BASE + ",'plugins':[{'enabled':true}]}", List.of("plugins[0].id")),
        Arguments.of("{" + BASE + ",'plugins':[{'id':'web','config':{'id':'x','enabled':false}}]}", List.of("plugins[0].config.id", "plugins[0].config.enabled")),
        Arguments.of("{" + BASE + ",'user':'" + "u".repeat(257) + "'}", List.of("user")),
        Arguments.of("{" + BASE + ",'session_id':'" + "s".repeat(257) + "'}", List.of("session_id")),
        Arguments.of("{" + BASE + ",'metadata':{'" + "k".repeat(65) + "':'v'}}", List.of("metadata." + "k".repeat(65))),
        Arguments.of("{" + BASE + ",'metadata':{'k':'" + "v".repeat(513) + "'}}", List.of("metadata.k")),
        Arguments.of(
            "{" + BASE + ",'metadata':{" + IntStream.range(0, 17).mapToObj(i -> "'k" + i + "':'v'").collect(Collectors.joining(",")) + "}}",
            List.of("metadata")),
        // extra_body aliases
        Arguments.of("{" + BASE + ",'extra_body':{'reasoning_effort':'high','include_reasoning':true}}", List.of("extra_body.include_reasoning", "extra_body.reasoning_effort")));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("invalidRequests")
  void eachRuleReportsItsFieldPath(String json, List<String> expectedFields) {
    List<FieldViolation> violations = validator.validate(request(json));
    assertThat(fields(violations)).isEqualTo(expectedFields);
    assertActionable(violations);
  }

  // -----------------------------------------------------------------------------------------
  // Rules whose request cannot be written in proto JSON, and descriptions that must say things

  @Test
  void unknownRoleNumber() {
    ChatRequest.Builder r = ChatFixtures.builder("{" + BASE + "}");
    r.getMessagesBuilder(0).setRoleValue(42);
    List<FieldViolation> violations = validator.validate(r.build());
    assertThat(fields(violations)).containsExactly("messages[0].role");
    assertThat(violations.get(0).getDescription()).contains("42").contains("ROLE_USER");
  }

  @Test
  void noModelSaysHowToFixIt() {
    FieldViolation v =
        validator.validate(request("{'messages':[{'role':'ROLE_USER','content':'hi'}]}")).get(0);
    assertThat(v.getDescription()).containsIgnoringCase("set model").contains("OPENROUTER_DEFAULT_MODEL");
  }

  @Test
  void modelChainLimitIsStatedAndCountsTheDefaultModel() {
    ChatRequest r =
        request("{'messages':[{'role':'ROLE_USER','content':'hi'}],'models':['a','b','c','d','e','f','g','h','i','j']}");
    // Without a default the chain is the 10 models: fine. With one, it is 11.
    assertThat(validator.validate(r)).isEmpty();
    List<FieldViolation> violations = new ChatRequestValidator(POLICY.withDefaultModel("d")).validate(r);
    assertThat(fields(violations)).containsExactly("models");
    assertThat(violations.get(0).getDescription()).contains("at most 10").contains("11");
    // The limit comes from the policy.
    List<FieldViolation> small =
        new ChatRequestValidator(new ChatPolicy(null, 4096, 3, 4))
            .validate(request("{" + BASE + ",'models':['a','b','c']}"));
    assertThat(small.get(0).getDescription()).contains("at most 3").contains("make 4");
  }

  @Test
  void stopLimitComesFromThePolicy() {
    ChatRequest r = request("{" + BASE + ",'stop':['a','b']}");
    assertThat(validator.validate(r)).isEmpty();
    List<FieldViolation> violations = new ChatRequestValidator(new ChatPolicy(null, 1, 10, 1)).validate(r);
    assertThat(fields(violations)).containsExactly("stop");
    assertThat(violations.get(0).getDescription()).contains("at most 1 ");
  }

  @Test
  void toolChoiceNamesTheDeclaredFunctions() {
    FieldViolation v =
        validator
            .validate(
                request(
                    "{" + BASE + ",'tools':[{'function':{'name':'alpha'}},{'function':{'name':'beta'}}],'tool_choice':{'function_name':'gamma'}}"))
            .get(0);
    assertThat(v.getDescription()).contains("alpha").contains("beta").contains("gamma");
  }

  @Test
  void rangeViolationsQuoteTheValue() {
    FieldViolation v = validator.validate(request("{" + BASE + ",'temperature':3.5}")).get(0);
    assertThat(v.getDescription()).contains("between 0 and 2").contains("3.5");
  }

  /**
   * Every top-level key the mapper produces from a typed field (read from the golden body, minus
   * the keys that came from the golden request's own extra_body), plus stream_options, is
   * rejected in extra_body with advice to use the typed field.
   */
  @Test
  void extraBodyKeysCoveredByTypedFieldsAreRejected() {
    ChatRequest golden = ChatFixtures.requestResource("/chat/full-request.proto.json");
    List<String> keys = new ArrayList<>();
    Iterator<String> it = JsonTrees.resource("/chat/full-request.upstream.json").fieldNames();
    it.forEachRemaining(keys::add);
    keys.removeAll(golden.getExtraBody().getFieldsMap().keySet());
    keys.add("stream_options");
    assertThat(keys).contains("model", "models", "messages", "stream", "max_tokens", "tool_choice", "prompt_cache_key");

    for (String key : keys) {
      ChatRequest r =
          request("{" + BASE + "}").toBuilder()
              .setExtraBody(Struct.newBuilder().putFields(key, Value.newBuilder().setBoolValue(true).build()))
              .build();
      List<FieldViolation> violations = validator.validate(r);
      assertThat(fields(violations)).as(key).containsExactly("extra_body." + key);
      assertActionable(violations);
      if (!key.startsWith("stream")) {
        assertThat(violations.get(0).getDescription()).contains("ChatRequest." + key + " instead");
      }
    }
    // And the mapper never lets them through.
    assertThat(ChatRequestBodies.RESERVED_KEYS).containsAll(keys);
  }

  @Test
  void everyProblemIsReportedInOneGo() {
    ChatRequest r =
        request(
            "{'messages':[{'role':'ROLE_TOOL','content':'x'},{'content':'y'}],'temperature':9,"
                + "'stop':['1','2','3','4','5'],'extra_body':{'stream':true}}");
    assertThat(fields(validator.validate(r)))
        .containsExactly(
            "messages[0].tool_call_id",
            "messages[1].role",
            "model",
            "temperature",
            "stop",
            "extra_body.stream");
  }

  @Test
  void longButAllowedValuesPass() {
    ChatRequest r =
        request(
            "{" + BASE + ",'user':'" + Strings.repeat("u", 256) + "','tools':[{'function':{'name':'"
                + Strings.repeat("f", 64) + "'}}]}");
    assertThat(validator.validate(r)).isEmpty();
  }
}
