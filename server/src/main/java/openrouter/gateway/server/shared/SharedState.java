package openrouter.gateway.server.shared;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StaticCredentialsProvider;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis that several replicas share ({@code GATEWAY_REDIS_URL}), and what happens when it
 * is unreachable. Every Redis call goes through {@link #call}: a failure starts an outage
 * (logged once, a metric, the detailed health says DEGRADED), and then the failure mode
 * decides: open serves from this replica's own state, closed refuses the chat call
 * (UNAVAILABLE {@code SHARED_STATE_UNAVAILABLE}). The first call that succeeds ends the outage.
 *
 * <p>Calls are synchronous and bounded by {@code GATEWAY_REDIS_TIMEOUT_MS}; with Redis the
 * gateway runs every gRPC callback on its workers, never on a Netty event loop. Lettuce
 * reconnects by itself and fails commands at once while disconnected; until the first
 * connection succeeds a background task retries every second.
 */
public final class SharedState implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SharedState.class);

  /** What shared state reports to metrics. */
  public interface Observer {
    Observer NONE = new Observer() {};

    /** One Redis call: its operation, how long it took, and whether it failed. */
    default void redisCall(String operation, long nanos, boolean failed) {}
  }

  /** One operation on Redis; any exception is a Redis failure. */
  public interface RedisOp<T> {
    T run(StatefulRedisConnection<String, String> redis) throws Exception;
  }

  private final RedisClient client;
  private final ClientResources resources;
  private final String prefix;
  private final boolean failOpen;
  private final Duration leaseTime;
  private final Observer observer;
  private final ScheduledExecutorService background;
  private final AtomicReference<String> outage = new AtomicReference<>();
  private volatile StatefulRedisConnection<String, String> strings;

  private SharedState(RedisClient client, ClientResources resources, RedisTarget redis, Observer observer) {
    this.client = client;
    this.resources = resources;
    this.prefix = redis.keyPrefix();
    this.failOpen = redis.failOpen();
    this.leaseTime = redis.leaseTime();
    this.observer = observer;
    this.background = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "shared-state");
      t.setDaemon(true);
      return t;
    });
  }

  /** Connects to the configured Redis; when it cannot yet, starts in an outage and keeps trying. */
  public static SharedState start(RedisTarget redis, Observer observer) {
    RedisURI uri = RedisURI.create(redis.url());
    redis.password().ifPresent(p -> uri.setCredentialsProvider(new StaticCredentialsProvider(null, p.toCharArray())));
    uri.setTimeout(redis.timeout());
    // Reconnect attempts back off to at most 2 s (Lettuce's default is 30 s): recovery is quick.
    ClientResources resources = ClientResources.builder()
        .reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
        .build();
    RedisClient client = RedisClient.create(resources, uri);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        // While disconnected, fail at once instead of queueing: the failure mode decides.
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(redis.timeout()))
        .build());
    SharedState state = new SharedState(client, resources, redis, observer);
    if (!state.tryConnect()) {
      state.background.scheduleWithFixedDelay(() -> {
        if (state.strings == null && state.tryConnect()) {
          throw new IllegalStateException("connected: stop retrying"); // ends this periodic task
        }
      }, 1, 1, TimeUnit.SECONDS);
    }
    return state;
  }

  private synchronized boolean tryConnect() {
    if (strings != null) {
      return true;
    }
    try {
      strings = client.connect(StringCodec.UTF8);
      recovered();
      return true;
    } catch (RuntimeException e) {
      failed("connect", e);
      return false;
    }
  }

  /** Every key the gateway writes starts with this. */
  public String key(String suffix) {
    return prefix + suffix;
  }

  public Duration leaseTime() {
    return leaseTime;
  }

  public boolean failOpen() {
    return failOpen;
  }

  ScheduledExecutorService background() {
    return background;
  }

  /**
   * Runs {@code op} on Redis. On failure: open mode, or {@code localEvenWhenClosed}, answers
   * {@code local}; closed mode throws SHARED_STATE_UNAVAILABLE.
   */
  public <T> T call(String operation, RedisOp<T> op, Supplier<T> local, boolean localEvenWhenClosed) {
    long start = System.nanoTime();
    try {
      StatefulRedisConnection<String, String> redis = strings;
      if (redis == null) {
        throw new IllegalStateException("not connected to Redis yet");
      }
      T result = op.run(redis);
      observer.redisCall(operation, System.nanoTime() - start, false);
      recovered();
      return result;
    } catch (Exception e) {
      observer.redisCall(operation, System.nanoTime() - start, true);
      failed(operation, e);
      if (failOpen || localEvenWhenClosed) {
        return local.get();
      }
      throw GatewayFailure.of(Kind.SHARED_STATE_UNAVAILABLE, "the gateway cannot reach the Redis that holds the"
          + " limits its replicas share, and GATEWAY_REDIS_FAILURE_MODE=closed; retry shortly");
    }
  }

  /** Like {@link #call}, for a Redis failure that has nothing to fall back to (it is only logged). */
  public void bestEffort(String operation, RedisOp<?> op) {
    call(operation, op, () -> null, true);
  }

  private void failed(String operation, Exception e) {
    String reason = "Redis unreachable (" + operation + ": " + e.getClass().getSimpleName()
        + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")";
    if (outage.compareAndSet(null, reason)) {
      log.error("shared state: {}; {} until it is back", reason,
          failOpen ? "serving on this replica's own limits and counting spend locally"
              : "refusing chat calls (GATEWAY_REDIS_FAILURE_MODE=closed)");
    }
  }

  private void recovered() {
    if (outage.getAndSet(null) != null) {
      log.info("shared state: Redis is reachable again; limits and spend are shared again");
    }
  }

  /** Why the shared state is degraded, for the detailed health; empty while Redis answers. */
  public Optional<String> problem() {
    String o = outage.get();
    return o == null ? Optional.empty() : Optional.of(o + "; GATEWAY_REDIS_FAILURE_MODE=" + (failOpen ? "open" : "closed"));
  }

  @Override
  public void close() {
    background.shutdownNow();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
