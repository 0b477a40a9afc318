package openrouter.gateway.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.ChatServiceGrpc;
import openrouter.gateway.v1.ChatSummary;
import openrouter.gateway.v1.StreamChatResponse;

/**
 * A streamed chat read as a blocking iterator: each {@link #next} is a {@code delta} or, last,
 * the {@code summary}. When the call fails, {@link #hasNext} throws the decoded
 * {@link GatewayException} after the messages that arrived before the failure.
 *
 * <p>One message is requested at a time, when the previous one has been taken, so an iterator
 * read slowly holds at most one message and the gateway's flow control does the rest. Close
 * it (try-with-resources) to cancel a stream you stop reading early: the gateway then cancels
 * the upstream request.
 */
public final class ChatStream implements Iterator<StreamChatResponse>, AutoCloseable {
  private static final Object END = new Object();

  private final ClientCall<ChatRequest, StreamChatResponse> call;
  // Unbounded in type, bounded in practice: one requested message plus the close event.
  private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
  private final Object callLock = new Object();
  private StreamChatResponse next;
  private ChatSummary summary;
  private GatewayException failure;
  private boolean ended;

  private ChatStream(ClientCall<ChatRequest, StreamChatResponse> call) {
    this.call = call;
  }

  static ChatStream start(Channel channel, CallOptions options, ChatRequest request) {
    ChatStream stream = new ChatStream(channel.newCall(ChatServiceGrpc.getStreamChatMethod(), options));
    synchronized (stream.callLock) {
      stream.call.start(stream.new Listener(), new Metadata());
      stream.call.sendMessage(request);
      stream.call.halfClose();
      stream.call.request(1);
    }
    return stream;
  }

  /**
   * Waits for the next message. Returns false when the stream ended OK; throws the decoded
   * failure when it ended otherwise (every call after that throws it again).
   */
  @Override
  public boolean hasNext() {
    if (next != null) {
      return true;
    }
    if (ended) {
      if (failure != null) {
        throw failure;
      }
      return false;
    }
    Object event = take();
    if (event instanceof StreamChatResponse message) {
      next = message;
      return true;
    }
    ended = true;
    if (event == END) {
      return false;
    }
    failure = (GatewayException) event;
    throw failure;
  }

  @Override
  public StreamChatResponse next() {
    if (!hasNext()) {
      throw new NoSuchElementException("the chat stream has ended");
    }
    StreamChatResponse message = next;
    next = null;
    if (message.hasSummary()) {
      summary = message.getSummary();
    }
    synchronized (callLock) {
      call.request(1);
    }
    return message;
  }

  /** The summary, once the iterator has returned it. */
  public Optional<ChatSummary> summary() {
    return Optional.ofNullable(summary);
  }

  /** Cancels the call unless it already ended. Safe from any thread. */
  public void cancel() {
    synchronized (callLock) {
      call.cancel("cancelled by the client", null);
    }
  }

  /** Cancels the stream if it has not ended; a no-op after the end. */
  @Override
  public void close() {
    cancel();
  }

  private Object take() {
    try {
      return events.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cancel();
      ended = true;
      failure = GatewayException.from(
          Status.CANCELLED.withDescription("interrupted while waiting for the chat stream").withCause(e),
          new Metadata());
      throw failure;
    }
  }

  private final class Listener extends ClientCall.Listener<StreamChatResponse> {
    @Override
    public void onMessage(StreamChatResponse message) {
      events.add(message);
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      events.add(status.isOk() ? END : GatewayException.from(status, trailers));
    }
  }
}
