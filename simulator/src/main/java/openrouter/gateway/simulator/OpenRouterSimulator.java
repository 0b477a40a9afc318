package openrouter.gateway.simulator;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local HTTP server that speaks OpenRouter's REST wire format under {@code /api/v1} (and,
 * like openrouter.ai, answers any other path with an HTML 404 page), so the
 * gateway, its tests and benchmarks run without the internet. Models and their behaviours are
 * listed on {@link SimulatorCatalog}; per-request knobs come from the request's
 * {@code metadata} ({@code sim_chunk_delay_ms}, {@code sim_chunks}, {@code sim_chunk_chars},
 * {@code sim_line_ending=crlf}, {@code sim_split_writes=true}).
 *
 * <p>Binds to 127.0.0.1 only. HTTP/1.1 (keep-alive, chunked bodies) and cleartext HTTP/2 with
 * prior knowledge share one port and run on Netty event loops ({@link SimulatorHttpServer});
 * answers that wait run on daemon threads, and every request is recorded for assertions.
 */
public final class OpenRouterSimulator implements AutoCloseable {
  static final String API_PREFIX = "/api/v1";
  static final int MAX_RECORDED_REQUESTS = 1000;
  /**
   * What openrouter.ai answers for a path outside /api/v1 (its website's 404 page): a gateway
   * configured with the base URL {@code https://openrouter.ai} sees this for every call.
   */
  static final String WEBSITE_NOT_FOUND_HTML = "<!DOCTYPE html><html lang=\"en\"><head>"
      + "<meta charSet=\"utf-8\"/><title>404: This page could not be found.</title></head>"
      + "<body><div><h1>404</h1><h2>This page could not be found.</h2></div></body></html>";
  private static final Logger log = LoggerFactory.getLogger(OpenRouterSimulator.class);

  private final SimulatorHttpServer server;
  private final ExecutorService executor;
  private volatile boolean closing;

  private final Deque<RecordedRequest> recorded = new ArrayDeque<>();
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final Map<String, Integer> failures = new ConcurrentHashMap<>();

  private final ChatCompletionsEndpoint chat;
  private final ModelsEndpoint models;
  private final AccountEndpoints account;
  private final EmbeddingsEndpoint embeddings;
  private final ProviderEndpoints providers;

