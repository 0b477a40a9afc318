package openrouter.gateway.server.shared;

import static openrouter.gateway.server.testing.Requests.chat;
import static openrouter.gateway.server.testing.Requests.detail;
import static openrouter.gateway.server.testing.Requests.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.RetryInfo;
import io.grpc.Metadata;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import openrouter.gateway.server.security.CallerRegistry;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.RedisServer;
import openrouter.gateway.server.testing.StreamCollector;
import openrouter.gateway.v1.CheckRequest;
import openrouter.gateway.v1.CreditsServiceGrpc;
import openrouter.gateway.v1.GetSpendRequest;
import openrouter.gateway.v1.HealthServiceGrpc;
import openrouter.gateway.v1.ListModelsRequest;
import openrouter.gateway.v1.ModelsServiceGrpc;
import openrouter.gateway.v1.OverallStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateways sharing one real redis-server: rate limits, callers' slots and spend hold across
 * both, and an outage of Redis follows GATEWAY_REDIS_FAILURE_MODE and recovers by itself.
 */
class SharedStateTest {
  private static final String ALICE_KEY = "gw-alice-0123456789";

  @TempDir
  Path dir;
  private RedisServer redis;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void startRedis() throws Exception {
    redis = RedisServer.start();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    redis.close();
  }

  private GatewayHarness replica(String aliceOverrides, String... settings) throws Exception {
    Path keys = dir.resolve("keys.txt");
    Files.writeString(keys, "alice " + HexFormat.of().formatHex(CallerRegistry.sha256(ALICE_KEY)) + " " + aliceOverrides + "\n");
    List<String> all = new ArrayList<>(List.of("GATEWAY_API_KEYS_FILE", keys.toString(),
        "GATEWAY_REDIS_URL", redis.url(), "GATEWAY_REDIS_TIMEOUT_MS", "2000"));
    all.addAll(List.of(settings));
    GatewayHarness h = GatewayHarness.inProcess().withSimulator(all.toArray(String[]::new));
    open.add(h);
    return h;
  }

