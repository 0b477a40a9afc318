package openrouter.gateway.loadgen;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Flow;

/**
 * The same requests sent straight to the upstream's HTTP endpoint (the simulator), so that
 * "through the gateway minus direct" is the gateway's added latency, measured in the same run
 * on the same upstream. Uses the JDK's asynchronous HTTP client over HTTP/1.1.
 */
final class DirectTarget implements Target {
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();
  private final Scenario scenario;
  private final URI chatUri;
  private final URI modelsUri;
  private final String unaryBody;
  private final String streamBody;
  private final String apiKey;
  private final Duration timeout;

  DirectTarget(String baseUrl, String apiKey, Scenario scenario, String unaryBody, String streamBody, long deadlineSeconds) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.chatUri = URI.create(base + "/chat/completions");
    this.modelsUri = URI.create(base + "/models?output_modalities=all");
    this.scenario = scenario;
    this.unaryBody = unaryBody;
    this.streamBody = streamBody;
    this.apiKey = apiKey;
    this.timeout = Duration.ofSeconds(deadlineSeconds);
  }

  @Override
  public void start(long intendedStartNanos, Stats stats, Runnable done) {
    HttpRequest.Builder b = HttpRequest.newBuilder().timeout(timeout).header("Authorization", "Bearer " + apiKey);
    switch (scenario) {
      case UNARY -> http.sendAsync(b.uri(chatUri).header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(unaryBody)).build(), HttpResponse.BodyHandlers.ofByteArray())
          .whenComplete((r, t) -> finish(r == null ? 0 : r.statusCode(), t, intendedStartNanos, stats, done));
      case MODELS -> http.sendAsync(b.uri(modelsUri).GET().build(), HttpResponse.BodyHandlers.ofByteArray())
          .whenComplete((r, t) -> finish(r == null ? 0 : r.statusCode(), t, intendedStartNanos, stats, done));
      case STREAM -> {
        SseTimer timer = new SseTimer(intendedStartNanos, stats);
        http.sendAsync(b.uri(chatUri).header("Content-Type", "application/json").header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(streamBody)).build(), HttpResponse.BodyHandlers.fromLineSubscriber(timer))
            .whenComplete((r, t) -> finish(r == null ? 0 : r.statusCode(), t, intendedStartNanos, stats, done));
      }
    }
  }

  private static void finish(int status, Throwable t, long start, Stats stats, Runnable done) {
    if (t != null) {
      stats.outcome("IO_ERROR");
    } else if (status != 200) {
      stats.outcome("HTTP_" + status);
    } else {
      Stats.record(stats.latency, System.nanoTime() - start);
      stats.outcome("OK");
    }
    done.run();
  }

  /** Times SSE data lines as they arrive: first chunk and gaps, like the gRPC side. */
  private static final class SseTimer implements Flow.Subscriber<String> {
    private final long start;
    private final Stats stats;
    private long last;

    SseTimer(long start, Stats stats) {
      this.start = start;
      this.stats = stats;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
      // Only chunks that carry content count, as on the gRPC side (deltas).
      if (!line.startsWith("data:") || !line.contains("\"content\":\"") || line.contains("\"content\":\"\"")) {
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

    @Override
    public void onError(Throwable throwable) {}

    @Override
    public void onComplete() {}
  }

  @Override
  public void close() {
    // The JDK client has no close on Java 17; its threads are daemons.
  }
}
