package openrouter.gateway.server.grpc;

import com.google.rpc.BadRequest.FieldViolation;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.List;
import openrouter.gateway.server.security.CallContext;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import openrouter.gateway.server.errors.StatusMapper;
import openrouter.gateway.server.models.CatalogSnapshot;
import openrouter.gateway.server.models.ModelCatalog;
import openrouter.gateway.server.models.ModelPager;
import openrouter.gateway.server.models.SerializedPages;
import openrouter.gateway.v1.GetModelRequest;
import openrouter.gateway.v1.GetModelResponse;
import openrouter.gateway.v1.ListModelsRequest;
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
  private final StatusMapper statusMapper;
  private final SerializedPages pages;

  public ModelsGrpcService(ModelCatalog catalog, StatusMapper statusMapper) {
    this.catalog = catalog;
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
    AsyncUnary.respond(observer, catalog.snapshot(CallContext.callerOpenRouterKey(), request.getForceRefresh()),
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
}
