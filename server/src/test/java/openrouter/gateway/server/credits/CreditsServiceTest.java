package openrouter.gateway.server.credits;

import static openrouter.gateway.server.testing.Requests.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.util.Durations;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import openrouter.gateway.simulator.SimulatorKeys;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.ManualTime;
import openrouter.gateway.server.testing.TestKeys;
import openrouter.gateway.v1.CreditsServiceGrpc;
import openrouter.gateway.v1.CreditsSource;
import openrouter.gateway.v1.GetCreditsRequest;
import openrouter.gateway.v1.GetCreditsResponse;
import openrouter.gateway.v1.GetKeyRequest;
import openrouter.gateway.v1.GetKeyResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** GetCredits and GetKey through a real channel and gateway, against the simulator's account endpoints. */
class CreditsServiceTest {
  private GatewayHarness h;
  private ListAppender<ILoggingEvent> logs;

  @AfterEach
  void stop() throws Exception {
    if (logs != null) {
      ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    }
    if (h != null) {
      h.close();
    }
  }

  private CreditsServiceGrpc.CreditsServiceBlockingStub credits() {
    return CreditsServiceGrpc.newBlockingStub(h.channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private GetCreditsResponse getCredits(boolean force) {
    return credits().getCredits(GetCreditsRequest.newBuilder().setForceRefresh(force).build());
  }

  private void captureLogs() {
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(logs);
  }

  private List<String> lowBalanceLines(Level level) {
    return logs.list.stream()
        .filter(e -> e.getLoggerName().endsWith("LowBalanceAlarm") && e.getLevel() == level)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  @Test
  void anInferenceKeyGetsTheKeysFiguresFromSlashKeyAndIsToldWhy() throws Exception {
    h = GatewayHarness.inProcess().withSimulator();
    GetCreditsResponse r = getCredits(false);

    assertThat(r.getSource()).isEqualTo(CreditsSource.CREDITS_SOURCE_KEY_ENDPOINT);
    assertThat(r.getNote()).contains("HTTP 403").contains("management key").contains("GET /key");
    assertThat(r.getTotalCredits()).isEqualTo("100.5");
    assertThat(r.getTotalUsage()).isEqualTo("25.75");
    assertThat(r.getRemaining()).isEqualTo("74.75");
    assertThat(r.hasAsOf()).isTrue();
    assertThat(r.getCache().getFromCache()).isFalse();
    assertThat(r.getLowBalance()).isFalse();
    assertThat(r.getLowBalanceThreshold()).isEmpty();
    assertThat(h.simulator.requestCount("/credits")).isEqualTo(1);
    assertThat(h.simulator.requestCount("/key")).isEqualTo(1);

    GetCreditsResponse cached = getCredits(false);
    assertThat(cached.getCache().getFromCache()).isTrue();
    assertThat(cached.getAsOf()).isEqualTo(r.getAsOf());
    assertThat(cached.getNote()).isEqualTo(r.getNote());
    assertThat(h.simulator.requestCount("/key")).isEqualTo(1);
  }

  @Test
  void aKeyRefusedByCreditsGoesStraightToSlashKeyAfterwards() throws Exception {
    h = GatewayHarness.inProcess().withSimulator("OPENROUTER_CACHE_MIN_REFRESH_INTERVAL_MS", "0");
    getCredits(false);
    GetCreditsResponse forced = getCredits(true);
    assertThat(forced.getCache().getFromCache()).isFalse();
    assertThat(forced.getSource()).isEqualTo(CreditsSource.CREDITS_SOURCE_KEY_ENDPOINT);
    assertThat(forced.getNote()).contains("HTTP 403");
    assertThat(h.simulator.requestCount("/credits")).isEqualTo(1);
    assertThat(h.simulator.requestCount("/key")).isEqualTo(2);
  }

  @Test
  void aManagementKeyReadsTheAccountBalanceExactly() throws Exception {
    h = GatewayHarness.inProcess().withSimulatorKey(SimulatorKeys.MANAGEMENT);
    h.simulator.setCredits("0.3", "0.1");
    GetCreditsResponse r = getCredits(false);

    assertThat(r.getSource()).isEqualTo(CreditsSource.CREDITS_SOURCE_CREDITS_ENDPOINT);
    assertThat(r.getNote()).isEmpty();
    assertThat(r.getTotalCredits()).isEqualTo("0.3");
    assertThat(r.getTotalUsage()).isEqualTo("0.1");
    assertThat(r.getRemaining()).as("in doubles, 0.3 - 0.1 = 0.19999999999999998").isEqualTo("0.2");
    assertThat(h.simulator.requestCount("/key")).isZero();
  }

  @Test
  void flagsALowBalanceAndWarnsOncePerCrossing() throws Exception {
    captureLogs();
    h = GatewayHarness.inProcess().withSimulatorKey(SimulatorKeys.MANAGEMENT,
        "OPENROUTER_LOW_BALANCE_USD", "10",
        "OPENROUTER_CACHE_MIN_REFRESH_INTERVAL_MS", "0");
    h.simulator.setCredits("20", "15");
    GetCreditsResponse low = getCredits(false);
    assertThat(low.getRemaining()).isEqualTo("5");
    assertThat(low.getLowBalance()).isTrue();
    assertThat(low.getLowBalanceThreshold()).isEqualTo("10");
    assertThat(lowBalanceLines(Level.WARN)).hasSize(1);
    assertThat(lowBalanceLines(Level.WARN).get(0)).contains("5 USD left").contains("OPENROUTER_LOW_BALANCE_USD=10");

    h.simulator.setCredits("20", "16");
    assertThat(getCredits(true).getLowBalance()).isTrue();
    assertThat(getCredits(true).getRemaining()).isEqualTo("4");
    assertThat(lowBalanceLines(Level.WARN)).as("still low: no new warning").hasSize(1);

    h.simulator.setCredits("100", "16");
    GetCreditsResponse topped = getCredits(true);
    assertThat(topped.getLowBalance()).isFalse();
    assertThat(lowBalanceLines(Level.INFO)).hasSize(1);

    h.simulator.setCredits("100", "95.5");
    assertThat(getCredits(true).getLowBalance()).isTrue();
    assertThat(lowBalanceLines(Level.WARN)).as("re-armed after going back above").hasSize(2);

    assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage)
        .noneMatch(line -> line.contains(SimulatorKeys.MANAGEMENT));
  }

  @Test
  void aKeyWithoutLimitHasNoRemainingAndIsNeverLow() throws Exception {
    try (MockWebServer upstream = new MockWebServer()) {
      upstream.start(InetAddress.getLoopbackAddress(), 0);
      upstream.enqueue(new MockResponse.Builder().code(401)
          .body("{\"error\":{\"code\":401,\"message\":\"Management key required\"}}").build());
      upstream.enqueue(new MockResponse.Builder().code(200).body("{\"data\":{\"label\":\"sk-or-v1-abc...def\","
          + "\"limit\":null,\"limit_remaining\":null,\"limit_reset\":null,\"usage\":3.50}}").build());
      h = GatewayHarness.inProcess().withUpstream(URI.create(upstream.url("/api/v1").toString()), SimulatorKeys.DEFAULT,
          "OPENROUTER_LOW_BALANCE_USD", "1000");

      GetCreditsResponse r = getCredits(false);
      assertThat(r.getSource()).isEqualTo(CreditsSource.CREDITS_SOURCE_KEY_ENDPOINT);
      assertThat(r.getNote()).contains("HTTP 401");
      assertThat(r.getTotalCredits()).isEmpty();
      assertThat(r.getTotalUsage()).isEqualTo("3.50");
      assertThat(r.getRemaining()).isEmpty();
      assertThat(r.getLowBalance()).isFalse();
      assertThat(r.getLowBalanceThreshold()).isEqualTo("1000");
      assertThat(upstream.takeRequest().getUrl().encodedPath()).isEqualTo("/api/v1/credits");
      assertThat(upstream.takeRequest().getUrl().encodedPath()).isEqualTo("/api/v1/key");
    }
  }

  @Test
  void getKeyReturnsTheKeysLimitUsageAndFlags() throws Exception {
    h = GatewayHarness.inProcess().withSimulator();
    GetKeyResponse key = credits().getKey(GetKeyRequest.getDefaultInstance());
    // The simulator truncates the key like OpenRouter: its first three and last three characters.
    String secret = TestKeys.GATEWAY.substring("sk-or-v1-".length());
    assertThat(key.getLabel()).isEqualTo("sk-or-v1-" + secret.substring(0, 3) + "..." + secret.substring(secret.length() - 3));
    assertThat(key.getLimit()).isEqualTo("100.5");
    assertThat(key.getLimitRemaining()).isEqualTo("74.75");
    assertThat(key.getLimitReset()).isEqualTo("monthly");
    assertThat(key.getUsage()).isEqualTo("25.75");
    assertThat(key.getUsageDaily()).isEqualTo("25.75");
    assertThat(key.getUsageWeekly()).isEqualTo("25.75");
    assertThat(key.getUsageMonthly()).isEqualTo("25.75");
    assertThat(key.getByokUsage()).isEqualTo("0");
    assertThat(key.getByokUsageMonthly()).isEqualTo("0");
    assertThat(key.getIsFreeTier()).isFalse();
    assertThat(key.getIsManagementKey()).isFalse();
    assertThat(key.hasExpiresAt()).isFalse();
    assertThat(key.getCache().getFromCache()).isFalse();

    assertThat(credits().getKey(GetKeyRequest.getDefaultInstance()).getCache().getFromCache()).isTrue();
    assertThat(h.simulator.requestCount("/key")).isEqualTo(1);
  }

  @Test
  void getKeyOfAManagementKeySaysSo() throws Exception {
    h = GatewayHarness.inProcess().withSimulatorKey(SimulatorKeys.MANAGEMENT);
    assertThat(credits().getKey(GetKeyRequest.getDefaultInstance()).getIsManagementKey()).isTrue();
  }

  @Test
  void aFailingUpstreamServesTheLastFiguresMarkedStale() throws Exception {
    ManualTime time = new ManualTime(); // the caches' time: the ages below are exact
    h = GatewayHarness.inProcess().withSimulatorAndCacheTime(time, "OPENROUTER_CACHE_TTL_CREDITS", "200");
    GetCreditsResponse good = getCredits(false);
    GetKeyResponse goodKey = credits().getKey(GetKeyRequest.getDefaultInstance());
    h.simulator.failEndpoint("/key", 502);
    time.advance(Duration.ofMillis(250));

    GetCreditsResponse stale = getCredits(false);
    assertThat(stale.getCache().getStale()).isTrue();
    assertThat(Durations.toMillis(stale.getCache().getAge())).isGreaterThanOrEqualTo(250);
    assertThat(stale.getRemaining()).isEqualTo(good.getRemaining());
    assertThat(stale.getAsOf()).isEqualTo(good.getAsOf());
    GetKeyResponse staleKey = credits().getKey(GetKeyRequest.getDefaultInstance());
    assertThat(staleKey.getCache().getStale()).isTrue();
    assertThat(staleKey.getLabel()).isEqualTo(goodKey.getLabel());
  }

  @Test
  void aRejectedKeyIsTheOperatorsProblemNotTheCallers() throws Exception {
    h = GatewayHarness.inProcess().withSimulatorKey(SimulatorKeys.REJECTED);
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> getCredits(false));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(errorInfo(e).getReason()).isEqualTo("UPSTREAM_KEY_REJECTED");
    assertThat(e.getStatus().getDescription()).doesNotContain(SimulatorKeys.REJECTED);
    // /credits refused it (401), so /key was tried, and refused it too.
    assertThat(h.simulator.requestCount("/key")).isEqualTo(1);
  }
}
