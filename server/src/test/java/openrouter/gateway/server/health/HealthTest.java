package openrouter.gateway.server.health;

import static openrouter.gateway.server.testing.Requests.chat;
import static openrouter.gateway.server.testing.Requests.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static openrouter.gateway.simulator.testing.Eventually.DEADLINE;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.time.Clock;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import ch.qos.logback.classic.Level;
import mockwebserver3.MockResponse;
import openrouter.gateway.simulator.testing.CapturedLogs;
import mockwebserver3.MockWebServer;
import openrouter.gateway.server.Gateway;
import openrouter.gateway.server.config.GatewayConfig;
import openrouter.gateway.simulator.OpenRouterSimulator;
import openrouter.gateway.simulator.RecordedRequest;
import openrouter.gateway.simulator.SimulatorKeys;
import openrouter.gateway.simulator.testing.Eventually;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.Prometheus;
import openrouter.gateway.server.testing.TestKeys;
import openrouter.gateway.server.upstream.OpenRouterClient;
import openrouter.gateway.server.upstream.UpstreamObserver;
import openrouter.gateway.server.upstream.UpstreamTarget;
import openrouter.gateway.v1.CheckRequest;
import openrouter.gateway.v1.CheckResponse;
import openrouter.gateway.v1.ChatServiceGrpc;
import openrouter.gateway.v1.CreditsServiceGrpc;
import openrouter.gateway.v1.HealthServiceGrpc;
import openrouter.gateway.v1.KeyState;
import openrouter.gateway.v1.ModelsServiceGrpc;
import openrouter.gateway.v1.OverallStatus;
import openrouter.gateway.v1.UpstreamMode;
import org.junit.jupiter.api.Test;

/** The standard health service, the detailed report, and the background upstream probe. */
class HealthTest {
  private static final List<String> SERVICES = List.of(ChatServiceGrpc.SERVICE_NAME, ModelsServiceGrpc.SERVICE_NAME,
      CreditsServiceGrpc.SERVICE_NAME, HealthServiceGrpc.SERVICE_NAME);

  private static ServingStatus standard(ManagedChannel channel, String service) {
    return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE.toSeconds(), TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
  }

