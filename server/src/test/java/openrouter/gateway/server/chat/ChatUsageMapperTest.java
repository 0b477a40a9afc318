package openrouter.gateway.server.chat;

import static openrouter.gateway.server.chat.ChatFixtures.merge;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import openrouter.gateway.server.json.OpenRouterJson;
import openrouter.gateway.server.upstream.wire.ChatChunks;
import openrouter.gateway.v1.Usage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChatUsageMapperTest {

  private static JsonNode usage(String json) {
    return OpenRouterJson.parse(json.replace('\'', '"'));
  }

  @ParameterizedTest(name = "cost {0} -> \"{1}\"")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "0.00014 | 0.00014",
        "0.000140 | 0.000140",
        "0 | 0",
        "2 | 2",
        "1.5e-5 | 0.000015",
        "1E+2 | 100",
        "0.1000000000000000055511151231257827 | 0.1000000000000000055511151231257827",
        "12345678901234567890.123456789 | 12345678901234567890.123456789",
        "null | ''",
        "'0.25' | 0.25",
        "'cheap' | ''",
        "true | ''",
      })
  void costIsTheExactDecimalText(String json, String expected) {
    String wanted = expected.equals("''") ? "" : expected;
    Usage u = UsageMapper.toUsage(ChatChunks.usage(usage("{'cost':" + json + "}")));
    assertThat(u.getCost()).isEqualTo(wanted);
  }

  @Test
  void fullUsage() {
    Usage u =
        UsageMapper.toUsage(
            ChatChunks.usage(usage(
                "{'prompt_tokens':194,'completion_tokens':2,'total_tokens':196,"
                    + "'prompt_tokens_details':{'cached_tokens':3,'cache_write_tokens':100,'audio_tokens':4,'video_tokens':5},"
                    + "'completion_tokens_details':{'reasoning_tokens':6,'audio_tokens':7,'image_tokens':8,'accepted_prediction_tokens':9,'rejected_prediction_tokens':10},"
                    + "'cost':0.00014,'is_byok':true,"
                    + "'cost_details':{'upstream_inference_cost':0.00020,'upstream_inference_prompt_cost':0.0001,'upstream_inference_completions_cost':0.00004},"
                    + "'server_tool_use_details':{'web_search_requests':11,'tool_calls_requested':12,'tool_calls_executed':13},"
                    + "'unknown_new_field':{'x':1}}")));
    Usage expected =
        merge(
                ("{'prompt_tokens':194,'completion_tokens':2,'total_tokens':196,"
                        + "'prompt_tokens_details':{'cached_tokens':3,'cache_write_tokens':100,'audio_tokens':4,'video_tokens':5},"
                        + "'completion_tokens_details':{'reasoning_tokens':6,'audio_tokens':7,'image_tokens':8,'accepted_prediction_tokens':9,'rejected_prediction_tokens':10},"
                        + "'cost':'0.00014','is_byok':true,"
                        + "'cost_details':{'upstream_inference_cost':'0.00020','upstream_inference_prompt_cost':'0.0001','upstream_inference_completions_cost':'0.00004'},"
                        + "'server_tool_use_details':{'web_search_requests':11,'tool_calls_requested':12,'tool_calls_executed':13}}")
                    .replace('\'', '"'),
                Usage.newBuilder())
            .build();
    assertThat(u).isEqualTo(expected);
  }

  @Test
  void missingPartsStayUnset() {
    Usage u = UsageMapper.toUsage(ChatChunks.usage(usage("{'prompt_tokens':10,'completion_tokens':4.0,'total_tokens':'14','cost':null}")));
    assertThat(u.getPromptTokens()).isEqualTo(10);
    assertThat(u.getCompletionTokens()).isEqualTo(4);
    assertThat(u.getTotalTokens()).isZero();
    assertThat(u.getCost()).isEmpty();
    assertThat(u.hasPromptTokensDetails()).isFalse();
    assertThat(u.hasCompletionTokensDetails()).isFalse();
    assertThat(u.hasCostDetails()).isFalse();
    assertThat(u.hasServerToolUseDetails()).isFalse();
    assertThat(UsageMapper.toUsage(ChatChunks.usage(null))).isEqualTo(Usage.getDefaultInstance());
    assertThat(UsageMapper.toUsage(ChatChunks.usage(usage("null")))).isEqualTo(Usage.getDefaultInstance());
    assertThat(UsageMapper.toUsage(ChatChunks.usage(usage("[1]")))).isEqualTo(Usage.getDefaultInstance());
  }

  @Test
  void aPlainMapperLosesDigitsWhichIsWhyTheSharedOneIsUsed() throws Exception {
    String text = "{\"cost\":0.1000000000000000055511151231257827}";
    assertThat(UsageMapper.toUsage(ChatChunks.usage(new ObjectMapper().readTree(text))).getCost()).isEqualTo("0.1");
    assertThat(UsageMapper.toUsage(ChatChunks.usage(OpenRouterJson.mapper().readTree(text))).getCost())
        .isEqualTo("0.1000000000000000055511151231257827");
  }
}
