package openrouter.gateway.server.upstream.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.json.OpenRouterJson;
import org.junit.jupiter.api.Test;

/** The account, model, generation and embeddings reads on the reference's samples (§4, §5). */
class ReadsTest {

  @Test
  void keyInfoOfTheReferenceSample() {
    KeyInfo k = AccountReads.keyInfo(OpenRouterJson.parse("""
        {"label":"sk-or-v1-au7...890","limit":100,"limit_remaining":74.5,"limit_reset":"monthly",
         "include_byok_in_limit":false,"usage":25.5,"usage_daily":25.5,"usage_weekly":25.5,"usage_monthly":25.5,
         "byok_usage":17.38,"byok_usage_daily":17.38,"byok_usage_weekly":17.38,"byok_usage_monthly":17.38,
         "is_free_tier":false,"is_management_key":false,"is_provisioning_key":true,
         "creator_user_id":"user_1","expires_at":"2027-12-31T23:59:59Z","allowed_data_regions":["eu",3],
         "rate_limit":{"requests":1000,"interval":"1h"}}"""));
    assertThat(k.limit()).isEqualTo("100");
    assertThat(k.limitRemaining()).isEqualTo("74.5");
    assertThat(k.limitRemainingValue()).contains(new BigDecimal("74.5"));
    assertThat(k.byokUsage()).isEqualTo("17.38");
    assertThat(k.isManagementKey()).as("the older name of the flag").isTrue();
    assertThat(k.expiresAt()).contains(Instant.parse("2027-12-31T23:59:59Z"));
    assertThat(k.allowedDataRegions()).containsExactly("eu");
    assertThat(k.raw().getFieldsMap()).containsKey("rate_limit");

    KeyInfo unlimited = AccountReads.keyInfo(OpenRouterJson.parse(
        "{\"limit\":null,\"limit_remaining\":null,\"limit_reset\":null,\"expires_at\":\"never\"}"));
    assertThat(unlimited.limit()).isEmpty();
    assertThat(unlimited.limitRemainingValue()).isEmpty();
    assertThat(unlimited.limitReset()).isEmpty();
    assertThat(unlimited.expiresAt()).isEmpty();
    assertThatThrownBy(() -> AccountReads.keyInfo(OpenRouterJson.parse("[]")))
        .isInstanceOfSatisfying(GatewayFailure.class, f -> assertThat(f.kind()).isEqualTo(GatewayFailure.Kind.UPSTREAM_MALFORMED));
  }

  @Test
  void creditsAsNumbersOrNumericStrings() {
    CreditTotals c = AccountReads.credits(OpenRouterJson.parse("{\"total_credits\":100.5,\"total_usage\":25.75}"));
    assertThat(c.totalCreditsText()).isEqualTo("100.5");
    assertThat(c.totalCredits().subtract(c.totalUsage())).isEqualByComparingTo("74.75");
    assertThat(AccountReads.credits(OpenRouterJson.parse("{\"total_credits\":\"10\",\"total_usage\":\"2.5\"}")).totalUsage())
        .isEqualByComparingTo("2.5");
    assertThatThrownBy(() -> AccountReads.credits(OpenRouterJson.parse("{\"total_credits\":100.5}")))
        .hasMessageContaining("no total_credits or total_usage");
  }

  @Test
  void aModelListingKeepsPricesExactAndSkipsEntriesWithoutAnId() {
    ModelListing listing = ModelListings.listing(OpenRouterJson.parse("""
        [{"id":"openai/gpt-4","name":"GPT-4","created":1692901234,"context_length":8192,
          "architecture":{"modality":"text->text","input_modalities":["text","image"],"output_modalities":["text"],
            "tokenizer":"GPT","instruct_type":null},
          "pricing":{"prompt":"0.00003","completion":0.00006,"request":"0"},
          "top_provider":{"context_length":8192,"max_completion_tokens":4096,"is_moderated":true},
          "supported_parameters":["tools",null,"temperature"]},
         {"id":"openrouter/auto","pricing":{"prompt":"-1","completion":"-1"}},
         {"name":"no id"}, "junk"]"""));
    assertThat(listing.models()).hasSize(2);
    assertThat(listing.skipped()).isEqualTo(2);
    assertThat(listing.contentId()).hasSize(16);
    ModelEntry gpt4 = listing.models().get(0);
    assertThat(gpt4.contextLength()).isEqualTo(OptionalLong.of(8192));
    assertThat(gpt4.pricing().orElseThrow().prices()).containsEntry("prompt", "0.00003")
        .containsEntry("completion", "0.00006").containsEntry("image", "");
    assertThat(gpt4.architecture().orElseThrow().instructType()).isEmpty();
    assertThat(gpt4.topProvider().orElseThrow().maxCompletionTokens()).isEqualTo(OptionalLong.of(4096));
    assertThat(gpt4.supportedParameters()).containsExactly("tools", "temperature");
    assertThat(listing.models().get(1).pricing().orElseThrow().prices()).containsEntry("prompt", "-1");
    assertThat(ModelListings.listing(OpenRouterJson.parse("[{\"id\":\"a\"}]")).contentId())
        .isEqualTo(ModelListings.listing(OpenRouterJson.parse("[ {\"id\" : \"a\"} ]")).contentId());
  }

