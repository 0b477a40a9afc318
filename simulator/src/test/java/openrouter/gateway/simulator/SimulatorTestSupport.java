package openrouter.gateway.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import openrouter.gateway.simulator.testing.Eventually;

/** Shared helpers: a plain HTTP client, request builders and a raw chunked-body reader. */
final class SimulatorTestSupport {
  static final ObjectMapper MAPPER = new ObjectMapper();
  static final String FIXED_ID = "gen-1700000000-AbCdEfGhIjKlMnOpQrSt";
  static final long FIXED_CREATED = 1_700_000_000L;

  // Timeouts only bound a failure: Eventually.DEADLINE, as long as any wait in the tests (a
  // busy machine could exceed the 5 s connect and 10 s request limits these were).
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Eventually.DEADLINE)
      .build();

  private SimulatorTestSupport() {}

  /** Options with a fixed clock and id, so wire output is byte-for-byte predictable. */
  static SimulatorOptions.Builder deterministic() {
    return SimulatorOptions.builder()
        .clock(Clock.fixed(Instant.ofEpochSecond(FIXED_CREATED), ZoneOffset.UTC))
        .generationIds(() -> FIXED_ID);
  }

  static ObjectNode chat(String model, String userText) {
    ObjectNode body = MAPPER.createObjectNode();
    body.put("model", model);
    ObjectNode message = body.putArray("messages").addObject();
    message.put("role", "user");
    message.put("content", userText);
    return body;
  }

  static ObjectNode stream(ObjectNode body) {
    body.put("stream", true);
    return body;
  }

  static ObjectNode knob(ObjectNode body, String name, String value) {
    body.withObjectProperty("metadata").put(name, value);
    return body;
  }

  static HttpResponse<String> post(OpenRouterSimulator sim, String path, Object body, String key) {
    String json = body instanceof String s ? s : write(body);
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sim.baseUrl() + path))
        .timeout(Eventually.DEADLINE)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return send(request.build());
  }

  static HttpResponse<String> postChat(OpenRouterSimulator sim, Object body) {
    return post(sim, "/chat/completions", body, SimulatorKeys.DEFAULT);
  }

  static HttpResponse<String> get(OpenRouterSimulator sim, String pathAndQuery, String key) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sim.baseUrl() + pathAndQuery))
        .timeout(Eventually.DEADLINE)
        .GET();
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return send(request.build());
  }

  private static HttpResponse<String> send(HttpRequest request) {
    try {
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static JsonNode json(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + text, e);
    }
  }

  static JsonNode json(HttpResponse<String> response) {
    return json(response.body());
  }

  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The JSON payloads of the {@code data:} events of an SSE body, excluding [DONE]. */
  static List<JsonNode> events(String sseBody) {
    List<JsonNode> events = new ArrayList<>();
    for (String line : sseBody.split("\r?\n")) {
      if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
        events.add(json(line.substring("data: ".length())));
      }
    }
    return events;
  }

  /** Concatenated {@code delta.content} of an SSE body. */
  static String streamedContent(String sseBody) {
    StringBuilder text = new StringBuilder();
    for (JsonNode event : events(sseBody)) {
      for (JsonNode choice : event.path("choices")) {
        text.append(choice.path("delta").path("content").asText(""));
      }
    }
    return text.toString();
  }

  /** A raw HTTP/1.1 exchange: the response head and the body's chunks, as they were framed. */
  record RawResponse(String head, List<byte[]> chunks) {
    byte[] body() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      chunks.forEach(out::writeBytes);
      return out.toByteArray();
    }

    String bodyText() {
      return new String(body(), StandardCharsets.UTF_8);
    }
  }

  /** Posts over a plain socket and reads a chunked response until its last chunk. */
  static RawResponse rawPost(OpenRouterSimulator sim, String path, String body) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", sim.port())) {
      socket.setSoTimeout((int) Eventually.DEADLINE.toMillis()); // only bounds a failure
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /api/v1" + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Authorization: Bearer " + SimulatorKeys.DEFAULT + "\r\n"
          + "Content-Type: application/json\r\nConnection: close\r\n"
          + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder head = new StringBuilder();
      String line;
      while (!(line = readLine(in)).isEmpty()) {
        head.append(line).append('\n');
      }
      List<byte[]> chunks = new ArrayList<>();
      while (true) {
        int size = Integer.parseInt(readLine(in).trim(), 16);
        if (size == 0) {
          return new RawResponse(head.toString(), chunks);
        }
        chunks.add(in.readNBytes(size));
        readLine(in); // CRLF after the chunk
      }
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1 && b != '\n') {
      if (b != '\r') {
        line.write(b);
      }
    }
    if (b == -1 && line.size() == 0) {
      throw new IOException("connection closed");
    }
    return line.toString(StandardCharsets.US_ASCII);
  }
}
