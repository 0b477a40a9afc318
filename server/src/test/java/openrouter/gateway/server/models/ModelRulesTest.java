package openrouter.gateway.server.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.json.OpenRouterJson;
import openrouter.gateway.server.upstream.wire.ModelListings;
import openrouter.gateway.v1.ListModelsRequest;
import openrouter.gateway.v1.ListModelsResponse;
import openrouter.gateway.v1.Model;
import openrouter.gateway.v1.ModelOrder;
import org.junit.jupiter.api.Test;

/**
 * Mapping, filter and paging rules for catalogue entries the simulator does not serve: a
 * router with variable price and no context length, prices sent as JSON numbers, and page
 * tokens that were tampered with.
 */
class ModelRulesTest {
  private static Model model(String json) {
    return ModelMapper.toProto(ModelListings.model(OpenRouterJson.parse(json)));
  }

  private static final Model ROUTER = model("""
      {"id":"openrouter/auto","name":"Auto Router","created":1700000000,"context_length":null,
       "architecture":{"input_modalities":["text"],"output_modalities":["text"]},
       "pricing":{"prompt":"-1","completion":"-1"},"top_provider":{"context_length":null,
       "max_completion_tokens":null,"is_moderated":false},"per_request_limits":null,
       "supported_parameters":null,"alias_target":{"slug":"x/y","name":"Y"}}""");
  private static final Model NUMERIC = model("""
      {"id":"num/priced","name":"Numeric","created":1600000000,"context_length":4096,
       "architecture":{"input_modalities":["text"],"output_modalities":["text"]},
       "pricing":{"prompt":1E-7,"completion":0.0000020,"discount":0.1},
       "per_request_limits":{"prompt_tokens":1000,"completion_tokens":500},
       "benchmarks":{"artificial_analysis":{"coding_index":42}}}""");
  private static final Model FREE = model("""
      {"id":"free/one","name":"Free","created":1800000000,"context_length":2048,
       "pricing":{"prompt":"0","completion":"0.0"}}""");
  private static final List<Model> CATALOGUE = List.of(ROUTER, NUMERIC, FREE);

  private static List<String> ids(ListModelsRequest.Builder request) {
    ListModelsResponse page = ModelPager.page(ModelPager.parse(request.build()), CatalogSnapshot.of("s1", CATALOGUE)).build();
    return page.getModelsList().stream().map(Model::getId).toList();
  }

  @Test
  void mapsNullsAsUnsetAndNumbersAsPlainDecimals() {
    assertThat(ROUTER.hasContextLength()).isFalse();
    assertThat(ROUTER.getTopProvider().hasContextLength()).isFalse();
    assertThat(ROUTER.getTopProvider().hasMaxCompletionTokens()).isFalse();
    assertThat(ROUTER.hasPerRequestLimits()).isFalse();
    assertThat(ROUTER.getSupportedParametersList()).isEmpty();
    assertThat(ROUTER.getPricing().getPrompt()).isEqualTo("-1");
    assertThat(ROUTER.getAliasTarget().getSlug()).isEqualTo("x/y");
    assertThat(NUMERIC.getPricing().getPrompt()).isEqualTo("0.0000001");
    assertThat(NUMERIC.getPricing().getCompletion()).isEqualTo("0.0000020");
    assertThat(NUMERIC.getPricing().getDiscount()).isEqualTo("0.1");
    assertThat(NUMERIC.getPricing().getImage()).isEmpty();
    assertThat(NUMERIC.getPerRequestLimits().getPromptTokens()).isEqualTo(1000);
    assertThat(NUMERIC.getBenchmarks().getFieldsOrThrow("artificial_analysis").getStructValue()
        .getFieldsOrThrow("coding_index").getNumberValue()).isEqualTo(42);
  }

  @Test
  void variablePricesAndUnknownContextNeverPassAFilterAndSortLast() {
    assertThat(ids(ListModelsRequest.newBuilder().setMaxPromptPrice("1000"))).containsExactly("free/one", "num/priced");
    assertThat(ids(ListModelsRequest.newBuilder().setMinContextLength(1))).containsExactly("free/one", "num/priced");
    assertThat(ids(ListModelsRequest.newBuilder().setFreeOnly(true))).containsExactly("free/one");
    assertThat(ids(ListModelsRequest.newBuilder().setOrderBy(ModelOrder.MODEL_ORDER_PRICE)))
        .containsExactly("free/one", "num/priced", "openrouter/auto");
    assertThat(ids(ListModelsRequest.newBuilder().setOrderBy(ModelOrder.MODEL_ORDER_CONTEXT_LENGTH)))
        .containsExactly("num/priced", "free/one", "openrouter/auto");
    assertThat(ids(ListModelsRequest.newBuilder().setOrderBy(ModelOrder.MODEL_ORDER_NEWEST)))
        .containsExactly("free/one", "openrouter/auto", "num/priced");
  }

  @Test
  void equalPricesWrittenDifferentlyAreOneFilter() {
    String a = ModelPager.parse(ListModelsRequest.newBuilder().setMaxPromptPrice("0.0000010").build()).filter().fingerprint();
    String b = ModelPager.parse(ListModelsRequest.newBuilder().setMaxPromptPrice("1E-6").build()).filter().fingerprint();
    String c = ModelPager.parse(ListModelsRequest.newBuilder().setMaxPromptPrice("0.000002").build()).filter().fingerprint();
    assertThat(a).isEqualTo(b).isNotEqualTo(c);
  }

