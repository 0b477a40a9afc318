package openrouter.gateway.loadgen;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.ChatResponse;
import openrouter.gateway.v1.ChatServiceGrpc;
import openrouter.gateway.v1.ListModelsRequest;
import openrouter.gateway.v1.ListModelsResponse;
import openrouter.gateway.v1.ModelsServiceGrpc;
import openrouter.gateway.v1.StreamChatResponse;

/** Requests through the gateway, on one or more HTTP/2 connections, fully asynchronous. */
final class GrpcTarget implements Target {
  private final Scenario scenario;
  private final ChatRequest chat;
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final AtomicInteger next = new AtomicInteger();
  private final long deadlineSeconds;

  GrpcTarget(String target, int connections, Scenario scenario, ChatRequest chat, long deadlineSeconds) {
    this.scenario = scenario;
    this.chat = chat;
    this.deadlineSeconds = deadlineSeconds;
    for (int i = 0; i < connections; i++) {
      channels.add(NettyChannelBuilder.forTarget(target).usePlaintext()
          .flowControlWindow(1 << 20)
          .maxInboundMessageSize(64 << 20)
          .build());
    }
  }

  private ManagedChannel channel() {
    return channels.get(Math.floorMod(next.getAndIncrement(), channels.size()));
  }

  @Override
  public void start(long intendedStartNanos, Stats stats, Runnable done) {
    switch (scenario) {
      case UNARY -> ChatServiceGrpc.newStub(channel()).withDeadlineAfter(deadlineSeconds, TimeUnit.SECONDS)
          .chat(chat, new Ending<>(intendedStartNanos, stats, done));
      case STREAM -> ChatServiceGrpc.newStub(channel()).withDeadlineAfter(deadlineSeconds, TimeUnit.SECONDS)
          .streamChat(chat, new StreamEnding(intendedStartNanos, stats, done));
      case MODELS -> ModelsServiceGrpc.newStub(channel()).withDeadlineAfter(deadlineSeconds, TimeUnit.SECONDS)
          .listModels(ListModelsRequest.newBuilder().setPageSize(50).build(), new Ending<ListModelsResponse>(intendedStartNanos, stats, done));
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
      long now = System.nanoTime();
      if (last == 0) {
        Stats.record(stats.firstChunk, now - start);
      } else {
        Stats.record(stats.chunkGap, now - last);
      }
      last = now;
      stats.chunks.increment();
    }
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
  }
}
