package openrouter.gateway.server.upstream.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import openrouter.gateway.server.json.OpenRouterJson;
import org.junit.jupiter.api.Test;

/** Chunks and completion bodies as OpenRouter sends them (openrouter-api.md §2.9, §3). */
class ChatChunksTest {

  private static ChatChunk parse(String json) {
    return ChatChunks.parse(OpenRouterJson.parse(json));
  }

  @Test
  void aCapturedContentChunk() {
    ChatChunk c = parse("""
        {"id":"gen-1739458867-kUKFjpDGCEBBvK6V46PX","provider":"OpenAI","model":"openai/gpt-4o-mini",
         "object":"chat.completion.chunk","created":1739458867,"system_fingerprint":"fp_72ed7ab54c",
         "choices":[{"index":0,"delta":{"role":"assistant","content":"Hello"},"finish_reason":null,
           "native_finish_reason":null,"logprobs":null}]}""");
    assertThat(c.id()).isEqualTo("gen-1739458867-kUKFjpDGCEBBvK6V46PX");
    assertThat(c.provider()).isEqualTo("OpenAI");
    assertThat(c.model()).isEqualTo("openai/gpt-4o-mini");
    assertThat(c.created()).isEqualTo(OptionalLong.of(1739458867));
    assertThat(c.systemFingerprint()).isEqualTo("fp_72ed7ab54c");
    assertThat(c.error()).isEmpty();
    ChatChunk.Choice choice = c.choice().orElseThrow();
    assertThat(choice.finishReason()).isEmpty();
    assertThat(choice.logprobs()).isEmpty();
    assertThat(choice.delta().orElseThrow().content()).isEqualTo("Hello");
  }

  @Test
  void theErrorChunkOfAStreamThatFailedAfterTokens() {
    ChatChunk c = parse("""
        {"id":"gen-abc","object":"chat.completion.chunk","created":1234567890,"model":"openai/gpt-4o","provider":"OpenAI",
         "error":{"code":429,"message":"Rate limit exceeded","metadata":{"error_type":"rate_limit_exceeded","provider_code":"x"}},
         "choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"}]}""");
    OpenRouterError e = c.error().orElseThrow();
    assertThat(e.httpStatus()).isEqualTo(200);
    assertThat(e.effectiveStatus()).isEqualTo(429);
    assertThat(e.errorType()).isEqualTo("rate_limit_exceeded");
    assertThat(c.choice().orElseThrow().finishReason()).contains("error");
  }

  @Test
  void aChoiceErrorCountsWhenThereIsNoTopLevelOne() {
    ChatChunk c = parse("""
        {"choices":[{"index":0,"delta":{},"finish_reason":"error","error":{"code":502,"message":"Provider returned error"}}]}""");
    assertThat(c.error().orElseThrow().effectiveStatus()).isEqualTo(502);
    assertThat(parse("{\"error\":null,\"choices\":[]}").error()).isEmpty();
    assertThat(parse("{\"error\":null,\"choices\":[]}").choice()).isEmpty();
  }

  @Test
  void aTwoHundredCompletionBodyHoldingAnError() {
    ChatChunk c = parse("""
        {"id":null,"choices":null,"error":{"message":"Provider returned error","code":524,
         "metadata":{"raw":"error code: 524","provider_name":"Google AI Studio"}},"user_id":"user_2lJk"}""");
    assertThat(c.id()).isEmpty();
    assertThat(c.choice()).isEmpty();
    assertThat(c.error().orElseThrow().effectiveStatus()).isEqualTo(524);
    assertThat(c.error().orElseThrow().raw()).contains(new OpenRouterError.RawDetail("error code: 524"));
  }

  @Test
  void aCompletionChoiceCarriesMessageInsteadOfDelta() {
    ChatChunk c = parse("""
        {"id":"gen-3","choices":[{"index":0,"finish_reason":"stop","native_finish_reason":"STOP",
          "message":{"role":"assistant","content":[{"type":"text","text":"Hel"},"lo"],"reasoning_content":"thought",
            "tool_calls":[{"id":"t","function":{"name":"f","arguments":{"a":1}}},"junk",{"index":7,"function":{}}]}}]}""");
    ChatChunk.Choice choice = c.choice().orElseThrow();
    assertThat(choice.nativeFinishReason()).contains("STOP");
    ChatChunk.Delta d = choice.delta().orElseThrow();
    assertThat(d.content()).isEqualTo("Hello");
    assertThat(d.reasoning()).isEqualTo("thought");
    assertThat(d.toolCalls()).containsExactly(
        new ChatChunk.ToolCallFragment(0, "t", "", "f", "{\"a\":1}"),
        new ChatChunk.ToolCallFragment(7, "", "", "", ""));
  }

