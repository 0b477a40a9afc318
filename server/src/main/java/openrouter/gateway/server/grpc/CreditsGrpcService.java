package openrouter.gateway.server.grpc;

import com.google.protobuf.util.Timestamps;
import io.grpc.stub.StreamObserver;
import java.math.BigDecimal;
import java.util.Optional;
import openrouter.gateway.server.security.CallContext;
import openrouter.gateway.server.credits.CreditFigures;
import openrouter.gateway.server.credits.CreditsService;
import openrouter.gateway.server.errors.StatusMapper;
import openrouter.gateway.server.spend.Budgets;
import openrouter.gateway.v1.CreditsServiceGrpc;
import openrouter.gateway.v1.GetCreditsRequest;
import openrouter.gateway.v1.GetCreditsResponse;
import openrouter.gateway.v1.GetKeyRequest;
import openrouter.gateway.v1.GetKeyResponse;
import openrouter.gateway.v1.GetSpendRequest;
import openrouter.gateway.v1.GetSpendResponse;

/** The gRPC edge of the balance and key information, for the gateway's own key. */
public final class CreditsGrpcService extends CreditsServiceGrpc.CreditsServiceImplBase {
  private final CreditsService credits;
  private final StatusMapper statusMapper;
  private final Budgets budgets;

  public CreditsGrpcService(CreditsService credits, StatusMapper statusMapper, Budgets budgets) {
    this.credits = credits;
    this.statusMapper = statusMapper;
    this.budgets = budgets;
  }

  /** The calling caller's own spend: the gateway's ledger, not OpenRouter's account. */
  @Override
  public void getSpend(GetSpendRequest request, StreamObserver<GetSpendResponse> observer) {
    Budgets.Status s;
    try {
      s = budgets.status(CallContext.caller());
    } catch (RuntimeException e) {
      observer.onError(statusMapper.toException(e));
      return;
    }
    observer.onNext(GetSpendResponse.newBuilder()
        .setCaller(s.callerId())
        .setHasBudget(s.budget().isPresent())
        .setBudget(s.budget().map(b -> b.usd().toPlainString()).orElse(""))
        .setSpent(s.spent().toPlainString())
        .setRemaining(s.remaining().map(BigDecimal::toPlainString).orElse(""))
        .setWindowStart(Timestamps.fromSeconds(s.window().start().getEpochSecond()))
        .setWindowEnd(Timestamps.fromSeconds(s.window().end().getEpochSecond()))
        .setWindowDays(s.window().days())
        .build());
    observer.onCompleted();
  }

  @Override
  public void getCredits(GetCreditsRequest request, StreamObserver<GetCreditsResponse> observer) {
    AsyncUnary.respond(observer, credits.balance(CallContext.callerOpenRouterKey(), request.getForceRefresh()), balance -> {
      CreditFigures f = balance.read().value();
      return GetCreditsResponse.newBuilder()
          .setTotalCredits(f.totalCredits())
          .setTotalUsage(f.totalUsage())
          .setRemaining(f.remaining().map(BigDecimal::toPlainString).orElse(""))
          .setAsOf(Timestamps.fromMillis(balance.read().fetchedAt().toEpochMilli()))
          .setCache(AsyncUnary.cacheInfo(balance.read()))
          .setSource(f.source())
          .setLowBalance(balance.low())
          .setLowBalanceThreshold(balance.threshold().map(BigDecimal::toPlainString).orElse(""))
          .setNote(f.note())
          .build();
    }, statusMapper);
  }

  @Override
  public void getKey(GetKeyRequest request, StreamObserver<GetKeyResponse> observer) {
    AsyncUnary.respond(observer, credits.keyInfo(CallContext.callerOpenRouterKey(), request.getForceRefresh()),
        read -> read.value().toBuilder().setCache(AsyncUnary.cacheInfo(read)).build(),
        statusMapper);
  }
}
