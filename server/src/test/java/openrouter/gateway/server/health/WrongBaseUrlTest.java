package openrouter.gateway.server.health;

import static openrouter.gateway.server.testing.Requests.chat;
import static openrouter.gateway.server.testing.Requests.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import com.google.rpc.ErrorInfo;
import io.grpc.ManagedChannel;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import openrouter.gateway.simulator.OpenRouterSimulator;
import openrouter.gateway.simulator.SimulatorKeys;
import openrouter.gateway.simulator.testing.CapturedLogs;
import openrouter.gateway.simulator.testing.Eventually;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.v1.CheckRequest;
import openrouter.gateway.v1.CheckResponse;
import openrouter.gateway.v1.HealthServiceGrpc;
import openrouter.gateway.v1.ListModelsRequest;
import openrouter.gateway.v1.ModelsServiceGrpc;
import openrouter.gateway.v1.OverallStatus;
import openrouter.gateway.v1.UpstreamProbeResult;
import org.junit.jupiter.api.Test;

/**
 * A base URL that does not point at OpenRouter's API (the classic: {@code https://openrouter.ai}
 * without {@code /api/v1}) is named as such: in the start-up log, in the detailed health, and in
 * every call's status, never as "model not found".
 */
class WrongBaseUrlTest {
  private static final String HTML_404 = "<!DOCTYPE html><html><body><h1>404</h1>"
      + "<h2>This page could not be found.</h2></body></html>";

