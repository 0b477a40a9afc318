package openrouter.gateway.simulator;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Settings for {@link OpenRouterSimulator}. Build with {@link #builder()}; every setting has a
 * default that mimics OpenRouter closely enough for the gateway's tests.
 */
public final class SimulatorOptions {
  private static final String ALPHANUMERIC =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  private final int port;
  private final int processingComments;
  private final Duration defaultChunkDelay;
  private final Duration keepAliveInterval;
  private final Duration generationStatsDelay;
  private final Clock clock;
  private final Supplier<String> generationIds;
  private final int http2MaxConcurrentStreams;

  private SimulatorOptions(Builder b) {
    this.port = b.port;
    this.http2MaxConcurrentStreams = b.http2MaxConcurrentStreams;
    this.processingComments = b.processingComments;
    this.defaultChunkDelay = b.defaultChunkDelay;
    this.keepAliveInterval = b.keepAliveInterval;
    this.generationStatsDelay = b.generationStatsDelay;
    this.clock = b.clock;
    this.generationIds = b.generationIds != null ? b.generationIds : () -> randomGenerationId(clock);
  }

  public static Builder builder() {
    return new Builder();
  }

  public static SimulatorOptions defaults() {
    return builder().build();
  }

  /** Port to bind on 127.0.0.1; 0 picks a free one. */
  public int port() {
    return port;
  }

  /**
   * SETTINGS_MAX_CONCURRENT_STREAMS of an HTTP/2 connection (default 20,000): a client opens
   * another connection beyond it. Lower it to spread streams over connections, as a CDN's limit
   * of a few hundred does.
   */
  public int http2MaxConcurrentStreams() {
    return http2MaxConcurrentStreams;
  }

  /** How many {@code : OPENROUTER PROCESSING} comments open every stream (default 1). */
  public int processingComments() {
    return processingComments;
  }

  /** Pause between streamed chunks when the request sets none (default 0; sim/slow uses 200 ms). */
  public Duration defaultChunkDelay() {
    return defaultChunkDelay;
  }

  /**
   * Interval of keep-alive comments while a stream pauses longer than 50 ms, and of the endless
   * comments of sim/stall (default 25 ms).
   */
  public Duration keepAliveInterval() {
    return keepAliveInterval;
  }

  /** How long /generation answers 404 after a completion finished (default 300 ms). */
  public Duration generationStatsDelay() {
    return generationStatsDelay;
  }

  /** Source of {@code created} timestamps and of the time in generation ids. */
  public Clock clock() {
    return clock;
  }

  /** Produces generation ids ({@code gen-<unix>-<20 alphanumerics>} by default). */
  public Supplier<String> generationIds() {
    return generationIds;
  }

  static String randomGenerationId(Clock clock) {
    // Ids need to be unique (62^20 values), not unguessable: ThreadLocalRandom, not the much
    // slower, synchronized SecureRandom, on the request path.
    ThreadLocalRandom random = ThreadLocalRandom.current();
    StringBuilder id = new StringBuilder("gen-").append(clock.instant().getEpochSecond()).append('-');
    for (int i = 0; i < 20; i++) {
      id.append(ALPHANUMERIC.charAt(random.nextInt(ALPHANUMERIC.length())));
    }
    return id.toString();
  }

  /** Builder for {@link SimulatorOptions}. */
  public static final class Builder {
    private int port;
    private int processingComments = 1;
    private Duration defaultChunkDelay = Duration.ZERO;
    private Duration keepAliveInterval = Duration.ofMillis(25);
    private Duration generationStatsDelay = Duration.ofMillis(300);
    private Clock clock = Clock.systemUTC();
    private Supplier<String> generationIds;
    private int http2MaxConcurrentStreams = 20_000;

    private Builder() {}

    public Builder http2MaxConcurrentStreams(int streams) {
      if (streams < 1) {
        throw new IllegalArgumentException("http2MaxConcurrentStreams must be >= 1");
      }
      this.http2MaxConcurrentStreams = streams;
      return this;
    }

    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      this.port = port;
      return this;
    }

    public Builder processingComments(int count) {
      if (count < 0) {
        throw new IllegalArgumentException("processingComments must be >= 0");
      }
      this.processingComments = count;
      return this;
    }

    public Builder defaultChunkDelay(Duration delay) {
      this.defaultChunkDelay = nonNegative(delay, "defaultChunkDelay");
      return this;
    }

    public Builder keepAliveInterval(Duration interval) {
      if (interval.isZero() || interval.isNegative() || interval.toMillis() > 50) {
        throw new IllegalArgumentException("keepAliveInterval must be in (0, 50 ms]");
      }
      this.keepAliveInterval = interval;
      return this;
    }

    public Builder generationStatsDelay(Duration delay) {
      this.generationStatsDelay = nonNegative(delay, "generationStatsDelay");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /** Overrides generation ids, e.g. with a constant for byte-exact wire tests. */
    public Builder generationIds(Supplier<String> ids) {
      this.generationIds = Objects.requireNonNull(ids);
      return this;
    }

    public SimulatorOptions build() {
      return new SimulatorOptions(this);
    }

    private static Duration nonNegative(Duration d, String name) {
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative");
      }
      return d;
    }
  }
}
