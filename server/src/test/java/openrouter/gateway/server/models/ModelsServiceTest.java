package openrouter.gateway.server.models;

import static openrouter.gateway.server.testing.Requests.detail;
import static openrouter.gateway.server.testing.Requests.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.ResourceInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import openrouter.gateway.server.json.OpenRouterJson;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.v1.GetModelRequest;
import openrouter.gateway.v1.GetModelResponse;
import openrouter.gateway.v1.ListModelsRequest;
import openrouter.gateway.v1.ListModelsResponse;
import openrouter.gateway.v1.Model;
import openrouter.gateway.v1.ModelOrder;
import openrouter.gateway.v1.ModelsServiceGrpc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ListModels and GetModel through a real channel and gateway, against the simulator's
 * catalogue. Expected results are derived from what the simulator itself serves (read over
 * HTTP), so the tests follow the catalogue if it grows.
 */
class ModelsServiceTest {
  private static GatewayHarness h;
  /** Every model, as the gateway lists it with no filter, in id order. */
  private static List<Model> all;
  /** The simulator's own listing of every output modality. */
  private static JsonNode upstreamListing;

  @BeforeAll
  static void start() throws Exception {
    h = GatewayHarness.inProcess().withSimulator();
    all = models().listModels(ListModelsRequest.newBuilder().setPageSize(1000).build()).getModelsList();
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(h.simulator.baseUrl() + "/models?output_modalities=all")).build(),
        HttpResponse.BodyHandlers.ofString());
    upstreamListing = OpenRouterJson.parse(response.body()).get("data");
  }

  @AfterAll
  static void stop() throws Exception {
    h.close();
  }

  private static ModelsServiceGrpc.ModelsServiceBlockingStub models() {
    return ModelsServiceGrpc.newBlockingStub(h.channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private static List<String> ids(List<Model> models) {
    return models.stream().map(Model::getId).toList();
  }

  private static List<String> list(ListModelsRequest.Builder request) {
    ListModelsResponse page = models().listModels(request.setPageSize(1000).build());
    assertThat(page.getNextPageToken()).isEmpty();
    assertThat(page.getTotalSize()).isEqualTo(page.getModelsCount());
    return ids(page.getModelsList());
  }

  /** The filter lists exactly the models {@code expected} picks, a real subset, in id order. */
  private static List<String> assertFilter(ListModelsRequest.Builder filter, Predicate<Model> expected) {
    List<String> want = ids(all.stream().filter(expected).toList());
    List<String> got = list(filter);
    assertThat(got).isEqualTo(want);
    assertThat(got).isNotEmpty().hasSizeLessThan(all.size());
    return got;
  }

  private static BigDecimal price(String text) {
    return new BigDecimal(text);
  }

  @Test
  void listsTheWholeCatalogueOfEveryOutputModality() {
    List<String> upstreamIds = new ArrayList<>();
    upstreamListing.forEach(m -> upstreamIds.add(m.get("id").asText()));
    assertThat(ids(all)).isEqualTo(upstreamIds.stream().sorted().toList());
    assertThat(ids(all)).contains("sim/echo", "simlabs/pixel", "simlabs/embed-small");
    assertThat(h.simulator.requests()).filteredOn(r -> r.path().equals("/models"))
        .allSatisfy(r -> assertThat(r.query()).isEqualTo("output_modalities=all"));
  }

  @Test
  void mapsEveryFieldOfTheModelObject() {
    Model vision = models().getModel(GetModelRequest.newBuilder().setId("simlabs/vision-pro").build()).getModel();
    JsonNode upstream = null;
    for (JsonNode m : upstreamListing) {
      if (m.get("id").asText().equals("simlabs/vision-pro")) {
        upstream = m;
      }
    }
    assertThat(upstream).isNotNull();

    assertThat(vision.getCanonicalSlug()).isEqualTo(upstream.get("canonical_slug").asText());
    assertThat(vision.getName()).isEqualTo("SimLabs: Vision Pro");
    assertThat(vision.getCreated()).isEqualTo(upstream.get("created").asLong());
    assertThat(vision.getDescription()).isEqualTo(upstream.get("description").asText());
    assertThat(vision.getContextLength()).isEqualTo(1_000_000);
    assertThat(vision.getArchitecture().getInputModalitiesList()).containsExactly("text", "image", "file");
    assertThat(vision.getArchitecture().getOutputModalitiesList()).containsExactly("text");
    assertThat(vision.getArchitecture().getModality()).isEqualTo("text+image+file->text");
    assertThat(vision.getArchitecture().getTokenizer()).isEqualTo("Gemini");
    assertThat(vision.getArchitecture().getInstructType()).isEmpty();
    // Prices are the strings OpenRouter sent, digit for digit.
    JsonNode pricing = upstream.get("pricing");
    assertThat(vision.getPricing().getPrompt()).isEqualTo(pricing.get("prompt").asText()).isEqualTo("0.0000025");
    assertThat(vision.getPricing().getCompletion()).isEqualTo("0.000015");
    assertThat(vision.getPricing().getInputCacheRead()).isEqualTo("0.00000025");
    assertThat(vision.getPricing().getInputCacheWrite()).isEqualTo("0.000003125");
    assertThat(vision.getPricing().getInternalReasoning()).isEqualTo("0.000015");
    assertThat(vision.getPricing().getRequest()).isEqualTo("0");
    assertThat(vision.getPricing().getDiscount()).isEqualTo("0");
    assertThat(vision.getPricing().getInputCacheWrite1H()).as("not listed").isEmpty();
    assertThat(vision.getPricing().getOverridesList()).hasSize(1);
    assertThat(vision.getPricing().getOverrides(0).getFieldsOrThrow("min_prompt_tokens").getNumberValue())
        .isEqualTo(200_000);
    assertThat(vision.getPricing().getOverrides(0).getFieldsOrThrow("prompt").getStringValue()).isEqualTo("0.000005");
    assertThat(vision.getTopProvider().getContextLength()).isEqualTo(1_000_000);
    assertThat(vision.getTopProvider().getMaxCompletionTokens()).isEqualTo(65_536);
    assertThat(vision.getTopProvider().getIsModerated()).isFalse();
    assertThat(vision.hasPerRequestLimits()).as("null upstream").isFalse();
    assertThat(vision.getSupportedParametersList()).contains("tools", "reasoning", "response_format");
    assertThat(vision.getDefaultParameters().getFieldsOrThrow("temperature").hasNullValue()).isTrue();
    assertThat(vision.getReasoning().getSupportedEffortsList()).containsExactly("high", "medium", "low", "minimal");
    assertThat(vision.getReasoning().getDefaultEffort()).isEqualTo("medium");
    assertThat(vision.getReasoning().getDefaultEnabled()).isTrue();
    assertThat(vision.getReasoning().getSupportsMaxTokens()).isTrue();
    assertThat(vision.getKnowledgeCutoff()).isEqualTo("2025-01-31");
    assertThat(vision.getExpirationDate()).isEmpty();
    assertThat(vision.getSupportedVoicesList()).isEmpty();
    assertThat(vision.getRaw().getFieldsOrThrow("links").getStructValue().getFieldsOrThrow("details").getStringValue())
        .isEqualTo("/api/v1/models/simlabs/vision-pro/endpoints");
    assertThat(vision.getRaw().getFieldsCount()).isEqualTo(upstream.size());

    Model tiny = models().getModel(GetModelRequest.newBuilder().setId("simlabs/tiny").build()).getModel();
    assertThat(tiny.getExpirationDate()).isEqualTo("2027-06-30");
    assertThat(tiny.getHuggingFaceId()).isEqualTo("simlabs/tiny-1b-instruct");
    assertThat(tiny.getArchitecture().getInstructType()).isEqualTo("llama3");
    assertThat(tiny.hasReasoning()).isFalse();
    assertThat(tiny.getSupportedParametersList()).doesNotContain("tools");
  }

  @Test
  void filtersByAuthorPrefixIgnoringCase() {
    assertFilter(ListModelsRequest.newBuilder().setAuthorPrefix("simlabs/"),
        m -> m.getId().startsWith("simlabs/"));
    assertFilter(ListModelsRequest.newBuilder().setAuthorPrefix("SimLabs"),
        m -> m.getId().startsWith("simlabs"));
  }

  @Test
  void filtersByInputAndOutputModalities() {
    List<String> seeing = assertFilter(ListModelsRequest.newBuilder().addInputModalities("image"),
        m -> m.getArchitecture().getInputModalitiesList().contains("image"));
    assertThat(seeing).contains("sim/echo", "simlabs/vision-pro", "simlabs/pixel");
    assertFilter(ListModelsRequest.newBuilder().addInputModalities("image").addInputModalities("FILE"),
        m -> m.getArchitecture().getInputModalitiesList().containsAll(List.of("image", "file")));
    assertThat(assertFilter(ListModelsRequest.newBuilder().addOutputModalities("image"),
        m -> m.getArchitecture().getOutputModalitiesList().contains("image")))
        .containsExactly("google/gemini-2.5-flash-image", "simlabs/pixel");
    assertThat(assertFilter(ListModelsRequest.newBuilder().addOutputModalities("embeddings"),
        m -> m.getArchitecture().getOutputModalitiesList().contains("embeddings")))
        .containsExactly("simlabs/embed-small");
  }

  @Test
  void filtersBySupportedParameter() {
    List<String> withTools = assertFilter(ListModelsRequest.newBuilder().addSupportedParameters("tools"),
        m -> m.getSupportedParametersList().contains("tools"));
    assertThat(withTools).contains("sim/tools", "simlabs/vision-pro").doesNotContain("simlabs/tiny");
    assertFilter(ListModelsRequest.newBuilder().addSupportedParameters("tools").addSupportedParameters("reasoning"),
        m -> m.getSupportedParametersList().containsAll(List.of("tools", "reasoning")));
  }

  @Test
  void filtersByMinimumContextLength() {
    assertThat(assertFilter(ListModelsRequest.newBuilder().setMinContextLength(200_000),
        m -> m.hasContextLength() && m.getContextLength() >= 200_000))
        .containsExactly("anthropic/claude-sonnet-4.5", "google/gemini-2.5-flash", "simlabs/vision-pro");
    assertFilter(ListModelsRequest.newBuilder().setMinContextLength(32_768),
        m -> m.hasContextLength() && m.getContextLength() >= 32_768);
  }

  @Test
  void filtersByMaximumPrices() {
    BigDecimal maxPrompt = price("0.0000003");
    List<String> cheap = assertFilter(ListModelsRequest.newBuilder().setMaxPromptPrice("0.0000003"),
        m -> price(m.getPricing().getPrompt()).compareTo(maxPrompt) <= 0);
    assertThat(cheap).contains("simlabs/tiny", "simlabs/tiny:free", "simlabs/audio-lite")
        .doesNotContain("simlabs/vision-pro");
    BigDecimal maxCompletion = price("0.0000012");
    assertFilter(ListModelsRequest.newBuilder().setMaxCompletionPrice("0.0000012"),
        m -> price(m.getPricing().getCompletion()).compareTo(maxCompletion) <= 0);
  }

  @Test
  void filtersFreeModels() {
    assertThat(assertFilter(ListModelsRequest.newBuilder().setFreeOnly(true),
        m -> price(m.getPricing().getPrompt()).signum() == 0 && price(m.getPricing().getCompletion()).signum() == 0))
        .containsExactly("meta-llama/llama-3.3-70b-instruct:free", "simlabs/tiny:free");
  }

  @Test
  void filtersByTextInIdOrName() {
    assertThat(list(ListModelsRequest.newBuilder().setQuery("VISION"))).containsExactly("simlabs/vision-pro");
    // "Simulator: Echo" matches by name; sim/echo by id as well.
    assertFilter(ListModelsRequest.newBuilder().setQuery("echo"),
        m -> (m.getId() + " " + m.getName()).toLowerCase(Locale.ROOT).contains("echo"));
    assertFilter(ListModelsRequest.newBuilder().setQuery("simulator: error 5"),
        m -> m.getName().toLowerCase(Locale.ROOT).contains("simulator: error 5"));
  }

  @Test
  void filtersCombine() {
    assertThat(list(ListModelsRequest.newBuilder()
        .setAuthorPrefix("simlabs/")
        .addInputModalities("image")
        .setMaxPromptPrice("0.000001")))
        .containsExactly("simlabs/pixel");
    assertThat(list(ListModelsRequest.newBuilder().setFreeOnly(true).addOutputModalities("image"))).isEmpty();
  }

  @Test
  void ordersByIdByDefault() {
    assertThat(ids(all)).isSortedAccordingTo(Comparator.naturalOrder());
    assertThat(list(ListModelsRequest.newBuilder().setOrderBy(ModelOrder.MODEL_ORDER_ID))).isEqualTo(ids(all));
  }

  @Test
  void ordersByPromptThenCompletionPriceCheapestFirst() {
    ListModelsResponse page = models().listModels(ListModelsRequest.newBuilder()
        .setPageSize(1000).setOrderBy(ModelOrder.MODEL_ORDER_PRICE).build());
    Comparator<Model> byPrice = Comparator
        .comparing((Model m) -> price(m.getPricing().getPrompt()))
        .thenComparing(m -> price(m.getPricing().getCompletion()))
        .thenComparing(Model::getId);
    assertThat(page.getModelsList()).isSortedAccordingTo(byPrice).hasSameSizeAs(all);
    assertThat(page.getModels(0).getId()).isEqualTo("meta-llama/llama-3.3-70b-instruct:free");
  }

  @Test
  void ordersByContextLengthLargestFirst() {
    ListModelsResponse page = models().listModels(ListModelsRequest.newBuilder()
        .setPageSize(1000).setOrderBy(ModelOrder.MODEL_ORDER_CONTEXT_LENGTH).build());
    assertThat(page.getModelsList())
        .isSortedAccordingTo(Comparator.comparing((Model m) -> -m.getContextLength()).thenComparing(Model::getId))
        .hasSameSizeAs(all);
    assertThat(page.getModels(0).getId()).isEqualTo("google/gemini-2.5-flash");
  }

  @Test
  void ordersByCreationNewestFirst() {
    ListModelsResponse page = models().listModels(ListModelsRequest.newBuilder()
        .setPageSize(1000).setOrderBy(ModelOrder.MODEL_ORDER_NEWEST).build());
    assertThat(page.getModelsList())
        .isSortedAccordingTo(Comparator.comparing((Model m) -> -m.getCreated()).thenComparing(Model::getId))
        .hasSameSizeAs(all);
    long newest = all.stream().mapToLong(Model::getCreated).max().orElseThrow();
    assertThat(page.getModels(0).getCreated()).isEqualTo(newest);
  }

  @Test
  void pagesThroughTheWholeCatalogueReturningEachModelOnce() {
    for (ModelOrder order : List.of(ModelOrder.MODEL_ORDER_ID, ModelOrder.MODEL_ORDER_PRICE,
        ModelOrder.MODEL_ORDER_NEWEST)) {
      List<String> seen = new ArrayList<>();
      String token = "";
      int pages = 0;
      do {
        ListModelsResponse page = models().listModels(ListModelsRequest.newBuilder()
            .setOrderBy(order).setPageSize(7).setPageToken(token).build());
        assertThat(page.getModelsCount()).isBetween(1, 7);
        assertThat(page.getTotalSize()).isEqualTo(all.size());
        seen.addAll(ids(page.getModelsList()));
        token = page.getNextPageToken();
        pages++;
      } while (!token.isEmpty() && pages < 100);
      assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids(all));
      assertThat(pages).isEqualTo((all.size() + 6) / 7);
      assertThat(seen).isEqualTo(list(ListModelsRequest.newBuilder().setOrderBy(order)));
    }
  }

  @Test
  void pageSizeDefaultsTo50AndIsCappedAt1000() {
    ListModelsResponse defaultPage = models().listModels(ListModelsRequest.getDefaultInstance());
    assertThat(defaultPage.getModelsCount()).isEqualTo(Math.min(50, all.size()));
    ListModelsResponse huge = models().listModels(ListModelsRequest.newBuilder().setPageSize(5000).build());
    assertThat(huge.getModelsCount()).isEqualTo(all.size());
    assertThat(huge.getNextPageToken()).isEmpty();
  }

  @Test
  void thePageSizeMayChangeBetweenPages() {
    ListModelsResponse first = models().listModels(ListModelsRequest.newBuilder().setPageSize(3).build());
    ListModelsResponse rest = models().listModels(ListModelsRequest.newBuilder()
        .setPageSize(1000).setPageToken(first.getNextPageToken()).build());
    List<String> both = new ArrayList<>(ids(first.getModelsList()));
    both.addAll(ids(rest.getModelsList()));
    assertThat(both).isEqualTo(ids(all));
  }

  @Test
  void rejectsATokenThatIsNotOne() {
    int upstreamReads = h.simulator.requestCount("/models");
    for (String bad : List.of("garbage!!", "bTEuYWJjLmRlZi4w", "AAAA")) {
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
          () -> models().listModels(ListModelsRequest.newBuilder().setPageToken(bad).build()));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getStatus().getDescription()).contains("page_token is not a next_page_token");
      assertThat(detail(e, BadRequest.class).getFieldViolations(0).getField()).isEqualTo("page_token");
      assertThat(errorInfo(e).getReason()).isEqualTo("INVALID_REQUEST");
    }
    assertThat(h.simulator.requestCount("/models")).as("no upstream call for a bad request").isEqualTo(upstreamReads);
  }

  @Test
  void rejectsATokenFromAnotherQuery() {
    ListModelsResponse first = models().listModels(ListModelsRequest.newBuilder()
        .setAuthorPrefix("sim/").setPageSize(2).build());
    assertThat(first.getNextPageToken()).isNotEmpty();

    for (ListModelsRequest.Builder other : List.of(
        ListModelsRequest.newBuilder().setAuthorPrefix("simlabs/"),
        ListModelsRequest.newBuilder().setAuthorPrefix("sim/").setOrderBy(ModelOrder.MODEL_ORDER_NEWEST),
        ListModelsRequest.newBuilder())) {
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
          () -> models().listModels(other.setPageToken(first.getNextPageToken()).build()));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getStatus().getDescription()).contains("different query");
    }
    // Same filters (the prefix in another case is the same filter): accepted.
    ListModelsResponse second = models().listModels(ListModelsRequest.newBuilder()
        .setAuthorPrefix("SIM/").setPageSize(2).setPageToken(first.getNextPageToken()).build());
    assertThat(second.getModelsCount()).isEqualTo(2);
  }

  @Test
  void rejectsBadFiltersAndPageSizesNamingEveryField() {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> models().listModels(ListModelsRequest.newBuilder()
            .setPageSize(-1)
            .setMaxPromptPrice("cheap")
            .setMaxCompletionPrice("-0.1")
            .setMinContextLength(-5)
            .setOrderByValue(99)
            .addInputModalities(" ")
            .build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(detail(e, BadRequest.class).getFieldViolationsList())
        .extracting(BadRequest.FieldViolation::getField)
        .containsExactlyInAnyOrder("page_size", "max_prompt_price", "max_completion_price",
            "min_context_length", "order_by", "input_modalities[0]");
    assertThat(e.getStatus().getDescription()).contains("(and 5 more)");
  }

  @Test
  void getModelFindsAnEntry() {
    GetModelResponse r = models().getModel(GetModelRequest.newBuilder().setId("sim/echo").build());
    // Listings leave `raw` out unless asked; GetModel always carries it.
    assertThat(r.getModel().toBuilder().clearRaw().build())
        .isEqualTo(all.stream().filter(m -> m.getId().equals("sim/echo")).findFirst().orElseThrow());
    assertThat(r.getModel().hasRaw()).isTrue();
    assertThat(r.getVariant()).isEmpty();
    assertThat(r.getCache().hasFetchedAt()).isTrue();
  }

  @Test
  void listingsCarryRawOnlyWhenAsked() {
    ListModelsResponse lean = models().listModels(ListModelsRequest.newBuilder().setPageSize(1000).build());
    ListModelsResponse full = models().listModels(ListModelsRequest.newBuilder().setPageSize(1000).setIncludeRaw(true).build());
    assertThat(lean.getModelsList()).noneMatch(Model::hasRaw);
    assertThat(full.getModelsList()).allMatch(Model::hasRaw);
    assertThat(full.getModelsCount()).isEqualTo(lean.getModelsCount());
    assertThat(lean.getSerializedSize()).isLessThan(full.getSerializedSize() / 2);
  }

  @Test
  void getModelResolvesVariantSuffixes() {
    // Listed under its own id (free prices): that entry, with the variant noted.
    GetModelResponse free = models().getModel(GetModelRequest.newBuilder().setId("simlabs/tiny:free").build());
    assertThat(free.getModel().getId()).isEqualTo("simlabs/tiny:free");
    assertThat(free.getModel().getPricing().getPrompt()).isEqualTo("0");
    assertThat(free.getVariant()).isEqualTo("free");
    // Not listed: the base model's entry.
    GetModelResponse nitro = models().getModel(GetModelRequest.newBuilder().setId("simlabs/vision-pro:nitro").build());
    assertThat(nitro.getModel().getId()).isEqualTo("simlabs/vision-pro");
    assertThat(nitro.getVariant()).isEqualTo("nitro");
    GetModelResponse freeEcho = models().getModel(GetModelRequest.newBuilder().setId("sim/echo:free").build());
    assertThat(freeEcho.getModel().getId()).isEqualTo("sim/echo");
    assertThat(freeEcho.getVariant()).isEqualTo("free");
  }

  @Test
  void getModelOfAnUnknownIdIsNotFoundNamingTheId() {
    for (String id : List.of("nobody/nothing", "nobody/nothing:free")) {
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
          () -> models().getModel(GetModelRequest.newBuilder().setId(id).build()));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
      assertThat(e.getStatus().getDescription()).contains(id);
      ErrorInfo info = errorInfo(e);
      assertThat(info.getReason()).isEqualTo("MODEL_NOT_FOUND");
      assertThat(info.getMetadataMap()).containsEntry("model", id);
      ResourceInfo resource = detail(e, ResourceInfo.class);
      assertThat(resource.getResourceType()).isEqualTo("model");
      assertThat(resource.getResourceName()).isEqualTo(id);
    }
  }

  @Test
  void getModelWithoutAnIdIsInvalid() {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> models().getModel(GetModelRequest.getDefaultInstance()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(detail(e, BadRequest.class).getFieldViolations(0).getField()).isEqualTo("id");
  }

  @Test
  void everyModelIsListedOnce() {
    assertThat(new HashSet<>(ids(all))).hasSameSizeAs(all);
    Set<String> free = new HashSet<>(list(ListModelsRequest.newBuilder().setFreeOnly(true)));
    assertThat(free).allMatch(id -> id.endsWith(":free"));
  }
}