  private OpenRouterSimulator(SimulatorOptions options) throws IOException {
    SimulatorCatalog catalog = new SimulatorCatalog();
    GenerationStore generations = new GenerationStore(options.generationStatsDelay());
    this.chat = new ChatCompletionsEndpoint(catalog, options, generations, () -> closing);
    this.models = new ModelsEndpoint(catalog);
    this.account = new AccountEndpoints(generations);
    this.embeddings = new EmbeddingsEndpoint(catalog, options, () -> closing);
    this.providers = new ProviderEndpoints(catalog);

    AtomicInteger threads = new AtomicInteger();
    this.executor = Executors.newCachedThreadPool(runnable -> {
      Thread t = new Thread(runnable, "openrouter-simulator-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    try {
      this.server = SimulatorHttpServer.start(options.port(), options.http2MaxConcurrentStreams(),
          this::dispatch);
    } catch (IOException | RuntimeException e) {
      executor.shutdownNow();
      throw e;
    }
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
    return server.port();
  }

  /** Requests received for a path below /api/v1, e.g. {@code "/chat/completions"}. */
  public int requestCount(String path) {
    AtomicInteger count = counts.get(path);
    return count == null ? 0 : count.get();
  }

  /** TCP connections accepted since start (HTTP/1.1 and HTTP/2). */
  public int connectionsAccepted() {
    return server.acceptedConnections();
  }

  /** TCP connections accepted since start that spoke cleartext HTTP/2. */
  public int http2ConnectionsAccepted() {
    return server.http2Connections();
  }

  /** TCP connections open now. */
  public int openConnections() {
    return server.openConnections();
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
    server.closeConnections();
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("simulator threads still running after close");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      server.close();
    }
  }

  // ---- request handling ----

  /**
   * On the event loop: records the request and answers what can be answered without waiting
   * (errors, GET endpoints, immediate JSON completions: most benchmark requests), saving two
   * thread hand-offs; anything that may block goes on to a worker thread.
   */
  private void dispatch(SimulatorExchange exchange) {
    if (exchange.underApi()) {
      record(exchange.recorded()); // a request for the website is no API request
    }
    SlowPart rest = answer(exchange, () -> route(exchange));
    if (rest == null) {
      return;
    }
    try {
      executor.execute(() -> answer(exchange, () -> {
        rest.run();
        return null;
      }));
    } catch (RejectedExecutionException e) {
      exchange.finish(); // closing: no answer, the connection closes
    }
  }

  /** One step of an answer. */
  @FunctionalInterface
  private interface Step {
    /** Returns what is left to do on a worker thread, or null when the answer is complete. */
    SlowPart run() throws IOException;
  }

  /**
   * Runs a step, turning failures into responses; finishes the exchange unless the step left a
   * slow part (which is returned).
   */
  private SlowPart answer(SimulatorExchange exchange, Step step) {
    SlowPart rest = null;
    try {
      rest = step.run();
    } catch (SimulatorError error) {
      sendQuietly(exchange, error);
    } catch (IOException e) {
      // The client went away (recorded by the exchange) or the simulator is closing.
      log.debug("simulator response ended early: {}", e.toString());
    } catch (RuntimeException e) {
      log.warn("simulator bug while handling {} {}", exchange.method(), exchange.path(), e);
      sendQuietly(exchange, ErrorResponses.typed(500, "Internal Server Error", "server"));
    } finally {
      if (rest == null && !exchange.detached()) {
        exchange.finish();
      }
    }
    return rest;
  }

  /** Answers, or returns the slow rest of the answer; GET endpoints never wait. */
  private SlowPart route(SimulatorExchange exchange) throws IOException {
    String path = exchange.path();
    String method = exchange.method();
    if (!exchange.underApi()) {
      exchange.sendHtml(404, WEBSITE_NOT_FOUND_HTML);
      return null;
    }
    Integer failure = failureFor(path);
    if (failure != null) {
      throw ErrorResponses.endpointFailure(failure);
    }
    switch (path) {
      case "/chat/completions" -> {
        requireMethod(method, "POST");
        return chat.handle(exchange);
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
      case "/embeddings" -> {
        requireMethod(method, "POST");
        return embeddings.handle(exchange);
      }
      case "/embeddings/models" -> {
        requireMethod(method, "GET");
        embeddings.list(exchange);
      }
      case "/providers" -> {
        requireMethod(method, "GET");
        providers.providers(exchange);
      }
      case "/models/user" -> {
        requireMethod(method, "GET");
        providers.userModels(exchange);
      }
      default -> {
        if (path.startsWith("/models/") && path.endsWith("/endpoints")
            && path.length() > "/models//endpoints".length()) {
          requireMethod(method, "GET");
          providers.endpoints(exchange, path.substring("/models/".length(), path.length() - "/endpoints".length()));
        } else if (path.startsWith("/model/") && path.length() > "/model/".length()) {
          requireMethod(method, "GET");
          models.one(exchange, path.substring("/model/".length()));
        } else {
          throw ErrorResponses.notFound("Not Found");
        }
      }
    }
    return null;
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
      throw ErrorResponses.methodNotAllowed(method);
    }
  }

  /** Records a request before anything is answered. */
  private void record(RecordedRequest request) {
    counts.computeIfAbsent(request.path(), p -> new AtomicInteger()).incrementAndGet();
    synchronized (recorded) {
      recorded.addLast(request);
      while (recorded.size() > MAX_RECORDED_REQUESTS) {
        recorded.removeFirst();
      }
    }
  }

  private static void sendQuietly(SimulatorExchange exchange, SimulatorError error) {
    try {
      exchange.sendError(error, Map.of());
    } catch (IOException | RuntimeException e) {
      // Headers were already sent or the client left; nothing more to tell it.
      log.debug("could not send simulator error: {}", e.toString());
    }
  }
}
