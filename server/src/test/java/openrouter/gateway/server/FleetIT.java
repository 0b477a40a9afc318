package openrouter.gateway.server;

import static openrouter.gateway.server.testing.Requests.chat;
import static openrouter.gateway.server.testing.Requests.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import openrouter.gateway.server.security.CallerRegistry;
import openrouter.gateway.simulator.OpenRouterSimulator;
import openrouter.gateway.simulator.RecordedRequest;
import openrouter.gateway.server.testing.RedisServer;
import openrouter.gateway.server.testing.StreamCollector;
import openrouter.gateway.server.testing.TestKeys;
import openrouter.gateway.v1.ChatServiceGrpc;
import openrouter.gateway.v1.CheckRequest;
import openrouter.gateway.v1.HealthServiceGrpc;
import openrouter.gateway.v1.OverallStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two packaged gateways as real processes, sharing a real redis-server, behind a real nginx
 * ({@code grpc_pass}), all on free loopback ports: calls spread over both; the shared rate
 * limit and budget hold whichever replica a call reaches; killing a replica ends its streams
 * and its callers' slots come back within the lease; a Redis outage degrades and recovers.
 */
class FleetIT {
  private static final String ALICE = "gw-alice-0123456789";
  private static final String BOB = "gw-bob-9876543210";
  private static final String CAROL = "gw-carol-5555555555";
  private static final String DAVE = "gw-dave-4444444444";

