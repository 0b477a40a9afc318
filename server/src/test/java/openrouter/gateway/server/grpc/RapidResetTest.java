package openrouter.gateway.server.grpc;

import static openrouter.gateway.server.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import openrouter.gateway.simulator.testing.CapturedLogs;
import openrouter.gateway.simulator.testing.Eventually;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.HeldExecutor;
import openrouter.gateway.simulator.testing.RawHttp2Client;
import openrouter.gateway.simulator.testing.RawHttp2Client.Frame;
import openrouter.gateway.server.testing.StreamCollector;
import openrouter.gateway.server.testing.TestKeys;
import openrouter.gateway.v1.ChatServiceGrpc;
import openrouter.gateway.v1.GetGenerationRequest;
import openrouter.gateway.v1.GetGenerationResponse;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 rapid reset (CVE-2023-44487): a client that opens and resets streams en masse gets
 * GOAWAY, and a call reset before its work started sends nothing upstream.
 */
class RapidResetTest {
  private static final String STREAM_CHAT = "/" + ChatServiceGrpc.SERVICE_NAME + "/StreamChat";

  @Test
  void twentyThousandResetStreamsOnOneConnectionGetGoAwayAndStartAtMostTheLimitOfUpstreamRequests() throws Exception {
    int limit = 50;
    try (GatewayHarness h = GatewayHarness.withSimulator("GATEWAY_MAX_RST_FRAMES_PER_WINDOW", Integer.toString(limit));
        RawHttp2Client raw = new RawHttp2Client(h.gateway.port())) {
      byte[] request = chat("sim/slow", "one two three four five six seven eight", Map.of()).toByteArray();
      // Reads while writing, so the GOAWAY is taken in before the server closes the connection.
      Frame[] goAway = new Frame[1];
      CountDownLatch read = new CountDownLatch(1);
      Thread reader = new Thread(() -> {
        try {
          goAway[0] = raw.await(f -> f.type() == RawHttp2Client.GOAWAY, 30_000);
        } catch (IOException e) {
          // no GOAWAY: asserted below
        } finally {
          read.countDown();
        }
      });
      reader.start();
      int sent = 0;
      try {
        for (int batch = 0; batch < 200 && read.getCount() > 0; batch++) {
          java.io.ByteArrayOutputStream frames = new java.io.ByteArrayOutputStream();
          for (int i = 0; i < 100; i++) {
            frames.writeBytes(RawHttp2Client.callThenReset(2 * (sent + i) + 1, STREAM_CHAT, request));
          }
          raw.write(frames.toByteArray());
          sent += 100;
        }
      } catch (IOException closed) {
        // the server closed the connection after its GOAWAY
      }
      assertThat(read.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(goAway[0]).as("a GOAWAY after " + sent + " reset streams").isNotNull();
      assertThat(goAway[0].goAwayError()).isEqualTo(RawHttp2Client.ENHANCE_YOUR_CALM);
      assertThat(goAway[0].goAwayDebug()).isEqualTo("too_many_rststreams");
      // Only the streams before the GOAWAY were ever served; each one at most once upstream.
      assertThat(h.simulator.requestCount("/chat/completions")).isLessThanOrEqualTo(limit + 1);
      // The gateway still serves others.
      assertThat(h.chat().chat(chat("sim/echo", "still here")).getMessage().getContent()).isEqualTo("still here");
    }
  }

  @Test
  void resetsBelowTheLimitAreServedAsUsual() throws Exception {
    try (GatewayHarness h = GatewayHarness.withSimulator("GATEWAY_MAX_RST_FRAMES_PER_WINDOW", "50");
        RawHttp2Client raw = new RawHttp2Client(h.gateway.port())) {
      byte[] request = chat("sim/echo", "hi", Map.of()).toByteArray();
      java.io.ByteArrayOutputStream frames = new java.io.ByteArrayOutputStream();
      for (int i = 0; i < 40; i++) {
        frames.writeBytes(RawHttp2Client.callThenReset(2 * i + 1, STREAM_CHAT, request));
      }
      raw.write(frames.toByteArray());
      raw.ping();
      Frame f = raw.await(x -> x.isPingAck() || x.type() == RawHttp2Client.GOAWAY || x.closed(),
          (int) Eventually.DEADLINE.toMillis()); // only bounds a failure: a busy machine answers late
      assertThat(f).isNotNull();
      assertThat(f.isPingAck()).as("no GOAWAY below the limit").isTrue();
    }
  }

  @Test
  void callsCancelledBeforeTheirWorkerRunsNeverReachTheUpstream() throws Exception {
    HeldExecutor workers = new HeldExecutor();
    try (MockWebServer upstream = new MockWebServer();
        CapturedLogs access = new CapturedLogs(AccessLogInterceptor.LOGGER, Level.INFO)) {
      upstream.start();
      for (int i = 0; i < 4; i++) {
        upstream.enqueue(new MockResponse.Builder().code(500).body("{\"error\":{\"code\":500,\"message\":\"must not be asked\"}}").build());
      }
      try (GatewayHarness h = GatewayHarness.withUpstreamAndWorkers(upstream.url("/api/v1").uri(), TestKeys.GATEWAY, workers)) {
        // StreamChat
        StreamCollector stream = new StreamCollector();
        io.grpc.ClientCall<openrouter.gateway.v1.ChatRequest, openrouter.gateway.v1.StreamChatResponse> call =
            h.channel.newCall(ChatServiceGrpc.getStreamChatMethod(), io.grpc.CallOptions.DEFAULT);
        io.grpc.stub.ClientCalls.asyncServerStreamingCall(call, chat("sim/echo", "never sent", Map.of()), stream);
        cancelBeforeItsWorkerRuns(workers, access, 1, () -> call.cancel("the client gave up", null));
        // Chat
        io.grpc.ClientCall<openrouter.gateway.v1.ChatRequest, openrouter.gateway.v1.ChatResponse> unary =
            h.channel.newCall(ChatServiceGrpc.getChatMethod(), io.grpc.CallOptions.DEFAULT);
        io.grpc.stub.ClientCalls.asyncUnaryCall(unary, chat("sim/echo", "never sent"), noop());
        cancelBeforeItsWorkerRuns(workers, access, 2, () -> unary.cancel("the client gave up", null));
        // GetGeneration
        io.grpc.ClientCall<GetGenerationRequest, GetGenerationResponse> lookup =
            h.channel.newCall(ChatServiceGrpc.getGetGenerationMethod(), io.grpc.CallOptions.DEFAULT);
        io.grpc.stub.ClientCalls.asyncUnaryCall(lookup, GetGenerationRequest.newBuilder().setId("gen-1").build(), noop());
        cancelBeforeItsWorkerRuns(workers, access, 3, () -> lookup.cancel("the client gave up", null));
        // Embed (a paid request too)
        io.grpc.ClientCall<openrouter.gateway.v1.EmbedRequest, openrouter.gateway.v1.EmbedResponse> embed =
            h.channel.newCall(openrouter.gateway.v1.EmbeddingsServiceGrpc.getEmbedMethod(), io.grpc.CallOptions.DEFAULT);
        io.grpc.stub.ClientCalls.asyncUnaryCall(embed, openrouter.gateway.v1.EmbedRequest.newBuilder().setModel("sim/embed")
            .addInputs(openrouter.gateway.v1.EmbeddingInput.newBuilder().setText("never sent")).build(), noop());
        cancelBeforeItsWorkerRuns(workers, access, 4, () -> embed.cancel("the client gave up", null));

        assertThat(upstream.getRequestCount()).as("upstream requests for cancelled calls").isZero();
      }
    }
  }

  /** Waits until the call's work is queued, cancels it, waits until the gateway saw that, runs the work. */
  private static void cancelBeforeItsWorkerRuns(HeldExecutor workers, CapturedLogs access, int nth, Runnable cancel)
      throws InterruptedException {
    workers.awaitQueued();
    cancel.run();
    // The access line of a cancelled call is written once the server has marked it cancelled.
    access.await("code=CANCELLED", nth);
    workers.runNext();
  }

  private static <T> StreamObserver<T> noop() {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {}

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    };
  }
}
