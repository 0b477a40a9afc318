package openrouter.gateway.server.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import openrouter.gateway.server.chat.ChatRunner;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import openrouter.gateway.server.upstream.CallControl;
import openrouter.gateway.v1.ChatDelta;
import openrouter.gateway.v1.StreamChatResponse;

/**
 * Hands deltas to a streaming call only when the client can take them. While the client is
 * not ready the upstream reader thread blocks here, stops reading the upstream socket, and TCP
 * pushes back on OpenRouter: a slow reader costs one message and gRPC's own window, never an
 * unbounded queue.
 */
final class ReadySink implements ChatRunner.DeltaSink {
  /** Re-check readiness at least this often, in case a wake-up is missed. */
  private static final long MAX_WAIT_MILLIS = 100;

  private final ServerCallStreamObserver<StreamChatResponse> call;
  private final CallControl control;
  private final Object lock = new Object();

  ReadySink(ServerCallStreamObserver<StreamChatResponse> call, CallControl control) {
    this.call = call;
    this.control = control;
  }

  /** The call became ready or was cancelled: wake the waiting reader. */
  void signal() {
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  @Override
  public void send(ChatDelta delta) {
    synchronized (lock) {
      while (!call.isReady()) {
        checkAlive();
        long waitMillis = Math.min(MAX_WAIT_MILLIS, Math.max(1, control.remaining().toMillis()));
        try {
          lock.wait(waitMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw GatewayFailure.of(Kind.CALLER_CANCELLED, "interrupted while waiting for the caller");
        }
      }
    }
    checkAlive();
    call.onNext(StreamChatResponse.newBuilder().setDelta(delta).build());
  }

  private void checkAlive() {
    if (control.expired()) {
      throw control.callerDeadline()
          ? GatewayFailure.of(Kind.CALLER_DEADLINE, "the call's deadline passed while the caller was not reading")
          : GatewayFailure.of(Kind.UPSTREAM_TIMEOUT, "the gateway's time limit passed while the caller was not reading");
    }
    if (control.cancelled() || call.isCancelled()) {
      throw GatewayFailure.of(Kind.CALLER_CANCELLED, "the caller cancelled the call");
    }
  }
}
