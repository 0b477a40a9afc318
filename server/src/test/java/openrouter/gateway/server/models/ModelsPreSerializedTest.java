package openrouter.gateway.server.models;

import static openrouter.gateway.server.testing.Requests.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.CallOptions;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import openrouter.gateway.server.grpc.CallerInterceptor;
import openrouter.gateway.server.json.OpenRouterJson;
import openrouter.gateway.server.upstream.wire.ModelListings;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.RawBytes;
import openrouter.gateway.server.testing.TestKeys;
import openrouter.gateway.v1.ListModelsRequest;
import openrouter.gateway.v1.ListModelsResponse;
import openrouter.gateway.v1.Model;
import openrouter.gateway.v1.ModelOrder;
import openrouter.gateway.v1.ModelsServiceGrpc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ListModels answers with pages serialized once and kept (SerializedPages, PreSerialized).
 * Through a real channel: what a generated stub decodes, and the exact bytes on the wire, are
 * those of the response built and serialized the old way for the same snapshot; a refreshed
 * catalogue, or another key's, is never answered with pages made from a different one.
 */
class ModelsPreSerializedTest {
  private static final MethodDescriptor.Marshaller<byte[]> BYTES = RawBytes.MARSHALLER;
  private static final MethodDescriptor<byte[], byte[]> RAW_LIST = ModelsServiceGrpc.getListModelsMethod()
      .toBuilder(BYTES, BYTES).build();

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

  private ModelsServiceGrpc.ModelsServiceBlockingStub modelsWithKey(String callerKey) {
    Metadata md = new Metadata();
    md.put(CallerInterceptor.CALLER_OPENROUTER_KEY, callerKey);
    return models().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
  }

  private byte[] rawList(ListModelsRequest request) {
    return ClientCalls.blockingUnaryCall(h.channel, RAW_LIST, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
        request.toByteArray());
  }

