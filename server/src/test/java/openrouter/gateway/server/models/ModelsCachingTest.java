package openrouter.gateway.server.models;

import static openrouter.gateway.server.testing.Requests.detail;
import static openrouter.gateway.server.testing.Requests.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import openrouter.gateway.simulator.SimulatorKeys;
import openrouter.gateway.simulator.testing.Eventually;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.ManualTime;
import openrouter.gateway.v1.GetModelRequest;
import openrouter.gateway.v1.GetModelResponse;
import openrouter.gateway.v1.ListModelsRequest;
import openrouter.gateway.v1.ListModelsResponse;
import openrouter.gateway.v1.ModelsServiceGrpc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The catalogue cache, observed through a real channel and the simulator's request counter:
 * one upstream read for concurrent cold calls, TTL expiry, forced refreshes and their rate
 * limit, stale answers while OpenRouter fails, and failures that are never cached. The caches
 * run on {@link ManualTime}, moved by the tests, so TTLs and ages are exact on any machine.
 */
class ModelsCachingTest {
  private final ManualTime time = new ManualTime();
  private GatewayHarness h;

  @AfterEach
  void stop() throws Exception {
    if (h != null) {
      h.close();
    }
  }

  private ModelsServiceGrpc.ModelsServiceBlockingStub models() {
    return ModelsServiceGrpc.newBlockingStub(h.channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private ListModelsResponse list() {
    return models().listModels(ListModelsRequest.newBuilder().setPageSize(1000).build());
  }

  private ListModelsResponse forceList() {
    return models().listModels(ListModelsRequest.newBuilder().setPageSize(1000).setForceRefresh(true).build());
  }

  private int upstreamReads() {
    return h.simulator.requestCount("/models");
  }

  @Test
  void concurrentCallsOnAColdCacheMakeOneUpstreamCall() throws Exception {
    h = GatewayHarness.inProcess().withSimulator();
    ModelsServiceGrpc.ModelsServiceFutureStub async = ModelsServiceGrpc.newFutureStub(h.channel);
    List<ListenableFuture<ListModelsResponse>> calls = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      calls.add(async.withDeadlineAfter(30, TimeUnit.SECONDS)
          .listModels(ListModelsRequest.newBuilder().setPageSize(5).setPageToken("").build()));
    }
    for (ListenableFuture<ListModelsResponse> call : calls) {
      assertThat(call.get(30, TimeUnit.SECONDS).getModelsCount()).isEqualTo(5);
    }
    assertThat(upstreamReads()).isEqualTo(1);
  }

  @Test
  void aCallAfterTheTtlReadsTheCatalogueAgain() throws Exception {
    h = GatewayHarness.inProcess().withSimulatorAndCacheTime(time, "OPENROUTER_CACHE_TTL_MODELS", "300");
    ListModelsResponse first = list();
    assertThat(first.getCache().getFromCache()).isFalse();
    ListModelsResponse cached = list();
    assertThat(cached.getCache().getFromCache()).isTrue();
    assertThat(cached.getCache().getFetchedAt()).isEqualTo(first.getCache().getFetchedAt());
    assertThat(upstreamReads()).isEqualTo(1);

    time.advance(Duration.ofMillis(350));
    ListModelsResponse refreshed = list();
    assertThat(refreshed.getCache().getFromCache()).isFalse();
    assertThat(refreshed.getCache().getStale()).isFalse();
    assertThat(Timestamps.compare(refreshed.getCache().getFetchedAt(), first.getCache().getFetchedAt())).isPositive();
    assertThat(upstreamReads()).isEqualTo(2);
  }

  @Test
  void aCallLateInTheTtlRefreshesAheadInTheBackground() throws Exception {
    h = GatewayHarness.inProcess().withSimulatorAndCacheTime(time, "OPENROUTER_CACHE_TTL_MODELS", "1000");
    list();
    time.advance(Duration.ofMillis(820)); // past 80% of the TTL, not past the TTL
    ListModelsResponse late = list();
    assertThat(late.getCache().getFromCache()).as("the caller did not wait").isTrue();
    Eventually.await("the refresh ahead reads the upstream", () -> upstreamReads() >= 2);
    assertThat(upstreamReads()).isEqualTo(2);
    // The refreshed catalogue replaces the old one once stored: younger than the 820 ms above.
    ListModelsResponse after = Eventually.await("the refreshed catalogue is served", this::list,
        r -> Durations.toMillis(r.getCache().getAge()) < 820);
    assertThat(after.getCache().getFromCache()).isTrue();
    assertThat(upstreamReads()).isEqualTo(2);
  }

  @Test
  void forceRefreshReadsTheUpstreamAtMostOncePerInterval() throws Exception {
    h = GatewayHarness.inProcess().withSimulatorAndCacheTime(time, "OPENROUTER_CACHE_MIN_REFRESH_INTERVAL_MS", "400");
    list();
    time.advance(Duration.ofMillis(450));
    ListModelsResponse forced = forceList();
    assertThat(forced.getCache().getFromCache()).isFalse();
    assertThat(upstreamReads()).isEqualTo(2);

    for (int i = 0; i < 10; i++) {
      assertThat(forceList().getCache().getFromCache()).isTrue();
      assertThat(models().getModel(GetModelRequest.newBuilder().setId("sim/echo").setForceRefresh(true).build())
          .getCache().getFromCache()).isTrue();
    }
    assertThat(upstreamReads()).as("forced refreshes within the interval").isEqualTo(2);

    time.advance(Duration.ofMillis(450));
    GetModelResponse model = models().getModel(GetModelRequest.newBuilder().setId("sim/echo").setForceRefresh(true).build());
    assertThat(model.getCache().getFromCache()).isFalse();
    assertThat(upstreamReads()).isEqualTo(3);
  }

  @Test
  void aFailingUpstreamServesTheLastCatalogueMarkedStaleWithItsAge() throws Exception {
    h = GatewayHarness.inProcess().withSimulatorAndCacheTime(time, "OPENROUTER_CACHE_TTL_MODELS", "200");
    ListModelsResponse good = list();
    h.simulator.failEndpoint("/models", 503);
    time.advance(Duration.ofMillis(250));

    ListModelsResponse stale = list();
    assertThat(stale.getCache().getStale()).isTrue();
    assertThat(stale.getCache().getFromCache()).isTrue();
    assertThat(Durations.toMillis(stale.getCache().getAge())).isGreaterThanOrEqualTo(250);
    assertThat(stale.getCache().getFetchedAt()).isEqualTo(good.getCache().getFetchedAt());
    assertThat(stale.getModelsList()).isEqualTo(good.getModelsList());
    assertThat(upstreamReads()).as("the refresh was tried").isEqualTo(2);

    // The failing upstream is not called again on every request.
    GetModelResponse model = models().getModel(GetModelRequest.newBuilder().setId("sim/echo").build());
    assertThat(model.getCache().getStale()).isTrue();
    assertThat(upstreamReads()).isEqualTo(2);
  }

  @Test
  void theLastCatalogueIsNotServedPastTheMaximumStaleness() throws Exception {
    h = GatewayHarness.inProcess().withSimulatorAndCacheTime(time,
        "OPENROUTER_CACHE_TTL_MODELS", "100",
        "OPENROUTER_CACHE_MAX_STALENESS_MS", "600",
        "OPENROUTER_CACHE_MIN_REFRESH_INTERVAL_MS", "0");
    list();
    h.simulator.failEndpoint("/models", 503);
    time.advance(Duration.ofMillis(150));
    assertThat(list().getCache().getStale()).isTrue();
    time.advance(Duration.ofMillis(500));

    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, this::list);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(errorInfo(e).getReason()).isEqualTo("PROVIDER_OVERLOADED");
  }

