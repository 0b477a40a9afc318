package openrouter.gateway.server.grpc;

import com.google.common.util.concurrent.MoreExecutors;
import com.google.rpc.BadRequest.FieldViolation;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import openrouter.gateway.server.embeddings.EmbedRequestValidator;
import openrouter.gateway.server.embeddings.EmbedRunner;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.StatusMapper;
import openrouter.gateway.server.models.ModelCatalog;
import openrouter.gateway.server.models.ModelPager;
import openrouter.gateway.server.security.CallContext;
import openrouter.gateway.server.upstream.CallControl;
import openrouter.gateway.v1.EmbedRequest;
import openrouter.gateway.v1.EmbedResponse;
import openrouter.gateway.v1.EmbeddingsServiceGrpc;
import openrouter.gateway.v1.ListEmbeddingModelsRequest;
import openrouter.gateway.v1.ListEmbeddingModelsResponse;
import openrouter.gateway.v1.ListModelsRequest;
import openrouter.gateway.v1.ListModelsResponse;
import org.slf4j.MDC;

/**
 * The gRPC edge of embeddings. Embed is validated before anything is sent upstream, then runs
 * on a worker (the upstream call blocks) within the caller's deadline, or the default timeout
 * without one; a cancelled call cancels the upstream request. ListEmbeddingModels pages the
 * cached embedding listing with ListModels' filters and page tokens.
 */
public final class EmbeddingsGrpcService extends EmbeddingsServiceGrpc.EmbeddingsServiceImplBase {
  private final EmbedRequestValidator validator;
  private final EmbedRunner runner;
  private final ModelCatalog embeddingModels;
  private final StatusMapper statusMapper;
  private final Executor workers;
  private final Duration defaultTimeout;

  public EmbeddingsGrpcService(EmbedRequestValidator validator, EmbedRunner runner, ModelCatalog embeddingModels,
      StatusMapper statusMapper, Executor workers, Duration defaultTimeout) {
    this.validator = validator;
    this.runner = runner;
    this.embeddingModels = embeddingModels;
    this.statusMapper = statusMapper;
    this.workers = workers;
    this.defaultTimeout = defaultTimeout;
  }

  @Override
  public void embed(EmbedRequest request, StreamObserver<EmbedResponse> observer) {
    var call = (ServerCallStreamObserver<EmbedResponse>) observer;
    List<FieldViolation> violations = validator.validate(request);
    if (!violations.isEmpty()) {
      call.onError(statusMapper.toException(GatewayFailure.invalid(violations)));
      return;
    }
    String model = validator.model(request);
    CallControl control = controlForCurrentCall(defaultTimeout);
    call.setOnCancelHandler(control::cancel);
    Optional<String> callerKey = CallContext.callerOpenRouterKey();
    CallRecord record = CallRecord.current();
    String requestId = record.requestId();
    try {
      workers.execute(() -> {
        try (var mdc = MDC.putCloseable("request_id", requestId)) {
          EmbedResponse response = runner.embed(request, model, callerKey, control, record.chat());
          if (!call.isCancelled()) {
            call.onNext(response);
            call.onCompleted();
          }
        } catch (Throwable t) {
          Throwable failure = t instanceof GatewayFailure f ? f.withCallerKey(callerKey.isPresent()) : t;
          if (!call.isCancelled()) {
            call.onError(statusMapper.toException(failure));
          }
        }
      });
    } catch (RuntimeException rejected) {
      call.onError(statusMapper.toException(rejected));
    }
  }

  @Override
  public void listEmbeddingModels(ListEmbeddingModelsRequest request, StreamObserver<ListEmbeddingModelsResponse> observer) {
    ModelPager.Query query;
    try {
      query = ModelPager.parse(asListModels(request));
    } catch (GatewayFailure invalid) {
      observer.onError(statusMapper.toException(invalid));
      return;
    }
    AsyncUnary.respond(observer, embeddingModels.snapshot(CallContext.callerOpenRouterKey(), request.getForceRefresh()),
        read -> {
          ListModelsResponse.Builder page = ModelPager.page(query, read.value());
          return ListEmbeddingModelsResponse.newBuilder()
              .addAllModels(page.getModelsList())
              .setNextPageToken(page.getNextPageToken())
              .setTotalSize(page.getTotalSize())
              .setCache(AsyncUnary.cacheInfo(read))
              .build();
        },
        statusMapper);
  }

  /** The same filters as a ListModels request, so validation, order and page tokens are shared. */
  static ListModelsRequest asListModels(ListEmbeddingModelsRequest r) {
    return ListModelsRequest.newBuilder()
        .setPageSize(r.getPageSize())
        .setPageToken(r.getPageToken())
        .setAuthorPrefix(r.getAuthorPrefix())
        .addAllInputModalities(r.getInputModalitiesList())
        .setMinContextLength(r.getMinContextLength())
        .setMaxPromptPrice(r.getMaxPromptPrice())
        .setFreeOnly(r.getFreeOnly())
        .setQuery(r.getQuery())
        .setOrderByValue(r.getOrderByValue())
        .setForceRefresh(r.getForceRefresh())
        .setIncludeRaw(r.getIncludeRaw())
        .build();
  }

  /** The call's total time: the caller's deadline, or the default; cancellation cancels upstream. */
  private static CallControl controlForCurrentCall(Duration defaultTimeout) {
    Context context = Context.current();
    Deadline deadline = context.getDeadline();
    CallControl control = deadline != null
        ? new CallControl(Duration.ofNanos(Math.max(0, deadline.timeRemaining(TimeUnit.NANOSECONDS))), true)
        : new CallControl(defaultTimeout, false);
    context.addListener(c -> control.cancel(), MoreExecutors.directExecutor());
    return control;
  }
}
