package openrouter.gateway.server.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One request/response pair: the {@link RecordedRequest} plus response helpers. The response
 * body is wrapped so that the first failed write records the client's disconnect (with its
 * time) on the recorded request.
 */
final class SimulatorExchange {
  private final HttpExchange exchange;
  private final RecordedRequest recorded;
  private OutputStream body;

  SimulatorExchange(HttpExchange exchange, RecordedRequest recorded) {
    this.exchange = exchange;
    this.recorded = recorded;
  }

  RecordedRequest recorded() {
    return recorded;
  }

  String path() {
    return recorded.path();
  }

  String method() {
    return recorded.method();
  }

  String header(String name) {
    return recorded.header(name);
  }

  /** Query parameter value (first occurrence, URL-decoded), or null. */
  String queryParameter(String name) {
    String query = exchange.getRequestURI().getRawQuery();
    if (query == null) {
      return null;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      if (key.equals(name)) {
        return eq < 0 ? "" : decode(pair.substring(eq + 1));
      }
    }
    return null;
  }

  /**
   * Sends the status line and headers. {@code length} 0 means a chunked (streamed) body,
   * as with {@link HttpExchange#sendResponseHeaders}; -1 means no body.
   */
  OutputStream start(int status, long length, String contentType, Map<String, String> headers)
      throws IOException {
    var responseHeaders = exchange.getResponseHeaders();
    if (contentType != null) {
      responseHeaders.set("Content-Type", contentType);
    }
    headers.forEach(responseHeaders::set);
    try {
      exchange.sendResponseHeaders(status, length);
    } catch (IOException e) {
      clientGone();
      throw e;
    }
    body = new TrackingStream(exchange.getResponseBody());
    return body;
  }

  /** A complete JSON response with a Content-Length. */
  void sendJson(int status, JsonNode json, Map<String, String> headers) throws IOException {
    byte[] bytes = Json.write(json).getBytes(StandardCharsets.UTF_8);
    OutputStream out = start(status, bytes.length, "application/json", headers);
    out.write(bytes);
    out.flush();
  }

  void sendError(SimulatorError error, Map<String, String> extraHeaders) throws IOException {
    Map<String, String> headers = new java.util.LinkedHashMap<>(extraHeaders);
    headers.putAll(error.headers());
    sendJson(error.status(), error.body(), headers);
  }

  /** Ends the response and records how it ended (unless a disconnect was already recorded). */
  void finish() {
    try {
      if (body != null) {
        body.close();
      }
    } catch (IOException e) {
      // TrackingStream has recorded the disconnect.
    } finally {
      exchange.close();
      complete(StreamEnd.COMPLETED);
    }
  }

  boolean clientDisconnected() {
    return recorded.clientDisconnected();
  }

  private void clientGone() {
    complete(StreamEnd.CLIENT_DISCONNECTED);
  }

  private void complete(StreamEnd end) {
    long now = System.nanoTime();
    if (recorded.end().complete(end)) {
      recorded.closedAtNanos().complete(now);
    }
  }

  private static String decode(String s) {
    return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** Records the client's disconnect on the first failed write, flush or close. */
  private final class TrackingStream extends FilterOutputStream {
    TrackingStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      try {
        out.write(b, off, len);
      } catch (IOException e) {
        clientGone();
        throw e;
      }
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void flush() throws IOException {
      try {
        out.flush();
      } catch (IOException e) {
        clientGone();
        throw e;
      }
    }

    @Override
    public void close() throws IOException {
      try {
        out.close();
      } catch (IOException e) {
        clientGone();
        throw e;
      }
    }
  }
}
