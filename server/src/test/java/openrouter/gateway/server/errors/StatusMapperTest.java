package openrouter.gateway.server.errors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import com.google.rpc.Status;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import openrouter.gateway.server.upstream.wire.OpenRouterError;
import openrouter.gateway.server.upstream.wire.OpenRouterErrors;
import org.junit.jupiter.api.Test;

/** The mapper's plain logic; the full table runs end to end in ErrorMappingTest. */
class StatusMapperTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC);
  private final StatusMapper mapper = new StatusMapper(CLOCK);

  private static OpenRouterError error(int status, String errorJson, Map<String, String> headers) throws Exception {
    JsonNode node = JSON.readTree(errorJson);
    return OpenRouterErrors.parse(status, node, headers);
  }

  private static ErrorInfo info(Status s) throws Exception {
    assertThat(s.getDetailsList().stream().filter(a -> a.is(ErrorInfo.class)).count()).isEqualTo(1);
    return s.getDetailsList().stream().filter(a -> a.is(ErrorInfo.class)).findFirst().orElseThrow().unpack(ErrorInfo.class);
  }

  @Test
  void providerReturnedErrorSurfacesTheRawDetailWithTheProviderName() throws Exception {
    OpenRouterError e = error(502, """
        {"code":502,"message":"Provider returned error","metadata":{"provider_name":"Mistral",
         "raw":"{\\"error\\":{\\"message\\":\\"upstream model overloaded\\"}}"}}""", Map.of());
    assertThat(StatusMapper.usefulMessage(e)).isEqualTo("[Mistral] upstream model overloaded");
  }

  @Test
  void rawAsObjectOrPlainString() throws Exception {
    assertThat(StatusMapper.usefulMessage(error(400, """
        {"code":400,"message":"Provider returned error","metadata":{"provider_name":"X","raw":{"detail":"bad tool schema"}}}""", Map.of())))
        .isEqualTo("[X] bad tool schema");
    assertThat(StatusMapper.usefulMessage(error(200, """
        {"code":524,"message":"Provider returned error","metadata":{"raw":"error code: 524","provider_name":"Google AI Studio"}}""", Map.of())))
        .isEqualTo("[Google AI Studio] error code: 524");
  }

  @Test
  void aFailureAfterTheUsageArrivedCarriesTheGenerationTokensAndCost() throws Exception {
    GatewayFailure f = GatewayFailure.of(GatewayFailure.Kind.CALLER_DEADLINE, "deadline passed")
        .withServed("sim/echo", "Simulator", "gen-123")
        .withUsage(openrouter.gateway.v1.Usage.newBuilder()
            .setPromptTokens(12).setCompletionTokens(34).setCost("0.000123").build());
    ErrorInfo i = info(mapper.toStatus(f));
    assertThat(i.getMetadataMap()).containsEntry("generationId", "gen-123")
        .containsEntry("promptTokens", "12").containsEntry("completionTokens", "34")
        .containsEntry("costUsd", "0.000123");
    ErrorInfo without = info(mapper.toStatus(GatewayFailure.of(GatewayFailure.Kind.STREAM_TRUNCATED, "cut")
        .withServed("m", "p", "gen-9")));
    assertThat(without.getMetadataMap()).containsEntry("generationId", "gen-9")
        .doesNotContainKeys("promptTokens", "completionTokens", "costUsd");
  }

  @Test
  void keysInUpstreamMessagesAreRedacted() throws Exception {
    String key = "sk-or-v1-" + "ab12".repeat(16);
    Status s = mapper.toStatus(GatewayFailure.upstream(error(401, "{\"code\":401,\"message\":\"bad key " + key + "\"}", Map.of())));
    assertThat(s.toString()).doesNotContain(key);
  }

  /**
   * An ErrorInfo reason made of OpenRouter's words is {@code [A-Z][A-Z0-9_]{0,62}} with no
   * secret, whatever the words are; otherwise the status's fixed reason stands.
   */
  @Test
  void reasonsFromUpstreamWordsAreWellFormedOrFixed() throws Exception {
    java.util.regex.Pattern shape = java.util.regex.Pattern.compile("[A-Z][A-Z0-9_]{0,62}");
    Map<String, String> expected = new java.util.LinkedHashMap<>();
    expected.put("provider_overloaded", "PROVIDER_OVERLOADED");
    expected.put("  rate-limit exceeded! ", "RATE_LIMIT_EXCEEDED");
    expected.put("9lives", "PROVIDER_OVERLOADED");                       // must start with a letter
    expected.put("x".repeat(64), "PROVIDER_OVERLOADED");                 // too long for a reason
    expected.put("\u00fcberlastet \u2603", "BERLASTET");               // only ASCII letters and digits survive
    expected.put("\u2603\u2603", "PROVIDER_OVERLOADED");               // nothing left
    expected.put("sk-or-v1-" + "ab12".repeat(16), "PROVIDER_OVERLOADED"); // a key
    expected.put("ab12".repeat(16), "PROVIDER_OVERLOADED");              // a bare key, even unknown
    expected.put("SK_OR_LOOKALIKE", "PROVIDER_OVERLOADED");
    for (Map.Entry<String, String> e : expected.entrySet()) {
      Status s = mapper.toStatus(GatewayFailure.upstream(error(503,
          "{\"code\":503,\"message\":\"overloaded\",\"metadata\":{\"error_type\":\"" + e.getKey() + "\"}}", Map.of())));
      String reason = info(s).getReason();
      assertThat(reason).as(e.getKey()).matches(shape).isEqualTo(e.getValue());
    }
  }

  @Test
  void stringCodesAndAvailabilityErrorsWithoutCode() throws Exception {
    Status midStream = mapper.toStatus(GatewayFailure.upstream(error(200, "{\"code\":\"server_error\",\"message\":\"boom\"}", Map.of())));
    assertThat(midStream.getCode()).isEqualTo(Code.INTERNAL_VALUE);
    assertThat(info(midStream).getMetadataMap()).containsEntry("openrouterCode", "server_error");

    Status availability = mapper.toStatus(GatewayFailure.upstream(error(429, """
        {"message":"All providers are at capacity. Retry after 40 seconds.","error_type":"rate_limit_exceeded","http_status":429,
         "availability":{"code":"capacity_exhausted","retryable":true,"retry_after":40}}""", Map.of())));
    assertThat(availability.getCode()).isEqualTo(Code.RESOURCE_EXHAUSTED_VALUE);
    assertThat(info(availability).getReason()).isEqualTo("CAPACITY_EXHAUSTED");
    RetryInfo retry = availability.getDetailsList().stream().filter(a -> a.is(RetryInfo.class)).findFirst().orElseThrow().unpack(RetryInfo.class);
    assertThat(retry.getRetryDelay().getSeconds()).isEqualTo(40);
  }

  @Test
  void retryDelaysFromEachSource() throws Exception {
    assertThat(RetryDelays.of(error(429, "{}", Map.of("retry-after", "2")), CLOCK)).hasValueSatisfying(d -> assertThat(d.toMillis()).isEqualTo(2000));
    assertThat(RetryDelays.of(error(429, "{}", Map.of("retry-after", "Sat, 21 Nov 2026 12:00:07 GMT")), CLOCK))
        .hasValueSatisfying(d -> assertThat(d.toSeconds()).isEqualTo(7));
    long resetMillis = Instant.parse("2026-11-21T12:00:03Z").toEpochMilli();
    assertThat(RetryDelays.of(error(429, "{}", Map.of("x-ratelimit-reset", Long.toString(resetMillis))), CLOCK))
        .hasValueSatisfying(d -> assertThat(d.toMillis()).isEqualTo(3000));
    assertThat(RetryDelays.of(error(429, "{\"metadata\":{\"headers\":{\"X-RateLimit-Reset\":\"" + (resetMillis / 1000) + "\"}}}", Map.of()), CLOCK))
        .hasValueSatisfying(d -> assertThat(d.toMillis()).isEqualTo(3000));
    assertThat(RetryDelays.of(error(429, "{}", Map.of("retry-after", "soon")), CLOCK)).isEmpty();
  }

  @Test
  void strayExceptionsBecomeInternalWithErrorInfoNeverUnknown() throws Exception {
    Status s = mapper.toStatus(new IllegalStateException("bug"));
    assertThat(s.getCode()).isEqualTo(Code.INTERNAL_VALUE);
    assertThat(info(s).getDomain()).isEqualTo(StatusMapper.GATEWAY_DOMAIN);
    assertThat(info(s).getReason()).isEqualTo("INTERNAL_ERROR");
  }
}
