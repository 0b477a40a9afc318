package openrouter.gateway.server.grpc;

import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import openrouter.gateway.server.cache.CachedRead;
import openrouter.gateway.server.errors.StatusMapper;
import openrouter.gateway.v1.CacheInfo;

/**
 * Answers a unary call when a future completes, without holding a thread while it waits (a
 * cold cache may wait for one shared upstream read). Every failure, including one thrown while
 * building the response, becomes a status through the {@link StatusMapper}.
 */
final class AsyncUnary {
  private AsyncUnary() {}

  /** Builds the response from a value; may throw a GatewayFailure. */
  interface ResponseBuilder<T, R> {
    R build(T value);
  }

  static <T, R> void respond(
      StreamObserver<R> observer, CompletableFuture<T> future, ResponseBuilder<T, R> builder, StatusMapper statusMapper) {
    var call = (ServerCallStreamObserver<R>) observer;
    // With a cancel handler set, answering a call the client already left is a no-op.
    call.setOnCancelHandler(() -> {});
    future.whenComplete((value, failure) -> {
      if (call.isCancelled()) {
        return;
      }
      R response;
      try {
        if (failure != null) {
          throw unwrap(failure);
        }
        response = builder.build(value);
      } catch (Throwable t) {
        call.onError(statusMapper.toException(unwrap(t)));
        return;
      }
      call.onNext(response);
      call.onCompleted();
    });
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The freshness of a cached answer, for its response. */
  static CacheInfo cacheInfo(CachedRead<?> read) {
    return CacheInfo.newBuilder()
        .setFromCache(read.fromCache())
        .setStale(read.stale())
        .setFetchedAt(Timestamps.fromMillis(read.fetchedAt().toEpochMilli()))
        .setAge(Durations.fromMillis(read.age().toMillis()))
        .build();
  }
}
