package openrouter.gateway.tools.loadgen;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.ChatServiceGrpc;
import openrouter.gateway.v1.EmbedRequest;
import openrouter.gateway.v1.EmbeddingsServiceGrpc;
import openrouter.gateway.v1.ListModelsRequest;
import openrouter.gateway.v1.ModelsServiceGrpc;
import openrouter.gateway.v1.StreamChatResponse;

/**
 * Requests through the gateway, on one or more HTTP/2 connections, fully asynchronous. All
 * connections share one small event loop group, and responses are handled on it directly (the
 * callbacks only record and start the next request), without a hop to an executor thread.
 */
final class GrpcTarget implements Target {
  /** ListModels with the answer left unparsed: its bytes are counted and dropped. */
  private static final MethodDescriptor<ListModelsRequest, Long> LIST_MODELS_DRAINED =
      ModelsServiceGrpc.getListModelsMethod().toBuilder(
          ModelsServiceGrpc.getListModelsMethod().getRequestMarshaller(), new DrainingMarshaller()).build();

  private final Scenario scenario;
  private final ChatRequest chat;
  private final ListModelsRequest listModels = ListModelsRequest.newBuilder().setPageSize(50).build();
  private final HealthCheckRequest healthCheck = HealthCheckRequest.getDefaultInstance();
  private final EmbedRequest embed = EmbedLoad.request();
  private final EventLoopGroup group;
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final AtomicInteger next = new AtomicInteger();
  private final long deadlineSeconds;

  GrpcTarget(String target, int connections, Scenario scenario, ChatRequest chat, long deadlineSeconds, int ioThreads) {
    this(target, connections, scenario, chat, deadlineSeconds, ioThreads, null);
  }

  /** With {@code gatewayKey} (nullable) sent as {@code authorization: Bearer} on every call. */
  GrpcTarget(String target, int connections, Scenario scenario, ChatRequest chat, long deadlineSeconds, int ioThreads,
      String gatewayKey) {
    this.scenario = scenario;
    this.chat = chat;
    this.deadlineSeconds = deadlineSeconds;
    // Native epoll on Linux, NIO elsewhere: the classes of gRPC's own (shaded) Netty.
    boolean epoll = Epoll.isAvailable();
    this.group = new MultiThreadIoEventLoopGroup(ioThreads, new DefaultThreadFactory("loadgen-grpc", true),
        epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    Metadata headers = new Metadata();
    if (gatewayKey != null) {
      headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + gatewayKey);
    }
    for (int i = 0; i < connections; i++) {
      channels.add(NettyChannelBuilder.forTarget(target).usePlaintext()
          .intercept(MetadataUtils.newAttachHeadersInterceptor(headers))
          .eventLoopGroup(group)
          .channelType(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
          .directExecutor()
          .flowControlWindow(1 << 20)
          .maxInboundMessageSize(64 << 20)
          .build());
    }
  }

  private ManagedChannel channel() {
    return channels.get(Math.floorMod(next.getAndIncrement(), channels.size()));
  }

  private CallOptions options() {
    return CallOptions.DEFAULT.withDeadlineAfter(deadlineSeconds, TimeUnit.SECONDS);
  }

  @Override
  public void start(long intendedStartNanos, Stats stats, Runnable done) {
    switch (scenario) {
      case UNARY -> ClientCalls.asyncUnaryCall(channel().newCall(ChatServiceGrpc.getChatMethod(), options()), chat,
          new Ending<>(intendedStartNanos, stats, done));
      case STREAM -> ClientCalls.asyncServerStreamingCall(channel().newCall(ChatServiceGrpc.getStreamChatMethod(), options()),
          chat, new StreamEnding(intendedStartNanos, stats, done));
      case MODELS -> ClientCalls.asyncUnaryCall(channel().newCall(LIST_MODELS_DRAINED, options()), listModels,
          new Ending<Long>(intendedStartNanos, stats, done) {
            @Override
            public void onNext(Long bytes) {
              stats.bytes.add(bytes);
            }
          });
      case HEALTH -> ClientCalls.asyncUnaryCall(channel().newCall(HealthGrpc.getCheckMethod(), options()), healthCheck,
          new Ending<>(intendedStartNanos, stats, done));
      case EMBED -> ClientCalls.asyncUnaryCall(channel().newCall(EmbeddingsServiceGrpc.getEmbedMethod(), options()), embed,
          new Ending<>(intendedStartNanos, stats, done));
    }
  }

  /** Reads a response message to its end without parsing it; the message is its size. */
  private static final class DrainingMarshaller implements MethodDescriptor.Marshaller<Long> {
    @Override
    public InputStream stream(Long value) {
      throw new UnsupportedOperationException("responses only");
    }

    @Override
    public Long parse(InputStream in) {
      try {
        long total = 0;
        while (true) {
          // gRPC's message streams skip without copying.
          long skipped = in.skip(Integer.MAX_VALUE);
          if (skipped > 0) {
            total += skipped;
          } else if (in.read() >= 0) {
            total++;
          } else {
            return total;
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Records a unary outcome. */
  private static class Ending<T> implements StreamObserver<T> {
    final long start;
    final Stats stats;
    final Runnable done;

    Ending(long start, Stats stats, Runnable done) {
      this.start = start;
      this.stats = stats;
      this.done = done;
    }

    @Override
    public void onNext(T value) {}

    @Override
    public void onError(Throwable t) {
      stats.outcome(Status.fromThrowable(t).getCode().name());
      done.run();
    }

    @Override
    public void onCompleted() {
      Stats.record(stats.latency, System.nanoTime() - start);
      stats.outcome("OK");
      done.run();
    }
  }

  /** Records a stream: first chunk, gaps between chunks, the whole. */
  private static final class StreamEnding extends Ending<StreamChatResponse> {
    private long last;

    StreamEnding(long start, Stats stats, Runnable done) {
      super(start, stats, done);
    }

    @Override
    public void onNext(StreamChatResponse value) {
      if (!value.hasDelta()) {
        return;
      }
      last = stats.chunkArrived(start, last);
    }
  }

  @Override
  public long connectionsOpened() {
    // One HTTP/2 connection per channel (a channel reconnects only after a failure).
    return channels.size();
  }

  @Override
  public void close() {
    for (ManagedChannel c : channels) {
      c.shutdownNow();
    }
    for (ManagedChannel c : channels) {
      try {
        c.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