  @Test
  void noValueCanImitateTheSeparatorsOfAFilterFingerprint() {
    // A page token carries the fingerprint: a token made for one filter must not pass for another.
    String joined = ModelPager.parse(ListModelsRequest.newBuilder().addSupportedParameters("seed,tools").build()).filter().fingerprint();
    String split = ModelPager.parse(ListModelsRequest.newBuilder().addSupportedParameters("seed").addSupportedParameters("tools").build())
        .filter().fingerprint();
    assertThat(joined).isNotEqualTo(split);
    String sneaky = ModelPager.parse(ListModelsRequest.newBuilder().setQuery("gpt\nfree=true").build()).filter().fingerprint();
    String plain = ModelPager.parse(ListModelsRequest.newBuilder().setQuery("gpt").setFreeOnly(true).build()).filter().fingerprint();
    assertThat(sneaky).isNotEqualTo(plain);
  }

  @Test
  void queriesThatCanListDifferentPagesAreNeverEqual() {
    // Serialized pages are cached by query: equal queries must list the same page.
    CatalogSnapshot snapshot = CatalogSnapshot.of("s1", CATALOGUE);
    String token = ModelPager.page(ModelPager.parse(ListModelsRequest.newBuilder().setPageSize(1).build()), snapshot)
        .build().getNextPageToken();
    List<ListModelsRequest> distinct = List.of(
        ListModelsRequest.getDefaultInstance(),
        ListModelsRequest.newBuilder().setAuthorPrefix("free/").build(),
        ListModelsRequest.newBuilder().setQuery("free").build(),
        ListModelsRequest.newBuilder().addInputModalities("text").build(),
        ListModelsRequest.newBuilder().addOutputModalities("text").build(),
        ListModelsRequest.newBuilder().addSupportedParameters("tools").build(),
        ListModelsRequest.newBuilder().addInputModalities("a,b").build(),
        ListModelsRequest.newBuilder().addInputModalities("a").addInputModalities("b").build(),
        ListModelsRequest.newBuilder().setMinContextLength(3000).build(),
        ListModelsRequest.newBuilder().setMaxPromptPrice("0.000001").build(),
        ListModelsRequest.newBuilder().setMaxCompletionPrice("0.000001").build(),
        ListModelsRequest.newBuilder().setFreeOnly(true).build(),
        ListModelsRequest.newBuilder().setOrderBy(ModelOrder.MODEL_ORDER_PRICE).build(),
        ListModelsRequest.newBuilder().setOrderBy(ModelOrder.MODEL_ORDER_NEWEST).build(),
        ListModelsRequest.newBuilder().setPageSize(1).build(),
        ListModelsRequest.newBuilder().setPageSize(1).setPageToken(token).build(),
        ListModelsRequest.newBuilder().setIncludeRaw(true).build());
    for (int i = 0; i < distinct.size(); i++) {
      ModelPager.Query query = ModelPager.parse(distinct.get(i));
      assertThat(ModelPager.parse(distinct.get(i))).isEqualTo(query).hasSameHashCodeAs(query);
      for (int j = 0; j < distinct.size(); j++) {
        if (i != j) {
          assertThat(ModelPager.parse(distinct.get(j))).as("%s vs %s", distinct.get(i), distinct.get(j)).isNotEqualTo(query);
        }
      }
    }
    // The same query written differently is one key; force_refresh does not change the page.
    assertThat(ModelPager.parse(ListModelsRequest.newBuilder().setAuthorPrefix(" FREE/ ").setForceRefresh(true)
        .setOrderBy(ModelOrder.MODEL_ORDER_ID).setPageSize(50).build()))
        .isEqualTo(ModelPager.parse(ListModelsRequest.newBuilder().setAuthorPrefix("free/").build()));
  }

  @Test
  void tokensThatWereTamperedWithAreRefused() {
    CatalogSnapshot snapshot = CatalogSnapshot.of("s1", CATALOGUE);
    ModelPager.Query first = ModelPager.parse(ListModelsRequest.newBuilder().setPageSize(1).build());
    String fingerprint = first.filter().fingerprint();

    String pastTheEnd = ModelPager.encode(new ModelPager.Token(fingerprint, "s1", 99));
    GatewayFailure e = catchThrowableOfType(GatewayFailure.class, () -> ModelPager.page(
        ModelPager.parse(ListModelsRequest.newBuilder().setPageToken(pastTheEnd).build()), snapshot));
    assertThat(e.kind()).isEqualTo(GatewayFailure.Kind.INVALID_REQUEST);
    assertThat(e.getMessage()).contains("past the end");

    for (int offset : new int[] {0, -3}) {
      String bad = ModelPager.encode(new ModelPager.Token(fingerprint, "s1", offset));
      GatewayFailure refused = catchThrowableOfType(GatewayFailure.class,
          () -> ModelPager.parse(ListModelsRequest.newBuilder().setPageToken(bad).build()));
      assertThat(refused.getMessage()).contains("not a next_page_token");
    }
    assertThat(ModelPager.decode("x".repeat(600))).isEmpty();
  }

  @Test
  void theLastPageHasNoToken() {
    CatalogSnapshot snapshot = CatalogSnapshot.of("s1", CATALOGUE);
    ListModelsResponse first = ModelPager.page(ModelPager.parse(ListModelsRequest.newBuilder().setPageSize(2).build()), snapshot).build();
    assertThat(first.getNextPageToken()).isNotEmpty();
    ListModelsResponse last = ModelPager.page(ModelPager.parse(ListModelsRequest.newBuilder()
        .setPageSize(2).setPageToken(first.getNextPageToken()).build()), snapshot).build();
    assertThat(last.getModelsCount()).isEqualTo(1);
    assertThat(last.getNextPageToken()).isEmpty();
    ListModelsResponse exact = ModelPager.page(ModelPager.parse(ListModelsRequest.newBuilder().setPageSize(3).build()), snapshot).build();
    assertThat(exact.getNextPageToken()).isEmpty();
  }
}