  private static CheckResponse detailed(ManagedChannel channel) {
    return HealthServiceGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE.toSeconds(), TimeUnit.SECONDS)
        .check(CheckRequest.getDefaultInstance());
  }

  /** Polls the detailed report until {@code condition} holds. */
  private static CheckResponse awaitReport(ManagedChannel channel, Predicate<CheckResponse> condition)
      throws InterruptedException {
    return Eventually.await("the health report", () -> detailed(channel), condition);
  }

  @Test
  void theServerAndEachServiceServeAndUnknownServicesAreNotFound() throws Exception {
    try (GatewayHarness h = GatewayHarness.inProcess().withSimulator("GATEWAY_HEALTH_PROBE_INTERVAL_MS", "30000")) {
      assertThat(standard(h.channel, "")).isEqualTo(ServingStatus.SERVING);
      for (String service : SERVICES) {
        assertThat(standard(h.channel, service)).as(service).isEqualTo(ServingStatus.SERVING);
      }
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
          () -> standard(h.channel, "no.such.Service"));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }
  }

  @Test
  void theReportShowsModeVersionUptimeAndTheProbeWhichNeverChats() throws Exception {
    try (GatewayHarness h = GatewayHarness.inProcess().withSimulator("GATEWAY_HEALTH_PROBE_INTERVAL_MS", "30000")) {
      CheckResponse r = awaitReport(h.channel, CheckResponse::hasUpstream);
      assertThat(r.getStatus()).isEqualTo(OverallStatus.OVERALL_STATUS_SERVING);
      assertThat(r.getProblemsList()).isEmpty();
      assertThat(r.getMode()).isEqualTo(UpstreamMode.UPSTREAM_MODE_SIMULATOR);
      assertThat(r.getKeyState()).isEqualTo(KeyState.KEY_STATE_NOT_CONFIGURED);
      assertThat(r.getUpstreamBaseUrl()).isEqualTo(h.simulator.baseUrl());
      assertThat(r.getUpstream().getReachable()).isTrue();
      assertThat(r.getUpstream().getLastError()).isEmpty();
      assertThat(r.getUpstream().getLatency().getNanos() + r.getUpstream().getLatency().getSeconds()).isPositive();
      assertThat(r.getUpstream().getProbedAt().getSeconds()).isPositive();
      assertThat(r.getVersion()).isNotEmpty();
      assertThat(r.hasUptime()).isTrue();
      assertThat(r.getModels().getLoaded()).as("the catalogue loads on first use, not at start-up").isFalse();
      assertThat(r.getCredits().getKnown()).as("the balance is read on first use").isFalse();
      assertThat(r.toString()).doesNotContain(TestKeys.GATEWAY);
      assertThat(h.simulator.requestCount("/key")).isPositive();
      assertThat(h.simulator.requestCount("/chat/completions")).isZero();
    }
  }

  @Test
  void theProbeRunsAtItsIntervalAndOnlyCallsKey() throws Exception {
    try (GatewayHarness h = GatewayHarness.inProcess().withSimulator("GATEWAY_HEALTH_PROBE_INTERVAL_MS", "100")) {
      Eventually.await("three probes", () -> h.simulator.requestCount("/key") >= 3);
      List<RecordedRequest> probes = h.simulator.requests();
      assertThat(probes).allMatch(r -> r.path().equals("/key"));
      assertThat(h.simulator.requestCount("/chat/completions")).isZero();
      // The next probe starts an interval after the previous one ended, however slow the machine:
      // never faster than the interval (how much slower depends on the machine, so no upper bound).
      for (int i = 1; i < probes.size(); i++) {
        long gapNanos = probes.get(i).receivedAtNanos() - probes.get(i - 1).receivedAtNanos();
        assertThat(gapNanos).as("gap before probe %d", i).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
      }
    }
  }

  @Test
  void anAcceptedKeyIsReportedInLiveMode() throws Exception {
    try (OpenRouterSimulator sim = OpenRouterSimulator.start(0);
        GatewayHarness h = GatewayHarness.inProcess().withUpstream(URI.create(sim.baseUrl()), TestKeys.GATEWAY, "GATEWAY_HEALTH_PROBE_INTERVAL_MS", "30000")) {
      CheckResponse r = awaitReport(h.channel, x -> x.getKeyState() == KeyState.KEY_STATE_ACCEPTED);
      assertThat(r.getMode()).isEqualTo(UpstreamMode.UPSTREAM_MODE_LIVE);
      assertThat(r.getStatus()).isEqualTo(OverallStatus.OVERALL_STATUS_SERVING);
    }
  }

  @Test
  void aRejectedKeyMakesChatAndCreditsNotServingButNeverTheServer() throws Exception {
    try (OpenRouterSimulator sim = OpenRouterSimulator.start(0);
        GatewayHarness h = GatewayHarness.inProcess().withUpstream(URI.create(sim.baseUrl()), SimulatorKeys.REJECTED, "GATEWAY_HEALTH_PROBE_INTERVAL_MS", "30000")) {
      CheckResponse r = awaitReport(h.channel, x -> x.getKeyState() == KeyState.KEY_STATE_REJECTED);
      assertThat(r.getStatus()).isEqualTo(OverallStatus.OVERALL_STATUS_NOT_SERVING);
      assertThat(r.getProblemsList()).anyMatch(p -> p.contains("OPENROUTER_API_KEY"));
      assertThat(r.getUpstream().getReachable()).as("a 401 is an answer: OpenRouter is up").isTrue();

      assertThat(standard(h.channel, "")).isEqualTo(ServingStatus.SERVING);
      assertThat(standard(h.channel, ChatServiceGrpc.SERVICE_NAME)).isEqualTo(ServingStatus.NOT_SERVING);
      assertThat(standard(h.channel, CreditsServiceGrpc.SERVICE_NAME)).isEqualTo(ServingStatus.NOT_SERVING);
      assertThat(standard(h.channel, ModelsServiceGrpc.SERVICE_NAME)).isEqualTo(ServingStatus.SERVING);
      assertThat(standard(h.channel, HealthServiceGrpc.SERVICE_NAME)).isEqualTo(ServingStatus.SERVING);
      assertThat(r.toString()).doesNotContain(SimulatorKeys.REJECTED);
    }
  }

  @Test
  void aChatCallRejectedWith401FlipsChatToNotServingAtOnceWithoutAnyProbe() throws Exception {
    try (OpenRouterSimulator sim = OpenRouterSimulator.start(0);
        GatewayHarness h = GatewayHarness.inProcess().withUpstream(URI.create(sim.baseUrl()), SimulatorKeys.REJECTED,
            "GATEWAY_HEALTH_PROBE_INTERVAL_MS", "0")) {
      BlockingQueue<ServingStatus> watched = watch(h.channel, ChatServiceGrpc.SERVICE_NAME);
      assertThat(watched.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(ServingStatus.SERVING);
      assertThat(detailed(h.channel).getKeyState()).isEqualTo(KeyState.KEY_STATE_UNSPECIFIED);

      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
          () -> h.chat().chat(chat("sim/echo", "hello")));
      assertThat(errorInfo(e).getReason()).isEqualTo("UPSTREAM_KEY_REJECTED");

      assertThat(watched.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(ServingStatus.NOT_SERVING);
      assertThat(detailed(h.channel).getKeyState()).isEqualTo(KeyState.KEY_STATE_REJECTED);
      assertThat(sim.requestCount("/key")).as("probe disabled").isZero();
      assertThat(standard(h.channel, "")).isEqualTo(ServingStatus.SERVING);
    }
  }

  @Test
  void aKeyAcceptedAgainBringsChatBack() throws Exception {
    try (MockWebServer upstream = new MockWebServer()) {
      // The key is rejected once, by the first probe after the watch saw SERVING: with the 401
      // at a fixed place in a queue, a watch that started after the second probe (300 ms, less
      // than a busy machine can take) saw NOT_SERVING first.
      java.util.concurrent.atomic.AtomicBoolean rejectOnce = new java.util.concurrent.atomic.AtomicBoolean();
      upstream.setDispatcher(new mockwebserver3.Dispatcher() {
        @Override
        public MockResponse dispatch(mockwebserver3.RecordedRequest request) {
          return rejectOnce.compareAndSet(true, false)
              ? new MockResponse.Builder().code(401)
                  .body("{\"error\":{\"code\":401,\"message\":\"User not found.\"}}").build()
              : new MockResponse.Builder().code(200).body("{\"data\":{\"label\":\"x\"}}").build();
        }
      });
      upstream.start();
      try (GatewayHarness h = GatewayHarness.inProcess().withUpstream(upstream.url("/api/v1").uri(), TestKeys.GATEWAY,
          "GATEWAY_HEALTH_PROBE_INTERVAL_MS", "300")) {
        BlockingQueue<ServingStatus> watched = watch(h.channel, ChatServiceGrpc.SERVICE_NAME);
        assertThat(watched.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(ServingStatus.SERVING);
        rejectOnce.set(true);
        assertThat(List.of(watched.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS),
            watched.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS)))
            .containsExactly(ServingStatus.NOT_SERVING, ServingStatus.SERVING);
        assertThat(detailed(h.channel).getKeyState()).isEqualTo(KeyState.KEY_STATE_ACCEPTED);
        assertThat(upstream.takeRequest().getTarget()).isEqualTo("/api/v1/key");
      }
    }
  }

  @Test
  void theProbePublishesARejectedKeyTogetherWithTheAnswerThatRejectedIt() throws Exception {
    try (MockWebServer upstream = new MockWebServer()) {
      upstream.enqueue(new MockResponse.Builder().code(401)
          .body("{\"error\":{\"code\":401,\"message\":\"User not found.\"}}").build());
      upstream.start();
      UpstreamHealth health = new UpstreamHealth(true);
      // Reads the health state the moment the probe's exchange has been reported, before the
      // prober returns: the moment a reader used to see the key REJECTED and no probe yet.
      List<UpstreamHealth.State> seenMidExchange = new CopyOnWriteArrayList<>();
      UpstreamObserver reader = new UpstreamObserver() {
        @Override
        public void exchange(String endpoint, String method, int httpStatus, String errorType, boolean gatewayKey,
            long nanos) {
          seenMidExchange.add(health.state());
        }

        @Override
        public void probeExchange(String endpoint, String method, int httpStatus, String errorType, long nanos) {
          seenMidExchange.add(health.state());
        }
      };
      UpstreamTarget target = new UpstreamTarget(upstream.url("/api/v1").uri(), Optional.of(TestKeys.GATEWAY), false);
      try (OpenRouterClient client = new OpenRouterClient(target, Optional.empty(), "test", "0",
              UpstreamObserver.both(health, reader))) {
        new UpstreamProber(client, health, Duration.ofSeconds(30), Clock.systemUTC()).probeOnce();
        UpstreamHealth.State after = Eventually.await("the probe's outcome", health::state, s -> s.lastProbe() != null);
        assertThat(seenMidExchange).hasSize(1).allSatisfy(mid -> {
          assertThat(mid.keyState()).isEqualTo(KeyState.KEY_STATE_UNSPECIFIED);
          assertThat(mid.lastProbe()).isNull();
        });
        assertThat(after.keyState()).isEqualTo(KeyState.KEY_STATE_REJECTED);
        assertThat(after.lastProbe().reachable()).as("a 401 is an answer").isTrue();
      }
    }
  }

  @Test
  void anUnreachableUpstreamDegradesTheReportButNeverTheProbes() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    try (GatewayHarness h = GatewayHarness.inProcess().withUpstream(URI.create("http://127.0.0.1:" + closedPort + "/api/v1"),
        TestKeys.GATEWAY, "GATEWAY_HEALTH_PROBE_INTERVAL_MS", "30000")) {
      CheckResponse r = awaitReport(h.channel, CheckResponse::hasUpstream);
      assertThat(r.getStatus()).isEqualTo(OverallStatus.OVERALL_STATUS_DEGRADED);
      assertThat(r.getUpstream().getReachable()).isFalse();
      assertThat(r.getUpstream().getLastError()).startsWith("GET /key failed");
      assertThat(r.getProblemsList()).anyMatch(p -> p.contains("upstream probe failed"));
      assertThat(r.getKeyState()).isEqualTo(KeyState.KEY_STATE_UNSPECIFIED);
      assertThat(standard(h.channel, "")).isEqualTo(ServingStatus.SERVING);
      assertThat(standard(h.channel, ChatServiceGrpc.SERVICE_NAME)).isEqualTo(ServingStatus.SERVING);
    }
  }

  /**
   * The probe's error quotes what broke, and OkHttp's own messages quote the upstream's bytes (a
   * malformed status line): a key echoed there reaches neither the report nor the log.
   */
  @Test
  void aKeyInWhatBrokeTheProbeStaysOutOfTheReport() throws Exception {
    String bare = TestKeys.GATEWAY.substring("sk-or-v1-".length());
    try (MockWebServer upstream = new MockWebServer();
        CapturedLogs logs = new CapturedLogs(UpstreamHealth.class.getName(), Level.INFO)) {
      for (int i = 0; i < 20; i++) {
        upstream.enqueue(new MockResponse.Builder().status("HTTP/1.1 2OO " + bare.toUpperCase(java.util.Locale.ROOT)).build());
      }
      upstream.start();
      try (GatewayHarness h = GatewayHarness.inProcess().withUpstream(upstream.url("/api/v1").uri(), TestKeys.GATEWAY,
          "GATEWAY_HEALTH_PROBE_INTERVAL_MS", "30000")) {
        CheckResponse r = awaitReport(h.channel, CheckResponse::hasUpstream);
        assertThat(r.getUpstream().getReachable()).isFalse();
        assertThat(r.getUpstream().getLastError()).contains("GET /key failed").contains("<redacted>");
        assertThat(r.toString().toLowerCase(java.util.Locale.ROOT)).doesNotContain(bare.substring(0, 16));
        assertThat(String.join("\n", logs.lines()).toLowerCase(java.util.Locale.ROOT)).doesNotContain(bare.substring(0, 16));
      }
    }
  }

  @Test
  void aProbeThatGetsNoAnswerIsCutAtItsTimeout() throws Exception {
    try (MockWebServer upstream = new MockWebServer()) {
      // Answers far later than the probe's timeout, so a report can only come from the timeout.
      for (int i = 0; i < 20; i++) {
        upstream.enqueue(new MockResponse.Builder().headersDelay(10, TimeUnit.SECONDS).body("{}").build());
      }
      upstream.start();
      try (GatewayHarness h = GatewayHarness.inProcess().withUpstream(upstream.url("/api/v1").uri(), TestKeys.GATEWAY,
          "GATEWAY_HEALTH_PROBE_TIMEOUT_MS", "200", "GATEWAY_HEALTH_PROBE_INTERVAL_MS", "30000")) {
        CheckResponse r = awaitReport(h.channel, CheckResponse::hasUpstream);
        assertThat(r.getUpstream().getReachable()).isFalse();
        assertThat(r.getUpstream().getLastError()).contains("no answer within 200 ms");
      }
    }
  }

  @Test
  void theModelsAndCreditsCachesFeedTheReportAndTheCacheAgeMetric() throws Exception {
    try (GatewayHarness h = GatewayHarness.inProcess().withSimulator("GATEWAY_METRICS_PORT", "0", "OPENROUTER_LOW_BALANCE_USD", "1000000")) {
      CheckResponse before = detailed(h.channel);
      assertThat(before.getModels().getLoaded()).isFalse();
      assertThat(before.getCredits().getKnown()).isFalse();

      int listed = openrouter.gateway.v1.ModelsServiceGrpc.newBlockingStub(h.channel)
          .listModels(openrouter.gateway.v1.ListModelsRequest.newBuilder().setPageSize(1).build()).getTotalSize();
      String remaining = openrouter.gateway.v1.CreditsServiceGrpc.newBlockingStub(h.channel)
          .getCredits(openrouter.gateway.v1.GetCreditsRequest.getDefaultInstance()).getRemaining();

      CheckResponse r = detailed(h.channel);
      assertThat(r.getModels().getLoaded()).isTrue();
      assertThat(r.getModels().getCount()).isEqualTo(listed);
      assertThat(r.getModels().hasCacheAge()).isTrue();
      assertThat(r.getCredits().getKnown()).isTrue();
      assertThat(r.getCredits().getRemaining()).isEqualTo(remaining);
      assertThat(r.getCredits().getLowBalanceThreshold()).isEqualTo("1000000");
      assertThat(r.getCredits().getAboveThreshold()).isFalse();
      assertThat(r.getStatus()).isEqualTo(OverallStatus.OVERALL_STATUS_DEGRADED);
      assertThat(r.getProblemsList()).anyMatch(p -> p.contains("below the low-balance threshold"));

      // Micrometer holds gauge objects weakly: a collected supplier would read NaN from here on.
      System.gc();
      String scrape = h.gateway.metrics().scrape();
      assertThat(Prometheus.value(scrape, "gateway_cache_age_seconds", "cache", "models")).isGreaterThanOrEqualTo(0.0);
      assertThat(Prometheus.value(scrape, "gateway_cache_age_seconds", "cache", "credits")).isGreaterThanOrEqualTo(0.0);
    }
  }

  @Test
  void shutdownReportsNotServingBeforeAnythingElse() throws Exception {
    try (GatewayHarness h = GatewayHarness.inProcess().withSimulator()) {
      BlockingQueue<ServingStatus> watched = watch(h.channel, "");
      assertThat(watched.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(ServingStatus.SERVING);
      // A grace far beyond the wait below: a Watch that held the shutdown for the grace would fail it.
      Thread stopper = new Thread(() -> h.gateway.shutdown(Duration.ofMinutes(10)));
      stopper.start();
      assertThat(watched.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(ServingStatus.NOT_SERVING);
      stopper.join(DEADLINE.toMillis());
      assertThat(stopper.isAlive()).as("a health Watch does not hold the shutdown for the grace").isFalse();
    }
  }

  /** Watches a service; every status it reports lands in the queue. */
  private static BlockingQueue<ServingStatus> watch(ManagedChannel channel, String service) {
    BlockingQueue<ServingStatus> statuses = new LinkedBlockingQueue<>();
    HealthGrpc.newStub(channel).watch(HealthCheckRequest.newBuilder().setService(service).build(),
        new StreamObserver<>() {
          @Override
          public void onNext(HealthCheckResponse value) {
            statuses.add(value.getStatus());
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        });
    return statuses;
  }
}
