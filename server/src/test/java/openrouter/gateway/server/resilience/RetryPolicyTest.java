package openrouter.gateway.server.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import openrouter.gateway.server.upstream.wire.OpenRouterErrors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RetryPolicyTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final RetryPolicy policy = new RetryPolicy(2, Duration.ofMillis(250), Duration.ofSeconds(5), 2);
  private final Clock clock = Clock.systemUTC();

  private static GatewayFailure http(int status, Map<String, String> headers) {
    return GatewayFailure.upstream(OpenRouterErrors.parse(status, JSON.createObjectNode().put("code", status).put("message", "x"), headers));
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 401, 402, 403, 404, 500, 408, 409})
  void neverRetriesTheseStatuses(int status) {
    assertThat(policy.delayBefore(1, http(status, Map.of()), Duration.ofMinutes(1), clock, () -> 0.5)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {502, 503, 529, 429})
  void retriesTheseStatusesWithJitteredBackoff(int status) {
    assertThat(policy.delayBefore(1, http(status, Map.of()), Duration.ofMinutes(1), clock, () -> 0.5))
        .contains(Duration.ofMillis(125));
    assertThat(policy.delayBefore(2, http(status, Map.of()), Duration.ofMinutes(1), clock, () -> 0.5))
        .contains(Duration.ofMillis(250));
    assertThat(policy.delayBefore(3, http(status, Map.of()), Duration.ofMinutes(1), clock, () -> 0.5))
        .as("only two retries").isEmpty();
  }

  @Test
  void backoffIsCappedAtTheMaximum() {
    assertThat(policy.backoff(30, () -> 0.999)).isLessThanOrEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void retryAfterIsHonouredAndMustFitTheDeadline() {
    GatewayFailure limited = http(429, Map.of("retry-after", "2"));
    assertThat(policy.delayBefore(1, limited, Duration.ofSeconds(10), clock, () -> 0)).contains(Duration.ofSeconds(2));
    assertThat(policy.delayBefore(1, limited, Duration.ofSeconds(1), clock, () -> 0)).as("wait exceeds deadline").isEmpty();
  }

  @Test
  void aRetryAfterLongerThanTheMaximumDelayIsNotWaitedFor() {
    GatewayFailure limited = http(429, Map.of("retry-after", "40"));
    assertThat(policy.delayBefore(1, limited, Duration.ofSeconds(600), clock, () -> 0))
        .as("40 s exceeds the 5 s maximum delay").isEmpty();
    assertThat(policy.delayBefore(1, http(503, Map.of("retry-after", "5")), Duration.ofSeconds(600), clock, () -> 0))
        .as("exactly the maximum is still waited").contains(Duration.ofSeconds(5));
  }

  @Test
  void connectionFailuresAndMalformedBodiesAreRetriedCallerSideOnesAreNot() {
    assertThat(policy.delayBefore(1, GatewayFailure.of(Kind.UPSTREAM_UNREACHABLE, "refused"), Duration.ofMinutes(1), clock, () -> 0)).isPresent();
    assertThat(policy.delayBefore(1, GatewayFailure.of(Kind.UPSTREAM_MALFORMED, "html"), Duration.ofMinutes(1), clock, () -> 0)).isPresent();
    assertThat(policy.delayBefore(1, GatewayFailure.of(Kind.CALLER_CANCELLED, "x"), Duration.ofMinutes(1), clock, () -> 0)).isEmpty();
    assertThat(policy.delayBefore(1, GatewayFailure.of(Kind.TTFT_TIMEOUT, "x"), Duration.ofMinutes(1), clock, () -> 0)).isEmpty();
  }
}
