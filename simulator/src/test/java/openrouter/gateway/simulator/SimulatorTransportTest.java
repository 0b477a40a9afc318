package openrouter.gateway.simulator;

import static openrouter.gateway.simulator.SimulatorTestSupport.chat;
import static openrouter.gateway.simulator.SimulatorTestSupport.knob;
import static openrouter.gateway.simulator.SimulatorTestSupport.stream;
import static openrouter.gateway.simulator.SimulatorTestSupport.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import openrouter.gateway.simulator.testing.Eventually;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HTTP/1.1 behaviour of the simulator's own transport, over plain sockets. */
class SimulatorTransportTest {
  private static final String KEY = SimulatorKeys.DEFAULT;

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
  void keepsTheConnectionOpenBetweenRequests() throws Exception {
    try (Socket socket = connect()) {
      for (int i = 0; i < 3; i++) {
        socket.getOutputStream().write(get("/key?n=" + i, false));
        Response response = Response.read(socket.getInputStream());

        assertThat(response.status).isEqualTo(200);
        assertThat(SimulatorTestSupport.json(response.body).at("/data/label").asText())
            .startsWith("sk-or-v1-");
      }
    }
    assertThat(sim.requestCount("/key")).isEqualTo(3);
  }

  @Test
  void answersPipelinedRequestsInOrder() throws Exception {
    // Paced, so that the second request arrives while the first is still being answered.
    String streamed = write(knob(stream(chat("sim/echo", "first in line")),
        "sim_chunk_delay_ms", "30"));
    try (Socket socket = connect()) {
      ByteArrayOutputStream both = new ByteArrayOutputStream();
      both.writeBytes(post("/chat/completions", streamed, false));
      both.writeBytes(get("/key", false));
      socket.getOutputStream().write(both.toByteArray()); // one write: pipelined

      Response first = Response.read(socket.getInputStream());
      Response second = Response.read(socket.getInputStream());

      assertThat(first.headers).containsEntry("content-type", "text/event-stream");
      assertThat(SimulatorTestSupport.streamedContent(first.body)).isEqualTo("first in line");
      assertThat(first.body).endsWith("data: [DONE]\n\n");
      assertThat(second.status).isEqualTo(200);
      assertThat(SimulatorTestSupport.json(second.body).at("/data/label").isTextual()).isTrue();
    }
  }

  @Test
  void closesTheConnectionWhenTheClientAsks() throws Exception {
    try (Socket socket = connect()) {
      socket.getOutputStream().write(get("/models", true));
      Response response = Response.read(socket.getInputStream());

      assertThat(response.status).isEqualTo(200);
      assertThat(response.headers).containsEntry("connection", "close");
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
    }
  }