  private static <S extends AbstractStub<S>> S alice(S stub) {
    Metadata md = new Metadata();
    md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + ALICE_KEY);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
  }

  /** Polls a condition; the deadline only bounds a failure. */
  private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 30 s: " + what);
      }
      Thread.sleep(50);
    }
  }

  private static boolean chatSucceeds(GatewayHarness h) {
    try {
      alice(h.chat()).chat(chat("sim/echo", "ok?"));
      return true;
    } catch (StatusRuntimeException e) {
      return false;
    }
  }

  @Test
  void theRateLimitHoldsExactlyWhicheverReplicaEachCallReaches() throws Exception {
    GatewayHarness a = replica("chat=10/24h");
    GatewayHarness b = replica("chat=10/24h");
    for (int i = 0; i < 10; i++) {
      alice((i % 2 == 0 ? a : b).chat()).chat(chat("sim/echo", "call " + i));
    }
    for (GatewayHarness h : List.of(a, b)) {
      StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class,
          () -> alice(h.chat()).chat(chat("sim/echo", "one too many")));
      assertThat(refused.getStatus().getCode()).isEqualTo(Code.RESOURCE_EXHAUSTED);
      assertThat(errorInfo(refused).getReason()).isEqualTo("RATE_LIMITED");
      assertThat(detail(refused, RetryInfo.class).getRetryDelay().getSeconds()).isBetween(0L, 8640L);
    }
    assertThat(a.simulator.requestCount("/chat/completions") + b.simulator.requestCount("/chat/completions")).isEqualTo(10);
  }

  @Test
  void aBudgetSpentThroughOneReplicaIsSpentOnTheOther() throws Exception {
    GatewayHarness a = replica("budget=0.000000000001/1d");
    GatewayHarness b = replica("budget=0.000000000001/1d");
    String cost = alice(a.chat()).chat(chat("sim/echo", "spend it here")).getSummary().getUsage().getCost();

    var spend = alice(CreditsServiceGrpc.newBlockingStub(b.channel)).getSpend(GetSpendRequest.getDefaultInstance());
    assertThat(new BigDecimal(spend.getSpent())).isEqualByComparingTo(cost);
    StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class,
        () -> alice(b.chat()).chat(chat("sim/echo", "and here?")));
    assertThat(errorInfo(refused).getReason()).isEqualTo("BUDGET_EXCEEDED");
    assertThat(b.simulator.requestCount("/chat/completions")).isZero();
  }

  @Test
  void aCallersSlotsAreSharedAndComeBackWhenTheCallEnds() throws Exception {
    GatewayHarness a = replica("streams=1");
    GatewayHarness b = replica("streams=1");
    StreamCollector held = new StreamCollector();
    var call = io.grpc.Context.current().withCancellation();
    call.run(() -> alice(a.chatAsync()).streamChat(chat("sim/stall", "hold a slot"), held));
    assertThat(held.firstMessage.await(30, TimeUnit.SECONDS)).isTrue();

    StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class,
        () -> alice(b.chat()).chat(chat("sim/echo", "second slot?")));
    assertThat(refused.getStatus().getCode()).isEqualTo(Code.RESOURCE_EXHAUSTED);
    assertThat(errorInfo(refused).getReason()).isEqualTo("CALLER_STREAM_LIMIT");

    call.cancel(null);
    assertThat(held.await().getCode()).isEqualTo(Code.CANCELLED);
    eventually("the slot is released in Redis", () -> chatSucceeds(b));
  }

  @Test
  void failOpenServesOnLocalLimitsWhileRedisIsDownReportsDegradedAndRecovers() throws Exception {
    GatewayHarness a = replica("chat=1000/1m budget=100/1d");
    alice(a.chat()).chat(chat("sim/echo", "before the outage"));
    var health = HealthServiceGrpc.newBlockingStub(a.channel);
    assertThat(health.check(CheckRequest.getDefaultInstance()).getStatus()).isEqualTo(OverallStatus.OVERALL_STATUS_SERVING);

    redis.stop();
    assertThat(alice(a.chat()).chat(chat("sim/echo", "during the outage")).getMessage().getContent())
        .isEqualTo("during the outage");
    var report = health.check(CheckRequest.getDefaultInstance());
    assertThat(report.getStatus()).isEqualTo(OverallStatus.OVERALL_STATUS_DEGRADED);
    assertThat(String.join("\n", report.getProblemsList())).contains("shared state").contains("Redis unreachable")
        .contains("GATEWAY_REDIS_FAILURE_MODE=open");
    assertThat(a.scrape()).contains("gateway_shared_state_up 0.0")
        .containsPattern("gateway_redis_duration_seconds_count\\{error=\"true\",operation=\"[a-z_]+\"");

    redis.restart();
    eventually("the replica uses Redis again", () -> chatSucceeds(a)
        && health.check(CheckRequest.getDefaultInstance()).getStatus() == OverallStatus.OVERALL_STATUS_SERVING);
    // The spend counted during the outage reaches the (new, empty) Redis.
    eventually("the spend of the outage is written to Redis", () -> {
      try {
        return redis.command("KEYS orgw:spend:alice:*").equals("*1");
      } catch (java.io.IOException e) {
        return false;
      }
    });
  }

  @Test
  void failClosedRefusesChatCallsWhileRedisIsDownAndRecovers() throws Exception {
    GatewayHarness a = replica("chat=1000/1m", "GATEWAY_REDIS_FAILURE_MODE", "closed");
    alice(a.chat()).chat(chat("sim/echo", "before the outage"));

    redis.stop();
    StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class,
        () -> alice(a.chat()).chat(chat("sim/echo", "during the outage")));
    assertThat(refused.getStatus().getCode()).isEqualTo(Code.UNAVAILABLE);
    assertThat(errorInfo(refused).getReason()).isEqualTo("SHARED_STATE_UNAVAILABLE");
    assertThat(refused.getStatus().getDescription()).contains("GATEWAY_REDIS_FAILURE_MODE=closed");
    // Calls that spend nothing keep working on this replica's own limits.
    assertThat(alice(ModelsServiceGrpc.newBlockingStub(a.channel)).listModels(ListModelsRequest.getDefaultInstance())
        .getModelsCount()).isPositive();

    redis.restart();
    eventually("chat calls are served again", () -> chatSucceeds(a));
  }
}
