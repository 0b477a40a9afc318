package openrouter.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import openrouter.gateway.server.GatewayThreads.Stage;
import openrouter.gateway.server.config.ConfigException;
import openrouter.gateway.server.config.GatewayConfig;
import openrouter.gateway.server.testing.TestKeys;
import openrouter.gateway.server.tracing.Tracing;
import openrouter.gateway.server.upstream.UpstreamTarget;
import org.junit.jupiter.api.Test;

/** The one owner of the gateway's threads: its close order, and a start-up that fails half-way. */
class GatewayThreadsTest {
  /** Names of the threads the gateway starts itself (docs/threads.md). */
  private static final List<String> GATEWAY_THREADS =
      List.of("gateway-scheduler-", "metrics-http-", "upstream-", "cost-lookup-", "HTTP-Dispatcher");

  @Test
  void partsCloseInStageOrderAndWithinAStageInReverse() {
    List<String> closed = new CopyOnWriteArrayList<>();
    GatewayThreads threads = new GatewayThreads(Executors.newCachedThreadPool());
    threads.own(Stage.METRICS_SERVER, "metrics endpoint", () -> closed.add("metrics endpoint"));
    threads.own(Stage.UPSTREAM_CLIENT, "client", () -> closed.add("client"));
    threads.own(Stage.GRPC_SERVER, "server", () -> closed.add("server"));
    threads.own(Stage.SHARED_STATE, "redis", () -> closed.add("redis"));
    threads.own(Stage.SHARED_STATE, "redis 2", () -> closed.add("redis 2"));
    threads.own(Stage.PROBES, "probe", () -> closed.add("probe"));

    threads.closeThrough(Stage.PROBES);
    assertThat(closed).containsExactly("probe");
    threads.close();

    assertThat(closed).containsExactly("probe", "server", "client", "redis 2", "redis", "metrics endpoint");
    assertThat(threads.open()).isEmpty();
    assertThat(threads.workers().isTerminated()).isTrue();
  }

  @Test
  void aPartThatFailsToCloseDoesNotKeepTheOthersOpen() {
    List<String> closed = new CopyOnWriteArrayList<>();
    GatewayThreads threads = new GatewayThreads(Executors.newCachedThreadPool());
    threads.own(Stage.GRPC_SERVER, "server", () -> {
      throw new IllegalStateException("cannot close");
    });
    threads.own(Stage.METRICS, "metrics", () -> closed.add("metrics"));

    threads.close();

    assertThat(closed).containsExactly("metrics");
    assertThat(threads.open()).isEmpty();
    assertThatThrownBy(() -> threads.own(Stage.METRICS, "late", () -> {}))
        .hasMessageContaining("shutting down");
  }

  @Test
  void aStartThatFailsHalfWayLeavesNoThreadAndNoPortBehind() throws Exception {
    int metricsPort;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      metricsPort = free.getLocalPort();
    }
    Set<String> before = gatewayThreadNames();
    // The gRPC port is taken: the start fails after the metrics endpoint, the scheduler and the
    // workers have started.
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      GatewayConfig config = GatewayConfig.load(Map.of(
          "GATEWAY_HOST", "127.0.0.1",
          "GATEWAY_PORT", Integer.toString(taken.getLocalPort()),
          "GATEWAY_METRICS_PORT", Integer.toString(metricsPort),
          "GATEWAY_HEALTH_PROBE_INTERVAL_MS", "60000",
          "OPENROUTER_BASE_URL", "http://127.0.0.1:9/api/v1"), List.of());
      UpstreamTarget target =
          new UpstreamTarget(URI.create("http://127.0.0.1:9/api/v1"), Optional.of(TestKeys.GATEWAY), false);

      assertThatThrownBy(() -> Gateway.start(config, target, Clock.systemUTC(), Ticker.systemTicker(),
          Workers.newExecutor(), Tracing.off()))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("GATEWAY_PORT");
    }

    Set<String> left = new java.util.TreeSet<>(gatewayThreadNames());
    left.removeAll(before);
    assertThat(left).as("threads the failed start left running").isEmpty();
    try (ServerSocket reused = new ServerSocket(metricsPort, 1, InetAddress.getLoopbackAddress())) {
      assertThat(reused.getLocalPort()).as("the metrics endpoint released its port").isEqualTo(metricsPort);
    }
  }

  private static Set<String> gatewayThreadNames() {
    List<Thread> alive = new ArrayList<>(Thread.getAllStackTraces().keySet());
    return alive.stream()
        .filter(Thread::isAlive)
        .map(t -> t.getName() + "#" + t.getId())
        .filter(name -> GATEWAY_THREADS.stream().anyMatch(name::startsWith))
        .collect(Collectors.toSet());
  }
}