  /** The simulator's catalogue, read over HTTP and made into a snapshot the way the gateway does. */
  private CatalogSnapshot simulatorSnapshot() throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(h.simulator.baseUrl() + "/models?output_modalities=all")).build(),
        HttpResponse.BodyHandlers.ofString());
    return ModelCatalog.fromListing(ModelListings.listing(OpenRouterJson.parse(response.body()).get("data")));
  }

  /** The response as ModelsGrpcService built it before pages were kept serialized. */
  private static ListModelsResponse builtTheOldWay(ListModelsRequest request, CatalogSnapshot snapshot,
      ListModelsResponse served) {
    return ModelPager.page(ModelPager.parse(request), snapshot).setCache(served.getCache()).build();
  }

  @Test
  void everyPageIsTheResponseBuiltTheOldWayByteForByte() throws Exception {
    h = GatewayHarness.inProcess().withSimulator();
    CatalogSnapshot snapshot = simulatorSnapshot();
    List<ListModelsRequest> queries = new ArrayList<>(List.of(
        ListModelsRequest.getDefaultInstance(),
        ListModelsRequest.newBuilder().setIncludeRaw(true).build(),
        ListModelsRequest.newBuilder().setPageSize(1000).setOrderBy(ModelOrder.MODEL_ORDER_PRICE).build(),
        ListModelsRequest.newBuilder().setOrderBy(ModelOrder.MODEL_ORDER_NEWEST).setPageSize(4).build(),
        ListModelsRequest.newBuilder().setAuthorPrefix("SIM/").setQuery("e").setFreeOnly(false).build(),
        ListModelsRequest.newBuilder().addInputModalities("image").setOrderBy(ModelOrder.MODEL_ORDER_CONTEXT_LENGTH).build(),
        ListModelsRequest.newBuilder().setMaxPromptPrice("0.00001").setMinContextLength(1000).setIncludeRaw(true).build(),
        ListModelsRequest.newBuilder().setQuery("no model is called this").build()));
    // Every page of two paginated listings, following their tokens.
    for (ListModelsRequest.Builder first : List.of(
        ListModelsRequest.newBuilder().setPageSize(7).setOrderBy(ModelOrder.MODEL_ORDER_PRICE),
        ListModelsRequest.newBuilder().setPageSize(5).setIncludeRaw(true).setAuthorPrefix("sim/"))) {
      ListModelsRequest page = first.build();
      for (int i = 0; i < 100; i++) {
        queries.add(page);
        String next = models().listModels(page).getNextPageToken();
        if (next.isEmpty()) {
          break;
        }
        page = page.toBuilder().setPageToken(next).build();
      }
    }
    assertThat(queries).as("the paginated listings have several pages").hasSizeGreaterThan(14);

    for (ListModelsRequest request : queries) {
      // Twice: the first call may build the page, the second is served the kept bytes.
      for (int call = 1; call <= 2; call++) {
        ListModelsResponse decoded = models().listModels(request);
        ListModelsResponse expected = builtTheOldWay(request, snapshot, decoded);
        assertThat(decoded).as("%s, call %d", request, call).isEqualTo(expected);
        assertThat(decoded.getCache().hasFetchedAt()).isTrue();

        byte[] wire = rawList(request);
        ListModelsResponse wireDecoded = ListModelsResponse.parseFrom(wire);
        byte[] oldBytes = builtTheOldWay(request, snapshot, wireDecoded).toByteArray();
        assertThat(Arrays.mismatch(wire, oldBytes))
            .as("%s, call %d: first byte sent that differs (of %d sent, %d the old way)", request, call, wire.length, oldBytes.length)
            .isEqualTo(-1);
      }
    }
    assertThat(models().listModels(ListModelsRequest.getDefaultInstance()).getModelsList())
        .as("the default page is the simulator catalogue's first page (the realistic entries made it"
            + " longer than one)")
        .hasSize(Math.min(snapshot.size(), openrouter.gateway.server.models.ModelPager.DEFAULT_PAGE_SIZE));
  }

  @Test
  void concurrentCallsForTheSamePageAllGetIt() throws Exception {
    h = GatewayHarness.inProcess().withSimulator();
    CatalogSnapshot snapshot = simulatorSnapshot();
    ModelsServiceGrpc.ModelsServiceStub async = ModelsServiceGrpc.newStub(h.channel);
    ListModelsRequest request = ListModelsRequest.newBuilder().setPageSize(3).setIncludeRaw(true).build();
    List<CompletableFuture<ListModelsResponse>> calls = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      CompletableFuture<ListModelsResponse> done = new CompletableFuture<>();
      async.withDeadlineAfter(30, TimeUnit.SECONDS).listModels(request, observer(done));
      calls.add(done);
    }
    for (CompletableFuture<ListModelsResponse> call : calls) {
      ListModelsResponse response = call.get(30, TimeUnit.SECONDS);
      assertThat(response).isEqualTo(builtTheOldWay(request, snapshot, response));
    }
  }

  @Test
  void aRefreshedCatalogueIsListedNotThePagesOfTheOldOne() throws Exception {
    try (MockWebServer upstream = new MockWebServer()) {
      upstream.start(InetAddress.getLoopbackAddress(), 0);
      upstream.enqueue(json(catalogue("a/one", "a/two")));
      upstream.enqueue(json(catalogue("a/one", "a/two", "b/new")));
      upstream.enqueue(json(catalogue("a/one", "a/two")));
      h = GatewayHarness.inProcess().withUpstream(URI.create(upstream.url("/api/v1").toString()), TestKeys.GATEWAY,
          "OPENROUTER_CACHE_MIN_REFRESH_INTERVAL_MS", "0");
      ListModelsRequest request = ListModelsRequest.newBuilder().setPageSize(2).build();

      assertThat(ids(models().listModels(request))).containsExactly("a/one", "a/two");
      assertThat(models().listModels(request).getNextPageToken()).isEmpty();
      ListModelsResponse forced = models().listModels(request.toBuilder().setForceRefresh(true).build());
      assertThat(forced.getCache().getFromCache()).isFalse();
      assertThat(forced.getTotalSize()).isEqualTo(3);
      // The same query after the refresh: the new catalogue's page, not the kept one.
      ListModelsResponse after = models().listModels(request);
      assertThat(after.getTotalSize()).isEqualTo(3);
      assertThat(after.getNextPageToken()).isNotEmpty();
      assertThat(ids(models().listModels(request.toBuilder().setPageToken(after.getNextPageToken()).build())))
          .containsExactly("b/new");
      // Back to the first content: listed as it is now.
      assertThat(models().listModels(request.toBuilder().setForceRefresh(true).build()).getTotalSize()).isEqualTo(2);
      assertThat(models().listModels(request).getNextPageToken()).isEmpty();
      assertThat(upstream.getRequestCount()).isEqualTo(3);
    }
  }

  @Test
  void callersWithTheirOwnKeysAreListedTheirOwnCatalogues() throws Exception {
    String alice = "sk-or-v1-" + "a11ce".repeat(12) + "abcd";
    String bob = "sk-or-v1-" + "b0b".repeat(21) + "e";
    try (MockWebServer upstream = new MockWebServer()) {
      upstream.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          String authorization = request.getHeaders().get("Authorization");
          if (("Bearer " + alice).equals(authorization)) {
            return json(catalogue("alice/model"));
          }
          if (("Bearer " + bob).equals(authorization)) {
            return json(catalogue("bob/model", "bob/other"));
          }
          return json(catalogue("gateway/model"));
        }
      });
      upstream.start(InetAddress.getLoopbackAddress(), 0);
      h = GatewayHarness.inProcess().withUpstream(URI.create(upstream.url("/api/v1").toString()), TestKeys.GATEWAY,
          "GATEWAY_ALLOW_CALLER_KEYS", "true");
      ListModelsRequest request = ListModelsRequest.getDefaultInstance();
      for (int round = 0; round < 2; round++) {
        assertThat(ids(models().listModels(request))).containsExactly("gateway/model");
        assertThat(ids(modelsWithKey(alice).listModels(request))).containsExactly("alice/model");
        assertThat(ids(modelsWithKey(bob).listModels(request))).containsExactly("bob/model", "bob/other");
      }
      assertThat(upstream.getRequestCount()).as("one catalogue read per key").isEqualTo(3);
    }
  }

  @Test
  void aMalformedListModelsRequestIsInvalidArgumentAndTheServiceCarriesOn() throws Exception {
    h = GatewayHarness.inProcess().withSimulator();
    for (byte[] garbage : List.of(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}, new byte[] {0x0a, 0x7f, 0x01})) {
      StatusRuntimeException bad = catchThrowableOfType(StatusRuntimeException.class,
          () -> ClientCalls.blockingUnaryCall(h.channel, RAW_LIST, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), garbage));
      assertThat(bad.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(errorInfo(bad).getReason()).isEqualTo("MALFORMED_REQUEST");
      assertThat(bad.getStatus().getDescription()).contains("openrouter.gateway.v1.ModelsService/ListModels");
    }
    assertThat(h.simulator.requestCount("/models")).as("malformed requests never read the catalogue").isZero();
    // Well-formed bytes on the same method are answered.
    assertThat(ListModelsResponse.parseFrom(rawList(ListModelsRequest.newBuilder().setPageSize(2).build().toByteArray()))
        .getModelsCount()).isEqualTo(2);
  }

  @Test
  void reflectionStillDescribesTheModelsService() throws Exception {
    h = GatewayHarness.inProcess().withSimulator();
    CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(h.channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS).serverReflectionInfo(observer(answer));
    requests.onNext(ServerReflectionRequest.newBuilder().setFileContainingSymbol(ModelsServiceGrpc.SERVICE_NAME).build());
    requests.onCompleted();
    ServerReflectionResponse response = answer.get(30, TimeUnit.SECONDS);
    assertThat(response.hasFileDescriptorResponse()).as("%s", response).isTrue();
    com.google.protobuf.DescriptorProtos.FileDescriptorProto file = com.google.protobuf.DescriptorProtos.FileDescriptorProto
        .parseFrom(response.getFileDescriptorResponse().getFileDescriptorProto(0));
    assertThat(file.getServiceList()).anySatisfy(s -> {
      assertThat(s.getName()).isEqualTo("ModelsService");
      assertThat(s.getMethodList()).extracting(m -> m.getName()).contains("ListModels", "GetModel");
    });
  }

  private byte[] rawList(byte[] request) {
    return ClientCalls.blockingUnaryCall(h.channel, RAW_LIST, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), request);
  }

  private static List<String> ids(ListModelsResponse response) {
    return response.getModelsList().stream().map(Model::getId).toList();
  }

  private static <T> StreamObserver<T> observer(CompletableFuture<T> done) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        done.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        done.completeExceptionally(new AssertionError("completed without a response"));
      }
    };
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
