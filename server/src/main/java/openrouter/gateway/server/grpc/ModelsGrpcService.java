package openrouter.gateway.server.grpc;

import com.google.rpc.BadRequest.FieldViolation;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Optional;
import openrouter.gateway.server.security.CallContext;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import openrouter.gateway.server.errors.Redactor;
import openrouter.gateway.server.errors.StatusMapper;
import openrouter.gateway.server.models.CatalogSnapshot;
import openrouter.gateway.server.models.ModelCatalog;
import openrouter.gateway.server.models.ModelEndpoints;
import openrouter.gateway.server.models.ProviderDirectory;
import openrouter.gateway.server.models.ModelPager;
import openrouter.gateway.server.models.SerializedPages;
import openrouter.gateway.v1.GetModelRequest;
import openrouter.gateway.v1.GetModelResponse;
import openrouter.gateway.v1.ListModelEndpointsRequest;
import openrouter.gateway.v1.ListModelEndpointsResponse;
import openrouter.gateway.v1.ListModelsRequest;
import openrouter.gateway.v1.ListProvidersRequest;
import openrouter.gateway.v1.ListProvidersResponse;
import openrouter.gateway.v1.ModelsServiceGrpc;

/**
 * The gRPC edge of the model catalogue. Requests are validated before the catalogue is read,
 * so a bad request never costs an upstream call.
 *
 * <p>ListModels answers with pages serialized once per catalogue snapshot and query ({@link
 * SerializedPages}) followed by the call's own cache field: the same bytes as serializing the
 * ListModelsResponse, without doing it on every call.
 */
public final class ModelsGrpcService implements ModelsServiceGrpc.AsyncService, BindableService {
  private final ModelCatalog catalog;
  private final ModelCatalog userCatalog;
  private final ModelEndpoints endpoints;
  private final ProviderDirectory providers;
  private final StatusMapper statusMapper;
  private final SerializedPages pages;

  /**
   * @param catalog the whole catalogue ({@code /models})
   * @param userCatalog the models the key may use ({@code /models/user}), for available_to_key
   * @param endpoints provider endpoints per model
   * @param providers OpenRouter's providers
   */
  public ModelsGrpcService(ModelCatalog catalog, ModelCatalog userCatalog, ModelEndpoints endpoints,
      ProviderDirectory providers, StatusMapper statusMapper) {
    this.catalog = catalog;
    this.userCatalog = userCatalog;
    this.endpoints = endpoints;
    this.providers = providers;
    this.statusMapper = statusMapper;
    this.pages = new SerializedPages(SerializedPages.DEFAULT_MAX_BYTES);
  }

  @Override
  public ServerServiceDefinition bindService() {
    return PreSerialized.rebind(ModelsServiceGrpc.bindService(this), ModelsServiceGrpc.getListModelsMethod(),
        ServerCalls.asyncUnaryCall(this::listSerializedModels));
  }

  /** ListModels, answered with a {@link PreSerialized.Message}; bound in place of {@link #listModels}. */
  private void listSerializedModels(ListModelsRequest request, StreamObserver<Object> observer) {
    ModelPager.Query query;
    try {
      query = ModelPager.parse(request);
    } catch (GatewayFailure invalid) {
      observer.onError(statusMapper.toException(invalid));
      return;
    }
    ModelCatalog listing = request.getAvailableToKey() ? userCatalog : catalog;
    AsyncUnary.respond(observer, listing.snapshot(CallContext.callerOpenRouterKey(), request.getForceRefresh()),
        read -> new PreSerialized.Message(pages.page(query, read.value()),
            SerializedPages.cacheField(AsyncUnary.cacheInfo(read))),
        statusMapper);
  }

  @Override
  public void getModel(GetModelRequest request, StreamObserver<GetModelResponse> observer) {
    String id = request.getId().trim();
    if (id.isEmpty()) {
      observer.onError(statusMapper.toException(GatewayFailure.invalid(List.of(FieldViolation.newBuilder()
          .setField("id").setDescription("id is required: a model id such as openai/gpt-4o").build()))));
      return;
    }
    AsyncUnary.respond(observer, catalog.snapshot(CallContext.callerOpenRouterKey(), request.getForceRefresh()), read -> {
      CatalogSnapshot.Resolved found = read.value().resolve(id).orElseThrow(() ->
          GatewayFailure.of(Kind.NOT_FOUND, "model " + id + " is not in OpenRouter's catalogue ("
                  + read.value().size() + " models); ListModels with a query finds the right id")
              .withResource("model", id)
              .withServed(id, null, null));
      return GetModelResponse.newBuilder()
          .setModel(found.model())
          .setVariant(found.variant())
          .setCache(AsyncUnary.cacheInfo(read))
          .build();
    }, statusMapper);
  }

  @Override
  public void listModelEndpoints(ListModelEndpointsRequest request, StreamObserver<ListModelEndpointsResponse> observer) {
    Optional<String> id = ModelEndpoints.baseId(request.getModel());
    if (id.isEmpty()) {
      observer.onError(statusMapper.toException(GatewayFailure.invalid(List.of(FieldViolation.newBuilder()
          .setField("model").setDescription("model must be a model id author/slug such as openai/gpt-4o"
              + " (letters, digits, '.', '_', '-'), got \"" + shorten(request.getModel()) + "\"").build()))));
      return;
    }
    AsyncUnary.respond(observer,
        endpoints.endpoints(id.get(), CallContext.callerOpenRouterKey(), request.getForceRefresh()),
        read -> read.value().toBuilder().setCache(AsyncUnary.cacheInfo(read)).build(), statusMapper);
  }

  @Override
  public void listProviders(ListProvidersRequest request, StreamObserver<ListProvidersResponse> observer) {
    AsyncUnary.respond(observer, providers.providers(CallContext.callerOpenRouterKey(), request.getForceRefresh()),
        read -> read.value().toBuilder().setCache(AsyncUnary.cacheInfo(read)).build(), statusMapper);
  }

  /** A bad value quoted back, bounded so a status never carries a huge string. */
  private static String shorten(String value) {
    return Redactor.redactAndCut(value, 100);
  }
}
