package openrouter.gateway.server.simulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local HTTP server that speaks OpenRouter's REST wire format under {@code /api/v1}, so the
 * gateway, its tests and benchmarks run without the internet. Models and their behaviours are
 * listed on {@link SimulatorCatalog}; per-request knobs come from the request's
 * {@code metadata} ({@code sim_chunk_delay_ms}, {@code sim_chunks}, {@code sim_chunk_chars},
 * {@code sim_line_ending=crlf}, {@code sim_split_writes=true}).
 *
 * <p>Binds to 127.0.0.1 only. Each request runs on its own daemon thread (a stream holds one for
 * its whole life), and every request is recorded for assertions.
 */
public final class OpenRouterSimulator implements AutoCloseable {
  static {
    // Without TCP_NODELAY, Nagle's algorithm holds back small SSE writes until the previous
    // segment is acknowledged, which adds up to 40 ms per chunk and defeats split writes.
    // Must be set before the JDK server reads its configuration.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  static final String API_PREFIX = "/api/v1";
  static final int MAX_RECORDED_REQUESTS = 1000;
  private static final Logger log = LoggerFactory.getLogger(OpenRouterSimulator.class);

  private final HttpServer server;
  private final ExecutorService executor;
  private volatile boolean closing;

  private final Deque<RecordedRequest> recorded = new ArrayDeque<>();
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final Map<String, Integer> failures = new ConcurrentHashMap<>();

  private final ChatCompletionsEndpoint chat;
  private final ModelsEndpoint models;
  private final AccountEndpoints account;

  private OpenRouterSimulator(SimulatorOptions options) throws IOException {
    SimulatorCatalog catalog = new SimulatorCatalog();
    GenerationStore generations = new GenerationStore(options.generationStatsDelay());
    this.chat = new ChatCompletionsEndpoint(catalog, options, generations, () -> closing);
    this.models = new ModelsEndpoint(catalog);
    this.account = new AccountEndpoints(generations);

    AtomicInteger threads = new AtomicInteger();
    this.executor = Executors.newCachedThreadPool(runnable -> {
      Thread t = new Thread(runnable, "openrouter-simulator-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.server = HttpServer.create(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), options.port()), 256);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Starts a simulator on 127.0.0.1; port 0 picks a free port. */
  public static OpenRouterSimulator start(int port) throws IOException {
    return start(SimulatorOptions.builder().port(port).build());
  }

  public static OpenRouterSimulator start(SimulatorOptions options) throws IOException {
    return new OpenRouterSimulator(options);
  }

  /** E.g. {@code http://127.0.0.1:41234/api/v1}; every endpoint lives below it. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port() + API_PREFIX;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Requests received for a path below /api/v1, e.g. {@code "/chat/completions"}. */
  public int requestCount(String path) {
    AtomicInteger count = counts.get(path);
    return count == null ? 0 : count.get();
  }

  /** Every request received, oldest first (the newest {@value #MAX_RECORDED_REQUESTS}). */
  public List<RecordedRequest> requests() {
    synchronized (recorded) {
      return List.copyOf(recorded);
    }
  }

  /**
   * Makes an endpoint (and the paths below it, e.g. {@code /model} covers {@code /model/a/b})
   * answer {@code httpStatus} with an OpenRouter error body until {@link #clearFailures()}.
   * Meant for the GET endpoints; 429 and 503 carry {@code Retry-After: 1}.
   */
  public void failEndpoint(String path, int httpStatus) {
    if (httpStatus < 400 || httpStatus > 599) {
      throw new IllegalArgumentException("not an error status: " + httpStatus);
    }
    failures.put(path, httpStatus);
  }

  public void clearFailures() {
    failures.clear();
  }

  /** Sets the figures of /credits and /key; decimal strings such as "100.5". */
  public void setCredits(String totalCredits, String totalUsage) {
    account.setCredits(new BigDecimal(totalCredits), new BigDecimal(totalUsage));
  }

  /** Stops the server, ending open streams. Idempotent. */
  @Override
  public synchronized void close() {
    if (closing) {
      return;
    }
    closing = true;
    server.stop(0);
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("simulator threads still running after close");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- request handling ----

  private void handle(HttpExchange http) {
    SimulatorExchange exchange = null;
    try {
      exchange = new SimulatorExchange(http, record(http));
      route(exchange);
    } catch (SimulatorError error) {
      sendQuietly(exchange, error);
    } catch (IOException e) {
      // The client went away (recorded by the exchange) or the simulator is closing.
      log.debug("simulator response ended early: {}", e.toString());
    } catch (RuntimeException e) {
      log.warn("simulator bug while handling {}", http.getRequestURI(), e);
      sendQuietly(exchange, OpenRouterErrors.typed(500, "Internal Server Error", "server"));
    } finally {
      if (exchange != null) {
        exchange.finish();
      } else {
        http.close();
      }
    }
  }

  private void route(SimulatorExchange exchange) throws IOException {
    String path = exchange.path();
    String method = exchange.method();
    Integer failure = failureFor(path);
    if (failure != null) {
      throw OpenRouterErrors.endpointFailure(failure);
    }
    switch (path) {
      case "/chat/completions" -> {
        requireMethod(method, "POST");
        chat.handle(exchange);
      }
      case "/models" -> {
        requireMethod(method, "GET");
        models.list(exchange);
      }
      case "/credits" -> {
        requireMethod(method, "GET");
        account.credits(exchange);
      }
      case "/key" -> {
        requireMethod(method, "GET");
        account.key(exchange);
      }
      case "/generation" -> {
        requireMethod(method, "GET");
        account.generation(exchange);
      }
      default -> {
        if (path.startsWith("/model/") && path.length() > "/model/".length()) {
          requireMethod(method, "GET");
          models.one(exchange, path.substring("/model/".length()));
        } else {
          throw OpenRouterErrors.notFound("Not Found");
        }
      }
    }
  }

  private Integer failureFor(String path) {
    for (Map.Entry<String, Integer> failure : failures.entrySet()) {
      String failed = failure.getKey();
      if (path.equals(failed) || path.startsWith(failed.endsWith("/") ? failed : failed + "/")) {
        return failure.getValue();
      }
    }
    return null;
  }

  private static void requireMethod(String method, String expected) {
    if (!expected.equals(method)) {
      throw OpenRouterErrors.methodNotAllowed(method);
    }
  }

  /** Reads the request and records it before anything is answered. */
  private RecordedRequest record(HttpExchange http) throws IOException {
    String body = new String(http.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    long receivedAt = System.nanoTime();
    String fullPath = http.getRequestURI().getPath();
    String path = fullPath.equals(API_PREFIX) || fullPath.startsWith(API_PREFIX + "/")
        ? fullPath.substring(API_PREFIX.length()) : fullPath;
    Map<String, String> headers = new LinkedHashMap<>();
    http.getRequestHeaders().forEach((name, values) ->
        headers.merge(name.toLowerCase(Locale.ROOT), String.join(", ", values),
            (a, b) -> a + ", " + b));
    RecordedRequest request = new RecordedRequest(http.getRequestMethod(), path,
        http.getRequestURI().getRawQuery(), Map.copyOf(headers), body, receivedAt,
        new CompletableFuture<>(), new CompletableFuture<>());
    counts.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    synchronized (recorded) {
      recorded.addLast(request);
      while (recorded.size() > MAX_RECORDED_REQUESTS) {
        recorded.removeFirst();
      }
    }
    return request;
  }

  private static void sendQuietly(SimulatorExchange exchange, SimulatorError error) {
    if (exchange == null) {
      return;
    }
    try {
      exchange.sendError(error, Map.of());
    } catch (IOException | RuntimeException e) {
      // Headers were already sent or the client left; nothing more to tell it.
      log.debug("could not send simulator error: {}", e.toString());
    }
  }
}
