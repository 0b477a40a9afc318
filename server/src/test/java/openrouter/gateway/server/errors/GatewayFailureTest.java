package openrouter.gateway.server.errors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.rpc.BadRequest.FieldViolation;
import com.google.rpc.ErrorInfo;
import com.google.rpc.Status;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import openrouter.gateway.server.upstream.wire.OpenRouterError;
import openrouter.gateway.server.upstream.wire.OpenRouterErrors;
import org.junit.jupiter.api.Test;

/**
 * A failure never changes once made: it may be shared (every caller waiting on one cache read
 * gets the same one), so each {@code with...} returns a new failure and leaves its source alone.
 */
class GatewayFailureTest {

  @Test
  void withMethodsLeaveTheOriginalUntouched() {
    IOException cause = new IOException("connection reset");
    GatewayFailure original = GatewayFailure.of(Kind.UPSTREAM_UNREACHABLE, "OpenRouter is unreachable", cause);

    GatewayFailure served = original.withServed("openai/gpt-4o", "OpenAI", "gen-1");
    GatewayFailure keyed = original.withCallerKey(true);
    GatewayFailure attempted = original.withAttempts(3, "HTTP 502");
    GatewayFailure named = original.withResource("model", "openai/gpt-4o");

    assertThat(List.of(served, keyed, attempted, named)).allSatisfy(copy -> assertThat(copy).isNotSameAs(original));
    assertThat(original.model()).isEmpty();
    assertThat(original.provider()).isEmpty();
    assertThat(original.generationId()).isEmpty();
    assertThat(original.callerKey()).isFalse();
    assertThat(original.attempts()).isZero();
    assertThat(original.lastAttemptCause()).isEmpty();
    assertThat(original.resource()).isEmpty();

    assertThat(served.model()).contains("openai/gpt-4o");
    assertThat(served.provider()).contains("OpenAI");
    assertThat(served.generationId()).contains("gen-1");
    assertThat(keyed.callerKey()).isTrue();
    assertThat(attempted.attempts()).isEqualTo(3);
    assertThat(attempted.lastAttemptCause()).contains("HTTP 502");
    assertThat(named.resource()).contains(new GatewayFailure.Resource("model", "openai/gpt-4o"));
  }

  @Test
  void aCopyKeepsKindMessageCauseAndEverythingRecordedBefore() throws Exception {
    OpenRouterError upstream = OpenRouterErrors.parse(429,
        new ObjectMapper().readTree("{\"code\":429,\"message\":\"slow down\"}"), Map.of("retry-after", "2"));
    GatewayFailure first = GatewayFailure.upstream(upstream).withServed("m", "P", "gen-1");

    GatewayFailure later = first.withCallerKey(true).withAttempts(2, "HTTP 429");

    assertThat(later.kind()).isEqualTo(Kind.UPSTREAM_ERROR);
    assertThat(later.getMessage()).isEqualTo(first.getMessage());
    assertThat(later.upstreamError()).containsSame(upstream);
    assertThat(later.model()).contains("m");
    assertThat(later.provider()).contains("P");
    assertThat(later.generationId()).contains("gen-1");
    assertThat(later.callerKey()).isTrue();
    assertThat(later.attempts()).isEqualTo(2);
    assertThat(first.callerKey()).isFalse();
    assertThat(first.attempts()).isZero();

    IOException cause = new IOException("reset");
    GatewayFailure withCause = GatewayFailure.of(Kind.UPSTREAM_UNREACHABLE, "down", cause).withAttempts(1, "x");
    assertThat(withCause.getCause()).isSameAs(cause);
    assertThat(withCause.getStackTrace()).isEmpty(); // an expected outcome: no stack, like the original
  }

  @Test
  void withServedKeepsKnownValuesWhenGivenEmptyOnes() {
    GatewayFailure known = GatewayFailure.of(Kind.STREAM_TRUNCATED, "cut").withServed("m", "P", "gen-1");
    GatewayFailure again = known.withServed("", null, "gen-2");
    assertThat(again.model()).contains("m");
    assertThat(again.provider()).contains("P");
    assertThat(again.generationId()).contains("gen-2");
    assertThat(known.generationId()).contains("gen-1");
  }

  @Test
  void copiesKeepReasonQuotaRetryViolationsAndMetadata() throws Exception {
    GatewayFailure budget = GatewayFailure.budgetExceeded("caller:a/budget", "over budget", Duration.ofSeconds(30),
        Map.of("window", "day"));
    GatewayFailure copy = budget.withCallerKey(true);
    assertThat(copy.reason()).contains("BUDGET_EXCEEDED");
    assertThat(copy.quotaSubject()).contains("caller:a/budget");
    assertThat(copy.retryAfter()).contains(Duration.ofSeconds(30));
    assertThat(copy.metadata()).containsExactly(Map.entry("window", "day"));

    GatewayFailure invalid = GatewayFailure.invalid(List.of(
        FieldViolation.newBuilder().setField("model").setDescription("model is required").build()));
    assertThat(invalid.withAttempts(1, "x").violations()).isEqualTo(invalid.violations());

    // The status of the copy is what the original with the same facts would map to.
    StatusMapper mapper = new StatusMapper(Clock.systemUTC());
    Status fromCopy = mapper.toStatus(copy);
    Status fromOriginal = mapper.toStatus(budget);
    assertThat(fromCopy.getCode()).isEqualTo(fromOriginal.getCode());
    assertThat(info(fromCopy)).isEqualTo(info(fromOriginal));
  }

  private static ErrorInfo info(Status s) throws Exception {
    return s.getDetailsList().stream().filter(a -> a.is(ErrorInfo.class)).findFirst().orElseThrow()
        .unpack(ErrorInfo.class);
  }
}