  @Test
  void refusesABodyOverTheLimitWithAnOpenRouterError() throws Exception {
    try (Socket socket = connect()) {
      socket.getOutputStream().write(("POST /api/v1/chat/completions HTTP/1.1\r\n"
          + "Host: 127.0.0.1\r\nAuthorization: Bearer " + KEY + "\r\n"
          + "Content-Type: application/json\r\n"
          + "Content-Length: " + (SimulatorHttpServer.MAX_REQUEST_BODY_BYTES + 1) + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      Response response = Response.read(socket.getInputStream());

      assertThat(response.status).isEqualTo(413);
      JsonNode error = SimulatorTestSupport.json(response.body).path("error");
      assertThat(error.path("code").asInt()).isEqualTo(413);
      assertThat(error.at("/metadata/error_type").asText()).isEqualTo("payload_too_large");
      assertThat(error.path("message").asText())
          .contains(String.valueOf(SimulatorHttpServer.MAX_REQUEST_BODY_BYTES));
    }
    assertThat(sim.requestCount("/chat/completions")).isZero();
  }

  @Test
  void answersAnUnparsableRequestWith400AndCloses() throws Exception {
    try (Socket socket = connect()) {
      socket.getOutputStream().write("GET /api/v1/key HTTP/1.1\r\nBroken header line\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      Response response = Response.read(socket.getInputStream());

      assertThat(response.status).isEqualTo(400);
      assertThat(SimulatorTestSupport.json(response.body).at("/error/metadata/error_type").asText())
          .isEqualTo("invalid_request");
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
    }
  }

  @Test
  void aClientThatStopsReadingStopsTheStream() throws Exception {
    int chunks = 50_000; // ~60 MB of events: far more than the socket buffers hold
    String body = write(knob(knob(stream(chat("sim/fixed", "go")), "sim_chunks",
        String.valueOf(chunks)), "sim_chunk_chars", "1000"));
    String id;
    try (Socket socket = new Socket()) {
      socket.setReceiveBufferSize(8 * 1024);
      socket.connect(new InetSocketAddress("127.0.0.1", sim.port()), (int) Eventually.DEADLINE.toMillis());
      socket.setSoTimeout((int) Eventually.DEADLINE.toMillis());
      socket.getOutputStream().write(post("/chat/completions", body, false));
      id = Response.readHead(socket.getInputStream()).get("x-generation-id");

      Thread.sleep(1_000); // read nothing more: a simulator ignoring backpressure finishes now
      assertThat(sim.requests().get(0).end().isDone()).isFalse();
    }

    RecordedRequest recorded = sim.requests().get(0);
    assertThat(recorded.end().get(30, TimeUnit.SECONDS)).isEqualTo(StreamEnd.CLIENT_DISCONNECTED);
    JsonNode stats = awaitGeneration(id);
    assertThat(stats.at("/data/cancelled").asBoolean()).isTrue();
    assertThat(stats.at("/data/tokens_completion").asInt()).isBetween(1, chunks / 2);
  }

  // ---- helpers ----

  private Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", sim.port());
    socket.setSoTimeout((int) Eventually.DEADLINE.toMillis());
    return socket;
  }

  private static byte[] get(String path, boolean close) {
    return ("GET /api/v1" + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + KEY
        + "\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] post(String path, String json, boolean close) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(("POST /api/v1" + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Authorization: Bearer " + KEY + "\r\nContent-Type: application/json\r\n"
        + (close ? "Connection: close\r\n" : "") + "Content-Length: " + bytes.length + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(bytes);
    return out.toByteArray();
  }

  private JsonNode awaitGeneration(String id) throws InterruptedException {
    return SimulatorTestSupport.json(Eventually.await("/generation stats for " + id,
        () -> SimulatorTestSupport.get(sim, "/generation?id=" + id, KEY), r -> r.statusCode() == 200));
  }

  /** One HTTP/1.1 response read off a socket: Content-Length or chunked body. */
  private record Response(int status, Map<String, String> headers, String body) {
    static Response read(InputStream in) throws IOException {
      String statusLine = line(in);
      Map<String, String> headers = headers(in);
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
        int size;
        while ((size = Integer.parseInt(line(in).trim(), 16)) > 0) {
          body.writeBytes(in.readNBytes(size));
          line(in);
        }
        line(in); // the blank line after the last chunk
      } else {
        body.writeBytes(in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0"))));
      }
      return new Response(Integer.parseInt(statusLine.split(" ")[1]), headers,
          body.toString(StandardCharsets.UTF_8));
    }

    /** Reads the status line and headers only. */
    static Map<String, String> readHead(InputStream in) throws IOException {
      line(in);
      return headers(in);
    }

    private static Map<String, String> headers(InputStream in) throws IOException {
      Map<String, String> headers = new LinkedHashMap<>();
      String line;
      while (!(line = line(in)).isEmpty()) {
        int colon = line.indexOf(':');
        headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).trim());
      }
      return headers;
    }

    private static String line(InputStream in) throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) != '\n') {
        if (b == -1) {
          throw new IOException("connection closed mid-response");
        }
        if (b != '\r') {
          line.write(b);
        }
      }
      return line.toString(StandardCharsets.UTF_8);
    }
  }
}