  @Test
  void endpointsAndProviders() {
    EndpointList list = ModelListings.endpoints(OpenRouterJson.parse("""
        {"id":"openai/gpt-4o","name":"GPT-4o","endpoints":[
          {"name":"OpenAI: GPT-4o","provider_name":"OpenAI","status":-1,"quantization":null,
           "context_length":128000,"uptime_last_30m":99.5,"latency_last_30m":{"p50":310,"p90":"x"},
           "throughput_last_30m":null,"pricing":{"prompt":"0.0000025"}}, 7]}"""));
    assertThat(list.endpoints()).hasSize(1);
    EndpointList.Endpoint e = list.endpoints().get(0);
    assertThat(e.status()).isEqualTo(OptionalInt.of(-1));
    assertThat(e.quantization()).isEmpty();
    assertThat(e.latencyLast30m().orElseThrow().p50()).hasValue(310);
    assertThat(e.latencyLast30m().orElseThrow().p90()).isEmpty();
    assertThat(e.throughputLast30m()).isEmpty();
    assertThatThrownBy(() -> ModelListings.endpoints(OpenRouterJson.parse("{\"id\":\"x\"}")))
        .hasMessageContaining("no endpoints array");

    List<ProviderEntry> providers = ModelListings.providers(OpenRouterJson.parse("""
        [{"name":"OpenAI","slug":"openai","headquarters":"US","datacenters":["US",1]},"junk"]"""));
    assertThat(providers).containsExactly(new ProviderEntry("OpenAI", "openai", "", "", "", "US", List.of("US")));
  }

  @Test
  void embeddingsAsNumbersOrBase64() {
    ByteBuffer bytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.5f).putFloat(-2f);
    String base64 = Base64.getEncoder().encodeToString(bytes.array());
    EmbeddingsAnswer a = EmbeddingsAnswers.parse(OpenRouterJson.parse("""
        {"id":"gen-e","object":"list","model":"openai/text-embedding-3-small","data":[
          {"object":"embedding","index":1,"embedding":"%s"},{"index":0,"embedding":[0.0023,-0.0093]},
          {"embedding":["x"]}],
         "usage":{"prompt_tokens":8,"total_tokens":8,"cost":0.0000002,"prompt_tokens_details":{"text_tokens":8}}}"""
        .formatted(base64)));
    List<EmbeddingsAnswer.Item> items = a.data().orElseThrow();
    assertThat(items.get(0).index()).isEqualTo(OptionalInt.of(1));
    assertThat(items.get(0).embedding().floats()).containsExactly(0.5f, -2f);
    assertThat(items.get(1).embedding().floats()).containsExactly(0.0023f, -0.0093f);
    assertThat(items.get(2).index()).isEmpty();
    assertThatThrownBy(() -> items.get(2).embedding().floats()).hasMessageContaining("not a number");
    assertThat(a.usage().orElseThrow().cost()).isEqualTo("0.0000002");
    assertThat(a.usage().orElseThrow().textTokens()).isEqualTo(8);

    EmbeddingsAnswer error = EmbeddingsAnswers.parse(OpenRouterJson.parse("{\"error\":{\"code\":502,\"message\":\"down\"}}"));
    assertThat(error.data()).isEmpty();
    assertThat(error.error().orElseThrow().effectiveStatus()).isEqualTo(502);
  }

  @Test
  void generationStats() {
    GenerationStats g = GenerationStats.parse(OpenRouterJson.parse("""
        {"data":{"id":"gen-1","model":"openai/gpt-4o","total_cost":0.0015,"tokens_prompt":10,"latency":"12",
          "created_at":"2026-11-21T12:00:00.123Z","provider_name":null}}"""));
    assertThat(g.totalCost()).isEqualTo("0.0015");
    assertThat(g.tokensPrompt()).isEqualTo(10);
    assertThat(g.latencyMs()).as("Jackson reads a numeric string").isEqualTo(12);
    assertThat(g.providerName()).isEmpty();
    assertThat(g.createdAt()).contains(Instant.parse("2026-11-21T12:00:00.123Z"));
    assertThatThrownBy(() -> GenerationStats.parse(OpenRouterJson.parse("{\"data\":null}")))
        .hasMessageContaining("no data object");
  }
}
