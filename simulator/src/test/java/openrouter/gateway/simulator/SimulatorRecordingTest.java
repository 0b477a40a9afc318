package openrouter.gateway.simulator;

import static openrouter.gateway.simulator.SimulatorTestSupport.chat;
import static openrouter.gateway.simulator.SimulatorTestSupport.get;
import static openrouter.gateway.simulator.SimulatorTestSupport.knob;
import static openrouter.gateway.simulator.SimulatorTestSupport.postChat;
import static openrouter.gateway.simulator.SimulatorTestSupport.stream;
import static openrouter.gateway.simulator.SimulatorTestSupport.write;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSource;
import openrouter.gateway.simulator.testing.CapturedLogs;
import openrouter.gateway.simulator.testing.Eventually;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Request recording, counts, and noticing clients that hang up. */
class SimulatorRecordingTest {
  private OpenRouterSimulator sim;

  @BeforeEach
  void start() throws Exception {
    sim = OpenRouterSimulator.start(0);
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void recordsEveryRequestInOrder() throws Exception {
    var body = chat("sim/echo", "recorded");
    postChat(sim, body);
    get(sim, "/models?output_modalities=all", null);
    get(sim, "/key", SimulatorKeys.DEFAULT);

    List<RecordedRequest> requests = sim.requests();
    assertThat(requests).extracting(RecordedRequest::path)
        .containsExactly("/chat/completions", "/models", "/key");
    RecordedRequest chatRequest = requests.get(0);
    assertThat(chatRequest.method()).isEqualTo("POST");
    assertThat(chatRequest.body()).isEqualTo(write(body));
    assertThat(chatRequest.headers()).containsEntry("authorization",
        "Bearer " + SimulatorKeys.DEFAULT);
    assertThat(chatRequest.headers().keySet()).allSatisfy(name ->
        assertThat(name).isEqualTo(name.toLowerCase(java.util.Locale.ROOT)));
    assertThat(chatRequest.closedAtNanos().get(30, TimeUnit.SECONDS))
        .isGreaterThanOrEqualTo(chatRequest.receivedAtNanos());
    assertThat(chatRequest.end().get()).isEqualTo(StreamEnd.COMPLETED);
    assertThat(chatRequest.clientDisconnected()).isFalse();
    assertThat(requests.get(1).query()).isEqualTo("output_modalities=all");
    assertThat(requests.get(1).method()).isEqualTo("GET");

    assertThat(sim.requestCount("/chat/completions")).isEqualTo(1);
    assertThat(sim.requestCount("/models")).isEqualTo(1);
    assertThat(sim.requestCount("/credits")).isZero();
  }

  @Test
  void keepsOnlyTheLastThousandRequests() {
    for (int i = 0; i < OpenRouterSimulator.MAX_RECORDED_REQUESTS + 5; i++) {
      get(sim, "/key?n=" + i, SimulatorKeys.DEFAULT);
    }

    List<RecordedRequest> requests = sim.requests();
    assertThat(requests).hasSize(OpenRouterSimulator.MAX_RECORDED_REQUESTS);
    assertThat(requests.get(0).query()).isEqualTo("n=5");
    assertThat(sim.requestCount("/key")).isEqualTo(OpenRouterSimulator.MAX_RECORDED_REQUESTS + 5);
  }

  @Test
  void noticesAClientThatCancelsASlowStreamDuringAPause() throws Exception {
    OkHttpClient client = new OkHttpClient.Builder().readTimeout(5, TimeUnit.SECONDS).build();
    Request request = new Request.Builder()
        .url(sim.baseUrl() + "/chat/completions")
        .header("Authorization", "Bearer " + SimulatorKeys.DEFAULT)
        // A minute between chunks: the next chunk is not what tells the simulator the client left.
        .post(RequestBody.create(write(knob(stream(chat("sim/slow", "one two three four five")),
            "sim_chunk_delay_ms", "60000")),
            MediaType.get("application/json")))
        .build();
    Call call = client.newCall(request);
    String id;
    try (Response response = call.execute()) {
      id = response.header("X-Generation-Id");
      BufferedSource source = response.body().source();
      String line;
      do {
        line = source.readUtf8LineStrict();
      } while (!line.startsWith("data: "));
      call.cancel(); // in the middle of the minute's pause
    } catch (java.io.IOException expected) {
      throw new AssertionError("the stream should have been readable before the cancel", expected);
    } finally {
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }

    RecordedRequest recorded = sim.requests().get(0);
    // Recorded long before the next chunk was due: the pause's keep-alive writes noticed it.
    recorded.closedAtNanos().get(Eventually.DEADLINE.toSeconds(), TimeUnit.SECONDS);
    assertThat(recorded.end().get()).isEqualTo(StreamEnd.CLIENT_DISCONNECTED);
    assertThat(recorded.clientDisconnected()).isTrue();

    // The abandoned generation is reported as cancelled once its stats become visible.
    JsonNode stats = SimulatorTestSupport.json(Eventually.await("the generation's stats",
        () -> get(sim, "/generation?id=" + id, SimulatorKeys.DEFAULT), r -> r.statusCode() == 200));
    assertThat(stats.at("/data/cancelled").asBoolean()).isTrue();
    assertThat(stats.at("/data/finish_reason").isNull()).isTrue();
    assertThat(stats.at("/data/tokens_completion").asInt()).isBetween(1, 4);
  }

  @Test
  void closeEndsOpenStreamsPromptly() throws Exception {
    OkHttpClient client = new OkHttpClient.Builder().readTimeout(5, TimeUnit.SECONDS).build();
    Request request = new Request.Builder()
        .url(sim.baseUrl() + "/chat/completions")
        .header("Authorization", "Bearer " + SimulatorKeys.DEFAULT)
        .post(RequestBody.create(write(stream(chat("sim/stall", "hang"))),
            MediaType.get("application/json")))
        .build();
    try (Response response = client.newCall(request).execute()) {
      BufferedSource source = response.body().source();
      while (!source.readUtf8LineStrict().startsWith("data: ")) {
        // skip the opening comment
      }

      // Promptly means: the stream's thread stopped when told to, so close() did not have to
      // give up waiting for it (the warning below); how long that took depends on the machine.
      try (CapturedLogs logs = new CapturedLogs(OpenRouterSimulator.class.getName(), Level.WARN)) {
        sim.close();
        assertThat(logs.linesWith("still running")).isEmpty();
      }
      assertThat(sim.requests().get(0).closedAtNanos().get(Eventually.DEADLINE.toSeconds(), TimeUnit.SECONDS))
          .isPositive();
    } finally {
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
  }
}