  @Test
  void aColdCacheWithAFailingUpstreamIsUnavailableAndTheFailureIsNotCached() throws Exception {
    h = GatewayHarness.inProcess().withSimulator();
    h.simulator.failEndpoint("/models", 503);
    for (int i = 1; i <= 2; i++) {
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, this::list);
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(errorInfo(e).getReason()).isEqualTo("PROVIDER_OVERLOADED");
      assertThat(errorInfo(e).getDomain()).isEqualTo("openrouter.ai");
      assertThat(Durations.toMillis(detail(e, RetryInfo.class).getRetryDelay())).isEqualTo(1000);
      assertThat(upstreamReads()).isEqualTo(i);
    }
    h.simulator.clearFailures();
    ListModelsResponse recovered = list();
    assertThat(recovered.getModelsCount()).isPositive();
    assertThat(recovered.getCache().getFromCache()).isFalse();
  }

  @Test
  void anUnknownKeyIsReportedAsTheGatewaysOwnProblem() throws Exception {
    h = GatewayHarness.inProcess().withSimulatorKey(SimulatorKeys.REJECTED);
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, this::list);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(errorInfo(e).getReason()).isEqualTo("UPSTREAM_KEY_REJECTED");
    assertThat(e.getStatus().getDescription()).doesNotContain(SimulatorKeys.REJECTED);
  }

  @Test
  void aPageTokenOutlivesARefreshOnlyWhenTheCatalogueIsUnchanged() throws Exception {
    try (MockWebServer upstream = new MockWebServer()) {
      upstream.start(InetAddress.getLoopbackAddress(), 0);
      String catalogueA = catalogue("a/one", "a/two", "a/three");
      String catalogueB = catalogue("a/one", "a/two", "a/three", "b/new");
      upstream.enqueue(json(catalogueA));
      upstream.enqueue(json(catalogueA));
      upstream.enqueue(json(catalogueB));
      h = GatewayHarness.inProcess().withUpstream(URI.create(upstream.url("/api/v1").toString()), SimulatorKeys.DEFAULT,
          "OPENROUTER_CACHE_MIN_REFRESH_INTERVAL_MS", "0");

      ListModelsResponse first = models().listModels(ListModelsRequest.newBuilder().setPageSize(1).build());
      String token = first.getNextPageToken();
      // Refreshed, same content: the token still works.
      forceList();
      ListModelsResponse second = models().listModels(ListModelsRequest.newBuilder()
          .setPageSize(1).setPageToken(token).build());
      assertThat(second.getModels(0).getId()).isEqualTo("a/three");
      // Refreshed, changed content: the token is refused.
      assertThat(forceList().getModelsCount()).isEqualTo(4);
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
          () -> models().listModels(ListModelsRequest.newBuilder().setPageSize(1).setPageToken(token).build()));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getStatus().getDescription()).contains("earlier version of the model catalogue");
      assertThat(upstream.getRequestCount()).isEqualTo(3);
      assertThat(upstream.takeRequest().getUrl().query()).isEqualTo("output_modalities=all");
    }
  }

  private static String catalogue(String... ids) {
    StringBuilder sb = new StringBuilder("{\"data\":[");
    for (int i = 0; i < ids.length; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"id\":\"").append(ids[i])
          .append("\",\"name\":\"").append(ids[i]).append("\",\"pricing\":{\"prompt\":\"0.000001\",\"completion\":\"0\"}}");
    }
    return sb.append("]}").toString();
  }

  private static MockResponse json(String body) {
    return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(body).build();
  }
}
