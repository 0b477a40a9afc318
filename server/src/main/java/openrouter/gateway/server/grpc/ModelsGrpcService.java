package openrouter.gateway.server.grpc;

import com.google.rpc.BadRequest.FieldViolation;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Optional;
import openrouter.gateway.server.security.CallContext;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import openrouter.gateway.server.errors.StatusMapper;
import openrouter.gateway.server.models.CatalogSnapshot;
import openrouter.gateway.server.models.ModelCatalog;
import openrouter.gateway.server.models.ModelPager;
import openrouter.gateway.v1.GetModelRequest;
import openrouter.gateway.v1.GetModelResponse;
import openrouter.gateway.v1.ListModelsRequest;
import openrouter.gateway.v1.ListModelsResponse;
import openrouter.gateway.v1.ModelsServiceGrpc;

/**
 * The gRPC edge of the model catalogue. Requests are validated before the catalogue is read,
 * so a bad request never costs an upstream call.
 */
public final class ModelsGrpcService extends ModelsServiceGrpc.ModelsServiceImplBase {
  private final ModelCatalog catalog;
  private final StatusMapper statusMapper;

  public ModelsGrpcService(ModelCatalog catalog, StatusMapper statusMapper) {
    this.catalog = catalog;
    this.statusMapper = statusMapper;
  }

  @Override
  public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> observer) {
    ModelPager.Query query;
    try {
      query = ModelPager.parse(request);
    } catch (GatewayFailure invalid) {
      observer.onError(statusMapper.toException(invalid));
      return;
    }
    AsyncUnary.respond(observer, catalog.snapshot(CallContext.callerOpenRouterKey(), request.getForceRefresh()),
        read -> ModelPager.page(query, read.value()).setCache(AsyncUnary.cacheInfo(read)).build(),
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