  @TempDir
  Path dir;
  private final List<Process> processes = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    for (Process p : processes) {
      if (p.isAlive()) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String sha(String key) {
    return HexFormat.of().formatHex(CallerRegistry.sha256(key));
  }

  private ManagedChannel channel(int port) {
    ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    channels.add(c);
    return c;
  }

  private static <S extends AbstractStub<S>> S as(S stub, String key) {
    Metadata md = new Metadata();
    md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md)).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  /** Polls; the deadline is generous (a busy 2-core machine starts JVMs slowly) and bounds a failure only. */
  private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 180 s: " + what);
      }
      Thread.sleep(50);
    }
  }

  /** Starts the packaged jar named {@code name} (its upstream X-Title) on a free port. */
  private Process gateway(String name, int port, Map<String, String> settings) throws Exception {
    Path jar = Path.of(System.getProperty("gateway.jar", "target/gateway.jar"));
    assertThat(jar).as("the packaged jar (mvn verify builds it before this test)").exists();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-jar", jar.toString());
    pb.environment().keySet().removeIf(k -> k.startsWith("GATEWAY_") || k.startsWith("OPENROUTER_"));
    pb.environment().put("GATEWAY_HOST", "127.0.0.1");
    pb.environment().put("GATEWAY_PORT", Integer.toString(port));
    pb.environment().put("GATEWAY_METRICS_PORT", "off");
    pb.environment().put("GATEWAY_HEALTH_PROBE_INTERVAL_MS", "0");
    pb.environment().put("OPENROUTER_SITE_NAME", name);
    pb.environment().putAll(settings);
    pb.redirectErrorStream(true).redirectOutput(dir.resolve(name + ".out").toFile());
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  private void awaitServing(Process p, int port, String name) throws Exception {
    ManagedChannel probe = channel(port);
    eventually(name + " SERVING", () -> {
      assertThat(p.isAlive()).as(name + " exited early:\n" + read(dir.resolve(name + ".out"))).isTrue();
      try {
        return HealthGrpc.newBlockingStub(probe).withDeadlineAfter(1, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()).getStatus() == ServingStatus.SERVING;
      } catch (StatusRuntimeException notYet) {
        return false;
      }
    });
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(" + e + ")";
    }
  }

  /** nginx in the foreground, one process, as a gRPC balancer in front of the two ports. */
  private Process nginx(int port, int a, int b) throws Exception {
    Path conf = dir.resolve("nginx.conf");
    Files.writeString(conf, """
        daemon off;
        master_process off;
        pid %1$s/nginx.pid;
        error_log %1$s/nginx-error.log info;
        events { worker_connections 256; }
        http {
          access_log %1$s/nginx-access.log;
          client_body_temp_path %1$s/body;
          proxy_temp_path %1$s/proxy;
          fastcgi_temp_path %1$s/fastcgi;
          uwsgi_temp_path %1$s/uwsgi;
          scgi_temp_path %1$s/scgi;
          upstream gateways {
            server 127.0.0.1:%3$d max_fails=1 fail_timeout=2s;
            server 127.0.0.1:%4$d max_fails=1 fail_timeout=2s;
            keepalive 8;
          }
          server {
            listen 127.0.0.1:%2$d http2;
            location / {
              grpc_pass grpc://gateways;
              grpc_read_timeout 120s;
              grpc_next_upstream error timeout;
            }
          }
        }
        """.formatted(dir.toString(), port, a, b));
    Process p = new ProcessBuilder(nginxBinary(), "-p", dir.toString(), "-c", conf.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
    processes.add(p);
    eventually("nginx listening", () -> {
      assertThat(p.isAlive()).as("nginx exited:\n" + read(dir.resolve("nginx.out")) + read(dir.resolve("nginx-error.log"))).isTrue();
      try (var s = new java.net.Socket("127.0.0.1", port)) {
        return true;
      } catch (IOException notYet) {
        return false;
      }
    });
    return p;
  }

  private static String nginxBinary() {
    for (String candidate : List.of("/usr/sbin/nginx", "/usr/bin/nginx")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    throw new AssertionError("nginx is not installed: apt-get install nginx (scripts/test.sh does)");
  }

  /** Which replicas (by X-Title) sent the simulator the chat requests of this prompt. */
  private static Set<String> servedBy(OpenRouterSimulator sim, String promptPrefix) {
    return sim.requests().stream()
        .filter(r -> r.path().endsWith("/chat/completions") && r.body().contains(promptPrefix))
        .map(r -> r.header("X-Title"))
        .collect(Collectors.toSet());
  }

  @Test
  void twoReplicasBehindNginxShareLimitsBudgetsAndSlotsAndSurviveLosingOneAndRedis() throws Exception {
    RedisServer redis = RedisServer.start();
    closeables.add(redis);
    OpenRouterSimulator sim = OpenRouterSimulator.start(0);
    closeables.add(sim);
    Path keys = dir.resolve("keys.txt");
    Files.writeString(keys, String.join("\n",
        "alice " + sha(ALICE) + " chat=10/24h",
        "bob " + sha(BOB) + " budget=0.000000000001/1d",
        // A rate no poll below can reach: only her slot may refuse her.
        "carol " + sha(CAROL) + " streams=1 chat=10000/1m",
        "dave " + sha(DAVE) + " chat=10000/1m", ""));
    Map<String, String> shared = Map.of(
        "OPENROUTER_API_KEY", TestKeys.GATEWAY,
        "OPENROUTER_BASE_URL", sim.baseUrl(),
        "GATEWAY_API_KEYS_FILE", keys.toString(),
        "GATEWAY_REDIS_URL", redis.url(),
        // 15 s, renewed every 5 s: the live replica's slot holds even if a busy machine stalls
        // it for seconds (at 1.5 s, renewals 500 ms apart left 1 s of slack); the dead one's
        // slot still comes back by itself, 15 s later.
        "GATEWAY_REDIS_LEASE_MS", "15000");
    int portA = freePort();
    int portB = freePort();
    Process a = gateway("replica-a", portA, shared);
    Process b = gateway("replica-b", portB, shared);
    awaitServing(a, portA, "replica-a");
    awaitServing(b, portB, "replica-b");
    int balancer = freePort();
    nginx(balancer, portA, portB);
    ManagedChannel lb = channel(balancer);
    ChatServiceGrpc.ChatServiceBlockingStub chat = ChatServiceGrpc.newBlockingStub(lb);

    // Calls spread over both replicas, and alice's 10/24h holds exactly (greedy refill: no token comes back during the test) across them.
    for (int i = 0; i < 10; i++) {
      as(chat, ALICE).chat(chat("sim/echo", "spread " + i));
    }
    assertThat(servedBy(sim, "spread ")).containsExactlyInAnyOrder("replica-a", "replica-b");
    for (int i = 0; i < 2; i++) {
      StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class,
          () -> as(chat, ALICE).chat(chat("sim/echo", "eleventh")));
      assertThat(refused.getStatus().getCode()).isEqualTo(Code.RESOURCE_EXHAUSTED);
      assertThat(errorInfo(refused).getReason()).isEqualTo("RATE_LIMITED");
    }

    // Bob's budget is crossed by his first call; every later call is refused, on either replica.
    as(chat, BOB).chat(chat("sim/echo", "bob spends"));
    for (int i = 0; i < 4; i++) {
      StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class,
          () -> as(chat, BOB).chat(chat("sim/echo", "bob again")));
      assertThat(errorInfo(refused).getReason()).isEqualTo("BUDGET_EXCEEDED");
    }
    assertThat(servedBy(sim, "bob again")).isEmpty();

    // Carol holds her one slot with a stream on one replica; the other refuses her too.
    StreamCollector held = new StreamCollector();
    as(ChatServiceGrpc.newStub(lb), CAROL).withDeadlineAfter(120, TimeUnit.SECONDS)
        .streamChat(chat("sim/stall", "carol holds"), held);
    assertThat(held.firstMessage.await(60, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < 2; i++) {
      StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class,
          () -> as(chat, CAROL).chat(chat("sim/echo", "carol second")));
      assertThat(errorInfo(refused).getReason()).isEqualTo("CALLER_STREAM_LIMIT");
    }

    // Kill the replica holding it: its stream ends UNAVAILABLE, new calls go to the other,
    // and carol's slot comes back when its lease ends.
    Set<String> holder = servedBy(sim, "carol holds");
    assertThat(holder).hasSize(1);
    boolean killA = holder.contains("replica-a");
    Process victim = killA ? a : b;
    int survivorPort = killA ? portB : portA;
    victim.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    assertThat(held.await().getCode()).isIn(Code.UNAVAILABLE, Code.INTERNAL);
    for (int i = 0; i < 4; i++) {
      as(chat, DAVE).chat(chat("sim/echo", "after the kill " + i));
    }
    assertThat(servedBy(sim, "after the kill ")).containsExactly(killA ? "replica-b" : "replica-a");
    eventually("carol's slot of the dead replica comes back", () -> {
      try {
        as(chat, CAROL).chat(chat("sim/echo", "carol again"));
        return true;
      } catch (StatusRuntimeException stillHeld) {
        assertThat(errorInfo(stillHeld).getReason()).isEqualTo("CALLER_STREAM_LIMIT");
        return false;
      }
    });

    // Redis goes away: the survivor serves on its own limits (fail open), says DEGRADED, and
    // recovers when Redis is back.
    var health = HealthServiceGrpc.newBlockingStub(channel(survivorPort));
    redis.stop();
    as(chat, DAVE).chat(chat("sim/echo", "redis is down"));
    assertThat(health.check(CheckRequest.getDefaultInstance()).getStatus()).isEqualTo(OverallStatus.OVERALL_STATUS_DEGRADED);
    redis.restart();
    eventually("the survivor uses Redis again", () -> {
      try {
        as(chat, DAVE).chat(chat("sim/echo", "redis is back"));
      } catch (StatusRuntimeException e) {
        return false;
      }
      return health.check(CheckRequest.getDefaultInstance()).getStatus() == OverallStatus.OVERALL_STATUS_SERVING;
    });
  }
}
