package openrouter.gateway.simulator;

import static openrouter.gateway.simulator.SimulatorTestSupport.chat;
import static openrouter.gateway.simulator.SimulatorTestSupport.knob;
import static openrouter.gateway.simulator.SimulatorTestSupport.stream;
import static openrouter.gateway.simulator.SimulatorTestSupport.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import openrouter.gateway.simulator.testing.Eventually;
import openrouter.gateway.simulator.testing.RawHttp2Client;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Cleartext HTTP/2 with prior knowledge (h2c) on the simulator's port, through OkHttp as the
 * gateway uses it: the same answers as over HTTP/1.1, many streams on one connection, resets
 * and flow control seen by the stream they concern.
 */
class SimulatorHttp2Test {
  private static final MediaType JSON = MediaType.get("application/json");

  private OpenRouterSimulator sim;
  private OkHttpClient h2;

  @BeforeEach
  void start() throws Exception {
    sim = OpenRouterSimulator.start(0);
    h2 = new OkHttpClient.Builder()
        .protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE))
        .readTimeout(Duration.ofSeconds(20))
        .build();
  }

  @AfterEach
  void stop() {
    h2.dispatcher().executorService().shutdownNow();
    h2.connectionPool().evictAll();
    sim.close();
  }

  private Call chatCall(Object body) {
    return h2.newCall(new Request.Builder()
        .url(sim.baseUrl() + "/chat/completions")
        .header("Authorization", "Bearer " + SimulatorKeys.DEFAULT)
        .post(RequestBody.create(write(body), JSON))
        .build());
  }

  private RecordedRequest lastChat() {
    List<RecordedRequest> all = sim.requests();
    for (int i = all.size() - 1; i >= 0; i--) {
      if (all.get(i).path().equals("/chat/completions")) {
        return all.get(i);
      }
    }
    throw new AssertionError("no chat request recorded");
  }

  @Test
  void servesHttp2AndHttp1OnTheSamePort() throws Exception {
    try (Response response = chatCall(stream(chat("sim/echo", "over h2c"))).execute()) {
      assertThat(response.protocol()).isEqualTo(Protocol.H2_PRIOR_KNOWLEDGE);
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.header("Content-Type")).isEqualTo("text/event-stream");
      assertThat(response.header("X-Generation-Id")).startsWith("gen-");
      String body = response.body().string();
      assertThat(SimulatorTestSupport.streamedContent(body)).isEqualTo("over h2c");
      assertThat(body).endsWith("data: [DONE]\n\n");
    }
    RecordedRequest h2Request = lastChat();
    assertThat(h2Request.protocol()).isEqualTo("HTTP/2");
    assertThat(h2Request.header("authorization")).isEqualTo("Bearer " + SimulatorKeys.DEFAULT);
    assertThat(h2Request.headers().keySet()).noneMatch(name -> name.startsWith("x-http2-"));

    var http1 = SimulatorTestSupport.postChat(sim, chat("sim/echo", "over HTTP/1.1"));
    assertThat(http1.statusCode()).isEqualTo(200);
    assertThat(lastChat().protocol()).isEqualTo("HTTP/1.1");
    assertThat(sim.connectionsAccepted()).isEqualTo(2);
    assertThat(sim.http2ConnectionsAccepted()).isEqualTo(1);
  }

  @Test
  void errorsKeepTheirStatusHeadersAndBody() throws Exception {
    try (Response response = chatCall(chat("sim/error-429", "limit me")).execute()) {
      assertThat(response.code()).isEqualTo(429);
      assertThat(response.header("Retry-After")).isEqualTo("2");
      JsonNode error = SimulatorTestSupport.json(response.body().string()).path("error");
      assertThat(error.path("code").asInt()).isEqualTo(429);
    }
  }

  @Test
  void advertisesManyConcurrentStreamsAndAWideRequestWindow() throws Exception {
    try (RawHttp2Client raw = new RawHttp2Client(sim.port())) {
      raw.next(300); // reads (and acknowledges) the server's SETTINGS
      assertThat(raw.serverSettings())
          .containsEntry(0x3, 20_000L)
          .containsEntry(0x4, 1024L * 1024);
    }
  }

  @Test
  void concurrentStreamsShareOneConnection() throws Exception {
    int streams = 100;
    try (Response warm = chatCall(chat("sim/echo", "warm up")).execute()) {
      assertThat(warm.code()).isEqualTo(200);
    }
    ExecutorService callers = Executors.newFixedThreadPool(streams);
    try {
      List<Future<String>> bodies = new ArrayList<>();
      for (int i = 0; i < streams; i++) {
        Object body = knob(knob(stream(chat("sim/fixed", "x")), "sim_chunks", "5"),
            "sim_chunk_delay_ms", "100");
        bodies.add(callers.submit(() -> {
          try (Response response = chatCall(body).execute()) {
            return response.body().string();
          }
        }));
      }
      // All are open at once: 5 chunks 100 ms apart take 400 ms, the whole batch not much more.
      for (Future<String> body : bodies) {
        assertThat(body.get(20, TimeUnit.SECONDS)).endsWith("data: [DONE]\n\n");
      }
    } finally {
      callers.shutdownNow();
    }
    assertThat(sim.requests().stream().filter(r -> r.path().equals("/chat/completions")))
        .hasSize(streams + 1).allMatch(r -> r.protocol().equals("HTTP/2"));
    assertThat(sim.connectionsAccepted()).isEqualTo(1);
  }

  /**
   * OkHttp opens another connection once the server's SETTINGS_MAX_CONCURRENT_STREAMS is in use.
   * The streams are opened one after another and held open (a minute between chunks), so every
   * connection's SETTINGS are known before it could be asked for more than its limit; streams
   * started together on a connection whose SETTINGS have not arrived yet would be refused, and
   * whether they are depends on the scheduler.
   */
  @Test
  void beyondTheStreamLimitTheClientOpensMoreConnections() throws Exception {
    int limit = 10;
    int batches = 3;
    sim.close();
    sim = OpenRouterSimulator.start(SimulatorOptions.builder().http2MaxConcurrentStreams(limit).build());
    try (Response warm = chatCall(chat("sim/echo", "learn the limit")).execute()) {
      assertThat(warm.code()).isEqualTo(200);
    }
    List<Call> held = new ArrayList<>();
    List<Response> responses = new ArrayList<>();
    try {
      for (int i = 0; i < limit * batches; i++) {
        Call call = chatCall(knob(stream(chat("sim/slow", "one two")), "sim_chunk_delay_ms", "60000"));
        held.add(call);
        Response response = call.execute();
        responses.add(response);
        assertThat(response.code()).isEqualTo(200);
        assertThat(response.body().byteStream().read()).as("stream %d has started", i).isNotEqualTo(-1);
      }
      List<RecordedRequest> streams = sim.requests().stream()
          .filter(r -> r.path().equals("/chat/completions")).skip(1).toList();
      assertThat(streams).hasSize(limit * batches)
          .allMatch(r -> !r.end().isDone(), "still open")
          .allMatch(r -> r.protocol().equals("HTTP/2"));
      assertThat(sim.connectionsAccepted()).isGreaterThanOrEqualTo(batches);
      assertThat(sim.http2ConnectionsAccepted()).isEqualTo(sim.connectionsAccepted());

      held.forEach(Call::cancel); // RST_STREAM each
      for (RecordedRequest r : streams) {
        r.closedAtNanos().get(Eventually.DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertThat(r.end().get()).isEqualTo(StreamEnd.CLIENT_DISCONNECTED);
      }
    } finally {
      held.forEach(Call::cancel);
      responses.forEach(Response::close);
    }
  }

  @Test
  void aResetStreamIsADisconnectAndTheConnectionLivesOn() throws Exception {
    // A minute between chunks: a close within the wait below can only come from the reset.
    Call call = chatCall(knob(stream(chat("sim/slow", "one two three four five six")),
        "sim_chunk_delay_ms", "60000"));
    Response response = call.execute();
    InputStream body = response.body().byteStream();
    assertThat(body.read()).isNotEqualTo(-1);
    RecordedRequest recorded = lastChat();

    call.cancel(); // RST_STREAM
    recorded.closedAtNanos().get(Eventually.DEADLINE.toSeconds(), TimeUnit.SECONDS);
    response.close();

    assertThat(recorded.end().get()).isEqualTo(StreamEnd.CLIENT_DISCONNECTED);
    try (Response next = chatCall(chat("sim/echo", "still here")).execute()) {
      assertThat(next.code()).isEqualTo(200);
    }
    assertThat(sim.connectionsAccepted()).isEqualTo(1);
  }

  /**
   * A stream its client does not read stops once the client's stream window (OkHttp: 16 MiB)
   * is full: the simulator waits for WINDOW_UPDATE instead of queueing the rest in memory.
   */
  @Test
  void aStreamTheClientDoesNotReadWaitsForItsFlowControlWindow() throws Exception {
    int chunks = 2_000; // ~32 MB of events, twice OkHttp's window
    Call call = chatCall(knob(knob(stream(chat("sim/fixed", "go")), "sim_chunks",
        String.valueOf(chunks)), "sim_chunk_chars", "16000"));
    try (Response response = call.execute()) {
      assertThat(response.body().byteStream().read()).isNotEqualTo(-1);
      RecordedRequest recorded = lastChat();

      Thread.sleep(1_500); // read nothing more: a simulator ignoring flow control finishes now
      assertThat(recorded.end().isDone()).as("the stream waits for the client").isFalse();

      String rest = response.body().string();
      assertThat(rest).endsWith("data: [DONE]\n\n");
      assertThat(recorded.end().get(30, TimeUnit.SECONDS)).isEqualTo(StreamEnd.COMPLETED);
    }
  }

  @Test
  void refusesABodyOverTheLimitWithAnOpenRouterError() throws Exception {
    long tooLong = SimulatorHttpServer.MAX_REQUEST_BODY_BYTES + 1L;
    RequestBody huge = new RequestBody() {
      @Override
      public MediaType contentType() {
        return JSON;
      }

      @Override
      public long contentLength() {
        return tooLong;
      }

      @Override
      public void writeTo(BufferedSink sink) throws IOException {
        byte[] block = new byte[64 * 1024];
        for (long left = tooLong; left > 0; left -= block.length) {
          sink.write(block, 0, (int) Math.min(block.length, left));
        }
      }
    };
    Request request = new Request.Builder()
        .url(sim.baseUrl() + "/chat/completions")
        .header("Authorization", "Bearer " + SimulatorKeys.DEFAULT)
        .post(huge)
        .build();
    try (Response response = h2.newCall(request).execute()) {
      assertThat(response.code()).isEqualTo(413);
      JsonNode error = SimulatorTestSupport.json(response.body().string()).path("error");
      assertThat(error.at("/metadata/error_type").asText()).isEqualTo("payload_too_large");
    }
    assertThat(sim.requestCount("/chat/completions")).isZero();
  }
}
