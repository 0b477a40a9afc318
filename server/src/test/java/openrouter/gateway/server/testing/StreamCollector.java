package openrouter.gateway.server.testing;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import openrouter.gateway.v1.StreamChatResponse;

/** Collects a StreamChat call's messages and how it ended. */
public class StreamCollector implements StreamObserver<StreamChatResponse> {
  public final List<StreamChatResponse> messages = new CopyOnWriteArrayList<>();
  public final CountDownLatch firstMessage = new CountDownLatch(1);
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile Throwable error;

  @Override
  public void onNext(StreamChatResponse value) {
    messages.add(value);
    firstMessage.countDown();
  }

  @Override
  public void onError(Throwable t) {
    error = t;
    done.countDown();
  }

  @Override
  public void onCompleted() {
    done.countDown();
  }

  /**
   * Waits for the end; the status (OK when completed). The bound only fails a stream that never
   * ends: a busy machine can take well over 30 s to relay tens of megabytes.
   */
  public Status await() throws InterruptedException {
    if (!done.await(120, TimeUnit.SECONDS)) {
      throw new AssertionError("stream did not end in 120 s");
    }
    return error == null ? Status.OK : Status.fromThrowable(error);
  }

  public Throwable error() {
    return error;
  }

  public String content() {
    StringBuilder sb = new StringBuilder();
    for (StreamChatResponse m : messages) {
      if (m.hasDelta()) {
        sb.append(m.getDelta().getContent());
      }
    }
    return sb.toString();
  }
}