  @Test
  void aNumericIdAndOddTypesAreReadLeniently() {
    ChatChunk c = parse("""
        {"id":12345,"model":"","provider":null,"created":"1739458867","choices":[{"delta":"not an object"}]}""");
    assertThat(c.id()).isEqualTo("12345");
    assertThat(c.model()).isEmpty();
    assertThat(c.provider()).isEmpty();
    assertThat(c.created()).isEmpty();
    assertThat(c.choice().orElseThrow().delta()).isEmpty();
    assertThat(ChatChunks.parse(OpenRouterJson.parse("[1,2]"))).isEqualTo(ChatChunk.NONE);
    assertThat(ChatChunks.parse(null)).isEqualTo(ChatChunk.NONE);
  }

  @Test
  void annotationsImagesAudioAndLogprobs() {
    ChatChunk c = parse("""
        {"choices":[{"index":0,"logprobs":{"content":[],"refusal":null},"delta":{
          "annotations":[{"type":"url_citation","url_citation":{"url":"https://a.test","title":"A","start_index":1}},
                         {"type":"url_citation","url":"https://b.test","content":"flat"},
                         {"type":"file","file":{"name":"x.pdf"}}],
          "images":[{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}},{"url":""}],
          "audio":{"id":"audio_1","data":"AAAA","expires_at":1700000000}}}]}""");
    ChatChunk.Choice choice = c.choice().orElseThrow();
    assertThat(choice.logprobs()).as("only empty lists and nulls").isEmpty();
    ChatChunk.Delta d = choice.delta().orElseThrow();
    assertThat(d.annotations()).hasSize(3);
    assertThat(d.annotations().get(0).urlCitation()).contains(
        new ChatChunk.Citation("https://a.test", "A", "", OptionalInt.of(1), OptionalInt.empty()));
    assertThat(d.annotations().get(1).urlCitation().orElseThrow().content()).isEqualTo("flat");
    assertThat(d.annotations().get(2).other().orElseThrow().getFieldsMap()).containsKey("file");
    assertThat(d.imageUrls()).containsExactly("data:image/png;base64,AAAA");
    assertThat(d.audio()).contains(new ChatChunk.AudioFragment("audio_1", "AAAA", "", 1700000000));
    assertThat(parse("{\"choices\":[{\"delta\":{\"audio\":{\"id\":\"\"}}}]}").choice().orElseThrow()
        .delta().orElseThrow().audio()).isEmpty();
    assertThat(parse("{\"choices\":[{\"delta\":{},\"logprobs\":{\"content\":[{\"token\":\"a\"}]}}]}").choice()
        .orElseThrow().logprobs()).isPresent();
  }

  @Test
  void usageKeepsMoneyExactAndCountsOnlyNumbers() {
    ChatChunk c = parse("""
        {"choices":[],"usage":{"prompt_tokens":194,"completion_tokens":4.0,"total_tokens":"14","cost":0.000123450,
         "is_byok":true,"cost_details":{"upstream_inference_cost":null},"prompt_tokens_details":{"cached_tokens":128}}}""");
    TokenUsage u = c.usage().orElseThrow();
    assertThat(u.promptTokens()).isEqualTo(194);
    assertThat(u.completionTokens()).isEqualTo(4);
    assertThat(u.totalTokens()).as("a number sent as a string is not a count").isZero();
    assertThat(u.cost()).isEqualTo("0.000123450");
    assertThat(u.isByok()).isTrue();
    assertThat(u.costDetails().orElseThrow().upstreamInferenceCost()).isEmpty();
    assertThat(u.promptDetails().orElseThrow().cachedTokens()).isEqualTo(128);
    assertThat(u.completionDetails()).isEmpty();
    assertThat(ChatChunks.usage(OpenRouterJson.parse("{\"cost\":\"0.5\"}")).cost()).isEqualTo("0.5");
    assertThat(ChatChunks.usage(OpenRouterJson.parse("{\"cost\":\"cheap\"}")).cost()).isEmpty();
    assertThat(parse("{\"usage\":null}").usage()).isEmpty();
    assertThat(parse("{\"usage\":[1]}").usage()).contains(TokenUsage.EMPTY);
  }

  @Test
  void routerMetadataIsPassedThroughWhenItIsAnObject() {
    assertThat(parse("{\"openrouter_metadata\":{\"pipeline\":[{\"type\":\"guardrail\"}]}}").openrouterMetadata()
        .orElseThrow().getFieldsMap()).containsKey("pipeline");
    assertThat(parse("{\"openrouter_metadata\":null}").openrouterMetadata()).isEqualTo(Optional.empty());
    assertThat(parse("{\"choices\":[{\"delta\":{\"reasoning_details\":[{\"type\":\"reasoning.text\",\"text\":\"a\"},3]}}]}")
        .choice().orElseThrow().delta().orElseThrow().reasoningDetails()).hasSize(1);
  }
}
