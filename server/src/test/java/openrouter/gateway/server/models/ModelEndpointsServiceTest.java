package openrouter.gateway.server.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Metadata;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import openrouter.gateway.simulator.SimulatorKeys;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.ManualTime;
import openrouter.gateway.v1.CreditsServiceGrpc;
import openrouter.gateway.v1.EndpointStatus;
import openrouter.gateway.v1.GetKeyRequest;
import openrouter.gateway.v1.GetKeyResponse;
import openrouter.gateway.v1.ListModelEndpointsRequest;
import openrouter.gateway.v1.ListModelEndpointsResponse;
import openrouter.gateway.v1.ListModelsRequest;
import openrouter.gateway.v1.ListModelsResponse;
import openrouter.gateway.v1.ListProvidersRequest;
import openrouter.gateway.v1.ListProvidersResponse;
import openrouter.gateway.v1.Model;
import openrouter.gateway.v1.ModelEndpoint;
import openrouter.gateway.v1.ModelsServiceGrpc;
import openrouter.gateway.v1.Provider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ListModelEndpoints, ListProviders, ListModels with available_to_key and GetKey's new fields,
 * through a real channel against the simulator and a MockWebServer: status and null handling,
 * the cache (single read, stale on error, keyed by the caller's key), paging of the key's list.
 */
class ModelEndpointsServiceTest {
  private GatewayHarness h;

  @AfterEach
  void stop() throws Exception {
    if (h != null) {
      h.close();
    }
  }

  private ModelsServiceGrpc.ModelsServiceBlockingStub models() {
    return ModelsServiceGrpc.newBlockingStub(h.channel).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  private static ListModelEndpointsRequest endpointsOf(String model) {
    return ListModelEndpointsRequest.newBuilder().setModel(model).build();
  }

  @Test
  void simulatorEndpointsShowEachStatusAndNullsAsUnset() throws Exception {
    h = GatewayHarness.inProcess().withSimulator();
    ListModelEndpointsResponse r = models().listModelEndpoints(endpointsOf("sim/echo:free"));
    assertThat(r.getModel()).isEqualTo("sim/echo");
    assertThat(r.getEndpointsList()).extracting(ModelEndpoint::getTag).containsExactly("simulator", "simcloud/fp8", "simedge");
    ModelEndpoint up = r.getEndpoints(0);
    assertThat(up.getStatus()).isEqualTo(EndpointStatus.ENDPOINT_STATUS_OK);
    assertThat(up.getStatusCode()).isZero();
    assertThat(up.getUptimeLast5M()).isEqualTo(99.9);
    assertThat(up.getLatencyLast30M().getP50()).isEqualTo(250);
    assertThat(up.getLatencyLast30M().getP99()).isEqualTo(850);
    assertThat(up.getThroughputLast30M().getP50()).isEqualTo(120);
    assertThat(up.getPricing().getPrompt()).isNotEmpty();
    assertThat(up.getContextLength()).isPositive();
    assertThat(up.getSupportsImplicitCaching()).isTrue();
    ModelEndpoint unstable = r.getEndpoints(1);
    assertThat(unstable.getStatus()).isEqualTo(EndpointStatus.ENDPOINT_STATUS_UNSTABLE);
    assertThat(unstable.getStatusCode()).isEqualTo(-2);
    assertThat(unstable.getUptimeLast30M()).isEqualTo(95.25);
    assertThat(unstable.hasLatencyLast30M()).as("null latency is unset").isFalse();
    assertThat(unstable.hasThroughputLast30M()).isFalse();
    assertThat(unstable.getQuantization()).isEqualTo("fp8");
    ModelEndpoint disabled = r.getEndpoints(2);
    assertThat(disabled.getStatus()).isEqualTo(EndpointStatus.ENDPOINT_STATUS_DISABLED);
    assertThat(disabled.hasUptimeLast5M()).isFalse();
    assertThat(disabled.hasUptimeLast1D()).isFalse();
    assertThat(disabled.hasMaxPromptTokens()).isFalse();
    assertThat(r.getCache().getFromCache()).isFalse();
  }

  @Test
  void everyStatusCodeMapsAndUnknownOnesAreUnspecified() throws Exception {
    try (MockWebServer upstream = new MockWebServer()) {
      upstream.start(InetAddress.getLoopbackAddress(), 0);
      StringBuilder endpoints = new StringBuilder();
      int[] codes = {0, -1, -2, -3, -5, -10, -7};
      for (int i = 0; i < codes.length; i++) {
        endpoints.append(i == 0 ? "" : ",").append("{\"provider_name\":\"P").append(i).append("\",\"tag\":\"p").append(i)
            .append("\",\"status\":").append(codes[i])
            .append(",\"context_length\":null,\"max_completion_tokens\":null,\"quantization\":null,"
                + "\"uptime_last_5m\":null,\"latency_last_30m\":{\"p50\":null,\"p90\":12.5},\"throughput_last_30m\":null}");
      }
      upstream.enqueue(new MockResponse.Builder().code(200).body("{\"data\":{\"id\":\"a/b\",\"name\":\"AB\",\"endpoints\":["
          + endpoints + "]}}").build());
      h = GatewayHarness.inProcess().withUpstream(URI.create(upstream.url("/api/v1").toString()), SimulatorKeys.DEFAULT);
      ListModelEndpointsResponse r = models().listModelEndpoints(endpointsOf("a/b"));
      assertThat(upstream.takeRequest().getUrl().encodedPath()).isEqualTo("/api/v1/models/a/b/endpoints");
      assertThat(r.getEndpointsList()).extracting(ModelEndpoint::getStatus).containsExactly(
          EndpointStatus.ENDPOINT_STATUS_OK, EndpointStatus.ENDPOINT_STATUS_DEGRADED,
          EndpointStatus.ENDPOINT_STATUS_UNSTABLE, EndpointStatus.ENDPOINT_STATUS_DOWN,
          EndpointStatus.ENDPOINT_STATUS_DERANKED, EndpointStatus.ENDPOINT_STATUS_DISABLED,
          EndpointStatus.ENDPOINT_STATUS_UNSPECIFIED);
      assertThat(r.getEndpoints(6).getStatusCode()).isEqualTo(-7);
      ModelEndpoint e = r.getEndpoints(0);
      assertThat(e.hasContextLength()).isFalse();
      assertThat(e.hasMaxCompletionTokens()).isFalse();
      assertThat(e.getQuantization()).isEmpty();
      assertThat(e.hasUptimeLast5M()).isFalse();
      assertThat(e.getLatencyLast30M().hasP50()).isFalse();
      assertThat(e.getLatencyLast30M().getP90()).isEqualTo(12.5);
      assertThat(e.hasThroughputLast30M()).isFalse();
    }
  }

  @Test
  void badIdsFailBeforeAnyUpstreamCallAndUnknownModelsAreNotFound() throws Exception {
    h = GatewayHarness.inProcess().withSimulator();
    for (String bad : List.of("", "no-slash", "a/b/c", "../key", "a/b?x=1")) {
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
          () -> models().listModelEndpoints(endpointsOf(bad)));
      assertThat(e.getStatus().getCode()).as(bad).isEqualTo(Code.INVALID_ARGUMENT);
      assertThat(e.getStatus().getDescription()).contains("author/slug");
    }
    assertThat(h.simulator.requests()).noneSatisfy(r -> assertThat(r.path()).endsWith("/endpoints"));
    StatusRuntimeException missing = catchThrowableOfType(StatusRuntimeException.class,
        () -> models().listModelEndpoints(endpointsOf("nobody/nothing")));
    assertThat(missing.getStatus().getCode()).isEqualTo(Code.NOT_FOUND);
  }

  @Test
  void endpointsAreCachedAndKeyedByTheCallersKey() throws Exception {
    h = GatewayHarness.inProcess().withSimulator("GATEWAY_ALLOW_CALLER_KEYS", "true");
    String path = "/models/sim/echo/endpoints";
    models().listModelEndpoints(endpointsOf("sim/echo"));
    ListModelEndpointsResponse cached = models().listModelEndpoints(endpointsOf("sim/echo:nitro"));
    assertThat(cached.getCache().getFromCache()).as("a variant shares its base model's entry").isTrue();
    assertThat(h.simulator.requestCount(path)).isEqualTo(1);

    // A caller's own key reads its own copy: never the figures read with the gateway's key.
    Metadata md = new Metadata();
    md.put(Metadata.Key.of("x-openrouter-api-key", Metadata.ASCII_STRING_MARSHALLER), SimulatorKeys.DEFAULT);
    ListModelEndpointsResponse own = models().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
        .listModelEndpoints(endpointsOf("sim/echo"));
    assertThat(own.getCache().getFromCache()).isFalse();
    assertThat(h.simulator.requestCount(path)).isEqualTo(2);
  }

  @Test
  void pastItsTtlAFailedRefreshServesTheLastGoodListingMarkedStale() throws Exception {
    // The cache runs on time the test moves: a 1 ms TTL, and 5 ms pass before each later call,
    // so it is past the TTL however fast or slow the machine is (in process, two calls can
    // land within the same millisecond).
    ManualTime time = new ManualTime();
    h = GatewayHarness.inProcess().withSimulatorAndCacheTime(time,
        "OPENROUTER_CACHE_TTL_ENDPOINTS", "1", "OPENROUTER_CACHE_MIN_REFRESH_INTERVAL_MS", "0");
    String path = "/models/sim/echo/endpoints";
    assertThat(models().listModelEndpoints(endpointsOf("sim/echo")).getCache().getStale()).isFalse();
    h.simulator.failEndpoint(path, 502);
    time.advance(Duration.ofMillis(5));
    ListModelEndpointsResponse stale = models().listModelEndpoints(endpointsOf("sim/echo"));
    assertThat(stale.getCache().getStale()).isTrue();
    assertThat(stale.getEndpointsCount()).isEqualTo(3);
    assertThat(h.simulator.requestCount(path)).isEqualTo(2);
    h.simulator.clearFailures();
    time.advance(Duration.ofMillis(5));
    assertThat(models().listModelEndpoints(endpointsOf("sim/echo")).getCache().getStale()).isFalse();
  }

  @Test
  void providersAreListedWithNullsAsEmpty() throws Exception {
    h = GatewayHarness.inProcess().withSimulator();
    ListProvidersResponse r = models().listProviders(ListProvidersRequest.getDefaultInstance());
    assertThat(r.getProvidersList()).extracting(Provider::getSlug).containsExactly("simulator", "simcloud", "simedge", "simlabs");
    Provider cloud = r.getProviders(1);
    assertThat(cloud.getName()).isEqualTo("SimCloud");
    assertThat(cloud.getHeadquarters()).isEqualTo("IE");
    assertThat(cloud.getDatacentersList()).containsExactly("IE", "DE");
    assertThat(cloud.getPrivacyPolicyUrl()).startsWith("https://");
    Provider sparse = r.getProviders(3);
    assertThat(sparse.getHeadquarters()).isEmpty();
    assertThat(sparse.getStatusPageUrl()).isEmpty();
    assertThat(sparse.getDatacentersList()).isEmpty();
    assertThat(models().listProviders(ListProvidersRequest.getDefaultInstance()).getCache().getFromCache()).isTrue();
    assertThat(h.simulator.requestCount("/providers")).isEqualTo(1);
  }

  @Test
  void availableToKeyListsTheKeysModelsInPagesBoundToThatListing() throws Exception {
    h = GatewayHarness.inProcess().withSimulator();
    ListModelsResponse whole = models().listModels(ListModelsRequest.newBuilder().setPageSize(1000).build());
    ListModelsResponse mine = models().listModels(ListModelsRequest.newBuilder().setPageSize(1000).setAvailableToKey(true).build());
    assertThat(h.simulator.requestCount("/models/user")).isEqualTo(1);
    assertThat(whole.getModelsList()).extracting(Model::getId).contains("simlabs/tiny:free");
    assertThat(mine.getModelsList()).extracting(Model::getId).doesNotContain("simlabs/tiny:free").contains("simlabs/tiny");
    assertThat(mine.getTotalSize()).isLessThan(whole.getTotalSize());

    List<String> paged = new ArrayList<>();
    String token = "";
    do {
      ListModelsResponse page = models().listModels(ListModelsRequest.newBuilder()
          .setAvailableToKey(true).setPageSize(3).setPageToken(token).build());
      page.getModelsList().forEach(m -> paged.add(m.getId()));
      assertThat(page.getTotalSize()).isEqualTo(mine.getTotalSize());
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    assertThat(paged).isEqualTo(mine.getModelsList().stream().map(Model::getId).toList());

    // A token of the whole catalogue is not one of the key's listing, and the other way round.
    String wholeToken = models().listModels(ListModelsRequest.newBuilder().setPageSize(2).build()).getNextPageToken();
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> models().listModels(
        ListModelsRequest.newBuilder().setPageSize(2).setAvailableToKey(true).setPageToken(wholeToken).build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).contains("page_token");
  }

  @Test
  void getKeyCarriesTheNewKeyFieldsAndEveryFieldRaw() throws Exception {
    try (MockWebServer upstream = new MockWebServer()) {
      upstream.start(InetAddress.getLoopbackAddress(), 0);
      upstream.enqueue(new MockResponse.Builder().code(200).body("{\"data\":{\"label\":\"sk-or-v1-abc...def\","
          + "\"usage\":1.5,\"creator_user_id\":\"user_2x\",\"workspace_id\":\"ws_1\",\"organization_id\":\"org_9\","
          + "\"allowed_data_regions\":[\"europe\"],\"free_model_requests_per_day\":1000,\"new_field\":{\"a\":1}}}").build());
      h = GatewayHarness.inProcess().withUpstream(URI.create(upstream.url("/api/v1").toString()), SimulatorKeys.DEFAULT);
      GetKeyResponse key = CreditsServiceGrpc.newBlockingStub(h.channel).withDeadlineAfter(20, TimeUnit.SECONDS)
          .getKey(GetKeyRequest.getDefaultInstance());
      assertThat(key.getCreatorUserId()).isEqualTo("user_2x");
      assertThat(key.getWorkspaceId()).isEqualTo("ws_1");
      assertThat(key.getOrganizationId()).isEqualTo("org_9");
      assertThat(key.getAllowedDataRegionsList()).containsExactly("europe");
      assertThat(key.getFreeModelRequestsPerDay()).isEqualTo(1000);
      assertThat(key.getRaw().getFieldsMap()).containsKey("new_field");
    }
  }

  @Test
  void getKeyWithoutTheNewFieldsLeavesThemUnset() throws Exception {
    h = GatewayHarness.inProcess().withSimulator();
    GetKeyResponse key = CreditsServiceGrpc.newBlockingStub(h.channel).withDeadlineAfter(20, TimeUnit.SECONDS)
        .getKey(GetKeyRequest.getDefaultInstance());
    assertThat(key.getWorkspaceId()).isEmpty();
    assertThat(key.hasFreeModelRequestsPerDay()).isFalse();
    assertThat(key.getCreatorUserId()).isNotEmpty();
  }
}
