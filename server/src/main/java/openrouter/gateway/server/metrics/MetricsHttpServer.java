package openrouter.gateway.server.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;

/**
 * The Prometheus endpoint: {@code GET /metrics} on its own HTTP port, served by the JDK's HTTP
 * server on the executor it is given (one thread: a scrape every few seconds needs no more;
 * its owner shuts it down). It stays up while the gRPC
 * server drains, so the shutdown itself can be watched.
 */
public final class MetricsHttpServer implements AutoCloseable {
  private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;

  private MetricsHttpServer(HttpServer server) {
    this.server = server;
  }

  public static MetricsHttpServer start(String host, int port, GatewayMetrics metrics, Executor executor)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
    server.setExecutor(executor);
    server.createContext("/", exchange -> {
      try (exchange) {
        handle(exchange, metrics);
      }
    });
    server.start();
    return new MetricsHttpServer(server);
  }

  private static void handle(HttpExchange exchange, GatewayMetrics metrics) throws IOException {
    String path = exchange.getRequestURI().getPath();
    if (!path.equals("/metrics")) {
      send(exchange, 404, "not found: metrics are at /metrics\n");
      return;
    }
    if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
      send(exchange, 405, "use GET /metrics\n");
      return;
    }
    send(exchange, 200, metrics.scrape());
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0); // also ends the JDK's dispatcher thread
  }
}