  private static CheckResponse awaitReport(ManagedChannel channel, Predicate<CheckResponse> condition)
      throws InterruptedException {
    // Awaited, not 250 polls of 20 ms: on a busy machine 5 s was not always enough.
    return Eventually.await("the health report", () -> HealthServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS).check(CheckRequest.getDefaultInstance()), condition);
  }

  private static MockWebServer serving(MockResponse response) throws Exception {
    MockWebServer upstream = new MockWebServer();
    upstream.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return response;
      }
    });
    upstream.start(java.net.InetAddress.getLoopbackAddress(), 0);
    return upstream;
  }

  private static void assertWrongBaseUrl(StatusRuntimeException e) {
    assertThat(e.getStatus().getCode()).isEqualTo(Code.FAILED_PRECONDITION);
    ErrorInfo info = errorInfo(e);
    assertThat(info.getReason()).isEqualTo("UPSTREAM_BASE_URL_WRONG");
    assertThat(e.getStatus().getDescription())
        .contains("base URL looks wrong", "OPENROUTER_BASE_URL should end in /api/v1")
        .doesNotContainIgnoringCase("model id");
  }

  @Test
  void htmlPagesInsteadOfTheApiAreReportedAtStartUpInHealthAndInEveryCall() throws Exception {
    MockResponse page = new MockResponse.Builder().code(404)
        .addHeader("Content-Type", "text/html; charset=utf-8").body(HTML_404).build();
    try (MockWebServer upstream = serving(page);
        CapturedLogs logs = new CapturedLogs(UpstreamHealth.class.getName(), Level.INFO);
        // The mistake: the host's root, as OPENROUTER_BASE_URL=https://openrouter.ai would be.
        GatewayHarness h = GatewayHarness.inProcess().withUpstream(
            URI.create(upstream.url("/").toString().replaceAll("/$", "")), SimulatorKeys.DEFAULT,
            "GATEWAY_HEALTH_PROBE_INTERVAL_MS", "60000")) {
      String logged = logs.await("OPENROUTER_BASE_URL looks wrong", 1).get(0);
      assertThat(logged).contains("GET " + upstream.url("/key"), "HTTP 404 with text/html",
          "OPENROUTER_BASE_URL should end in /api/v1");

      CheckResponse r = awaitReport(h.channel, CheckResponse::hasUpstream);
      assertThat(r.getUpstream().getResult()).isEqualTo(UpstreamProbeResult.UPSTREAM_PROBE_RESULT_NOT_OPENROUTER);
      assertThat(r.getStatus()).isEqualTo(OverallStatus.OVERALL_STATUS_NOT_SERVING);
      assertThat(r.getProblemsList()).anyMatch(p -> p.contains("base URL looks wrong") && p.contains("/api/v1"));

      int before = upstream.getRequestCount();
      assertWrongBaseUrl(catchThrowableOfType(StatusRuntimeException.class,
          () -> h.chat().chat(chat("openai/gpt-4o", "hi"))));
      assertThat(upstream.getRequestCount() - before).as("no retry of a wrong base URL").isEqualTo(1);
      assertWrongBaseUrl(catchThrowableOfType(StatusRuntimeException.class,
          () -> h.chat().streamChat(chat("openai/gpt-4o", "hi")).forEachRemaining(m -> { })));
    }
  }

  @Test
  void aRedirectIsNeitherFollowedNorTakenForTheApi() throws Exception {
    MockResponse redirect = new MockResponse.Builder().code(301)
        .addHeader("Location", "https://openrouter.example/login").build();
    try (MockWebServer upstream = serving(redirect);
        GatewayHarness h = GatewayHarness.inProcess().withUpstream(upstream.url("/api/v1").uri(), SimulatorKeys.DEFAULT,
            "GATEWAY_HEALTH_PROBE_INTERVAL_MS", "60000")) {
      CheckResponse r = awaitReport(h.channel, CheckResponse::hasUpstream);
      assertThat(r.getUpstream().getResult()).isEqualTo(UpstreamProbeResult.UPSTREAM_PROBE_RESULT_NOT_OPENROUTER);
      assertThat(r.getUpstream().getLastError()).contains("HTTP 301", "https://openrouter.example/login");

      int before = upstream.getRequestCount();
      assertWrongBaseUrl(catchThrowableOfType(StatusRuntimeException.class,
          () -> h.chat().chat(chat("openai/gpt-4o", "hi"))));
      assertThat(upstream.getRequestCount() - before).as("the redirect is not followed").isEqualTo(1);
    }
  }

  @Test
  void theSimulatorAtABaseUrlWithoutApiV1ShowsTheMistake() throws Exception {
    try (OpenRouterSimulator sim = OpenRouterSimulator.start(0)) {
      URI withoutApi = URI.create(sim.baseUrl().substring(0, sim.baseUrl().length() - "/api/v1".length()));
      try (GatewayHarness h = GatewayHarness.inProcess().withUpstream(withoutApi, SimulatorKeys.DEFAULT,
          "GATEWAY_HEALTH_PROBE_INTERVAL_MS", "60000")) {
        CheckResponse r = awaitReport(h.channel, CheckResponse::hasUpstream);
        assertThat(r.getUpstream().getResult()).isEqualTo(UpstreamProbeResult.UPSTREAM_PROBE_RESULT_NOT_OPENROUTER);
        assertWrongBaseUrl(catchThrowableOfType(StatusRuntimeException.class,
            () -> h.chat().chat(chat("sim/echo", "hi"))));
        assertWrongBaseUrl(catchThrowableOfType(StatusRuntimeException.class,
            () -> ModelsServiceGrpc.newBlockingStub(h.channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .listModels(ListModelsRequest.getDefaultInstance())));
        assertThat(sim.requestCount("/chat/completions")).isZero();
      }
    }
  }

  @Test
  void theRightBaseUrlProbesOk() throws Exception {
    try (GatewayHarness h = GatewayHarness.inProcess().withSimulator("GATEWAY_HEALTH_PROBE_INTERVAL_MS", "60000")) {
      CheckResponse r = awaitReport(h.channel, CheckResponse::hasUpstream);
      assertThat(r.getUpstream().getResult()).isEqualTo(UpstreamProbeResult.UPSTREAM_PROBE_RESULT_OK);
      assertThat(r.getStatus()).isEqualTo(OverallStatus.OVERALL_STATUS_SERVING);
    }
  }
}
