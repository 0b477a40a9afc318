package openrouter.gateway.server.resilience;

import com.google.common.base.Ticker;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Enforces the time-to-first-token and idle-between-chunks limits of upstream streams. Reads
 * from OkHttp block, and OpenRouter's keep-alive comments defeat socket read timeouts, so the
 * gateway's shared scheduler calls {@link #check()} every {@link #TICK}: it closes the
 * connection of a stream that is over its limit; the reading thread then sees the close and
 * asks {@link Watch#fired()} why. Per chunk the cost is one volatile write. It starts no thread
 * of its own.
 */
public final class StreamWatchdog {
  /** How often {@link #check()} should run: the limits are enforced to within this. */
  public static final Duration TICK = Duration.ofMillis(20);

  private final Duration ttft;
  private final Duration idle;
  private final Set<Watch> watches = ConcurrentHashMap.newKeySet();
  private final Ticker ticker;

  /** Zero disables a limit. */
  public StreamWatchdog(Duration ttft, Duration idle) {
    this(ttft, idle, Ticker.systemTicker());
  }

  /** Limits measured with {@code ticker}: tests move it and call {@link #check()} by hand. */
  StreamWatchdog(Duration ttft, Duration idle, Ticker ticker) {
    this.ttft = ttft;
    this.idle = idle;
    this.ticker = ticker;
  }

  /** Why a watch fired. */
  public enum Limit {
    TTFT,
    IDLE
  }

  /** Starts watching one upstream attempt; {@code onFire} closes its connection. */
  public Watch watch(Runnable onFire) {
    Watch w = new Watch(onFire);
    watches.add(w);
    return w;
  }

  /** One round: fires every watch that is over its limit now. */
  public void check() {
    long now = ticker.read();
    for (Watch w : watches) {
      w.check(now);
    }
  }

  /** The limits of one attempt. Progress is a data event; keep-alive comments are not. */
  public final class Watch implements AutoCloseable {
    private final Runnable onFire;
    private final long startNanos = ticker.read();
    private volatile long lastProgressNanos = startNanos;
    private volatile boolean firstToken;
    private volatile boolean paused;
    private volatile Limit fired;

    private Watch(Runnable onFire) {
      this.onFire = onFire;
    }

    /** A data event arrived. */
    public void progress() {
      lastProgressNanos = ticker.read();
    }

    /** The first token reached the caller; from now on only the idle limit applies. */
    public void firstToken() {
      firstToken = true;
      lastProgressNanos = ticker.read();
    }

    /**
     * While the gateway waits for a slow caller it does not read the upstream, so the idle
     * clock stops.
     */
    public void pause() {
      paused = true;
    }

    public void resume() {
      lastProgressNanos = ticker.read();
      paused = false;
    }

    /** The limit that fired, or null. */
    public Limit fired() {
      return fired;
    }

    public Duration limit(Limit l) {
      return l == Limit.TTFT ? ttft : idle;
    }

    private void check(long now) {
      if (fired != null || paused) {
        return;
      }
      if (!firstToken) {
        if (!ttft.isZero() && now - startNanos > ttft.toNanos()) {
          fire(Limit.TTFT);
        }
      } else if (!idle.isZero() && now - lastProgressNanos > idle.toNanos()) {
        fire(Limit.IDLE);
      }
    }

    private void fire(Limit limit) {
      fired = limit;
      watches.remove(this);
      onFire.run();
    }

    @Override
    public void close() {
      watches.remove(this);
    }
  }
}
