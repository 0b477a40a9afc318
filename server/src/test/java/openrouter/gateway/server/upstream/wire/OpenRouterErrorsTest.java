package openrouter.gateway.server.upstream.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import openrouter.gateway.server.json.OpenRouterJson;
import org.junit.jupiter.api.Test;

/** OpenRouter's error shapes (openrouter-api.md §3.4, §6) read into {@link OpenRouterError}. */
class OpenRouterErrorsTest {

  private static OpenRouterError body(int status, String body) {
    return OpenRouterErrors.fromErrorBody(status, body, Map.of());
  }

  private static OpenRouterError error(int status, String errorJson) {
    return OpenRouterErrors.parse(status, OpenRouterJson.parse(errorJson), Map.of());
  }

  @Test
  void anHttpErrorBodyWithANumericCode() {
    OpenRouterError e = body(402, """
        {"error":{"code":402,"message":"Insufficient credits. Add more using https://openrouter.ai/credits",
         "metadata":{"error_type":"payment_required"}},"user_id":"user_2lJk85","openrouter_metadata":null}""");
    assertThat(e.httpStatus()).isEqualTo(402);
    assertThat(e.effectiveStatus()).isEqualTo(402);
    assertThat(e.codeText()).isEmpty();
    assertThat(e.errorType()).isEqualTo("payment_required");
    assertThat(e.message()).startsWith("Insufficient credits.");
    assertThat(e.raw()).isEmpty();
    assertThat(e.moderation()).isEmpty();
    assertThat(e.guardrailPatterns()).isEmpty();
  }

  @Test
  void aMidStreamErrorChunkWithAStringCodeTakesItsStatusFromTheWord() {
    OpenRouterError e = error(200, """
        {"code":"server_error","message":"boom"}""");
    assertThat(e.httpStatus()).isEqualTo(200);
    assertThat(e.codeText()).isEqualTo("server_error");
    assertThat(e.effectiveStatus()).isEqualTo(500);

    OpenRouterError limited = error(200, """
        {"code":429,"message":"Rate limit exceeded","metadata":{"error_type":"rate_limit_exceeded","provider_code":"x"}}""");
    assertThat(limited.effectiveStatus()).isEqualTo(429);
    assertThat(limited.errorType()).isEqualTo("rate_limit_exceeded");
  }

  @Test
  void aNumericStringCodeIsAStatus() {
    assertThat(error(200, "{\"code\":\"503\",\"message\":\"x\"}").effectiveStatus()).isEqualTo(503);
    assertThat(error(200, "{\"code\":\"503\",\"message\":\"x\"}").codeText()).isEqualTo("503");
  }

  @Test
  void withoutACodeTheErrorTypeOrTheResponseStatusDecides() {
    assertThat(error(200, "{\"message\":\"x\",\"metadata\":{\"error_type\":\"timeout\"}}").effectiveStatus()).isEqualTo(504);
    assertThat(error(200, "{\"message\":\"x\",\"error_type\":\"context_length_exceeded\"}").effectiveStatus()).isEqualTo(400);
    assertThat(error(503, "{\"message\":\"x\"}").effectiveStatus()).isEqualTo(503);
    assertThat(error(200, "{}").effectiveStatus()).isEqualTo(500);
    assertThat(error(200, "{\"code\":\"something_new\"}").effectiveStatus()).isEqualTo(500);
  }

  @Test
  void anAvailabilityErrorWithoutACode() {
    OpenRouterError e = body(429, """
        {"error":{
          "message":"All providers for anthropic/claude-sonnet-4.5 are at capacity. Retry after 40 seconds.",
          "error_type":"rate_limit_exceeded","http_status":429,
          "availability":{"code":"capacity_exhausted","retryable":true,"retry_after":40,
            "requested_models":["anthropic/claude-sonnet-4.5"],
            "affected_providers":["anthropic","amazon-bedrock"]},
          "metadata":{"previous_errors":[{"provider":"anthropic","code":"capacity_exhausted","status":429}]}}}""");
    assertThat(e.effectiveStatus()).isEqualTo(429);
    assertThat(e.errorType()).isEqualTo("rate_limit_exceeded");
    assertThat(e.availabilityCode()).isEqualTo("capacity_exhausted");
    assertThat(e.requestedModel()).isEqualTo("anthropic/claude-sonnet-4.5");
    assertThat(e.retry().availabilityRetryAfter()).contains(Duration.ofSeconds(40));
    // http_status wins over the response status when a 200 carried it
    assertThat(error(200, "{\"http_status\":404,\"availability\":{\"code\":\"no_endpoints\"}}").effectiveStatus())
        .isEqualTo(404);
  }

  @Test
  void rawAsAJsonStringAnObjectOrPlainTextOrNull() {
    assertThat(error(502, """
        {"code":502,"message":"Provider returned error","metadata":{"provider_name":"Mistral",
         "raw":"{\\"error\\":{\\"message\\":\\"upstream model overloaded\\"}}"}}""").raw())
        .contains(new OpenRouterError.RawDetail("upstream model overloaded"));
    assertThat(error(400, """
        {"code":400,"message":"Provider returned error","metadata":{"raw":{"detail":"bad tool schema"}}}""").raw())
        .contains(new OpenRouterError.RawDetail("bad tool schema"));
    assertThat(error(400, """
        {"code":400,"message":"Provider returned error","metadata":{"raw":[{"msg":"first"},{"msg":"second"}]}}""").raw())
        .contains(new OpenRouterError.RawDetail("first"));
    assertThat(error(200, """
        {"code":524,"message":"Provider returned error","metadata":{"raw":"error code: 524","provider_name":"Google AI Studio"}}""")
        .raw()).contains(new OpenRouterError.RawDetail("error code: 524"));
    assertThat(error(400, "{\"code\":400,\"metadata\":{\"raw\":null}}").raw()).contains(new OpenRouterError.RawDetail(""));
    assertThat(error(400, "{\"code\":400,\"metadata\":{\"raw\":\"{not json\"}}").raw())
        .contains(new OpenRouterError.RawDetail("{not json"));
  }

  @Test
  void aTwoHundredBodyHoldingAnError() {
    OpenRouterError e = error(200, """
        {"message":"Provider returned error","code":524,"metadata":{"raw":"error code: 524","provider_name":"Google AI Studio"}}""");
    assertThat(e.httpStatus()).isEqualTo(200);
    assertThat(e.effectiveStatus()).isEqualTo(524);
    assertThat(e.providerName()).isEqualTo("Google AI Studio");
  }

  @Test
  void moderationAndGuardrailMetadata() {
    OpenRouterError flagged = body(403, """
        {"error":{"code":403,"message":"flagged","metadata":{"reasons":["violence","self-harm"],
         "flagged_input":"how do I...","provider_name":"OpenAI","model_slug":"openai/gpt-4o"}}}""");
    assertThat(flagged.moderation()).contains(new OpenRouterError.Moderation(List.of("violence", "self-harm"), "how do I..."));
    assertThat(flagged.modelSlug()).isEqualTo("openai/gpt-4o");
    assertThat(flagged.guardrailPatterns()).isEmpty();

    OpenRouterError blocked = body(403, """
        {"error":{"code":403,"message":"Request blocked: prompt injection patterns detected",
         "metadata":{"patterns":["ignore previous instructions"]}}}""");
    assertThat(blocked.moderation()).isEmpty();
    assertThat(blocked.guardrailPatterns()).contains(List.of("ignore previous instructions"));

    // a flag without a reasons list still is a flag
    assertThat(error(403, "{\"metadata\":{\"flagged_input\":\"x\"}}").moderation())
        .contains(new OpenRouterError.Moderation(List.of(), "x"));
  }

  @Test
  void retryHintsFromHeadersOrFromTheBody() {
    OpenRouterError fromHeaders = OpenRouterErrors.fromErrorBody(429, "{\"error\":{\"code\":429}}",
        Map.of("retry-after", "2", "x-ratelimit-reset", "1790000000000"));
    assertThat(fromHeaders.retry().retryAfter()).contains("2");
    assertThat(fromHeaders.retry().rateLimitReset()).contains("1790000000000");

    OpenRouterError fromBody = body(429, """
        {"error":{"code":429,"message":"Rate limit exceeded: free-models-per-day",
         "metadata":{"headers":{"X-RateLimit-Limit":"50","X-RateLimit-Remaining":"0","X-RateLimit-Reset":"1790000000000"},
         "limit_source":"openrouter_free_tier_daily"}}}""");
    assertThat(fromBody.retry().rateLimitReset()).contains("1790000000000");
    assertThat(fromBody.retry().retryAfter()).isEmpty();
    assertThat(fromBody.limitSource()).isEqualTo("openrouter_free_tier_daily");

    OpenRouterError both = OpenRouterErrors.fromErrorBody(429,
        "{\"error\":{\"metadata\":{\"headers\":{\"Retry-After\":\"9\"}}}}", Map.of("retry-after", "1"));
    assertThat(both.retry().retryAfter()).contains("1"); // the response header wins

    assertThat(error(429, "{\"availability\":{\"retry_after\":-1}}").retry().availabilityRetryAfter()).isEmpty();
    assertThat(error(429, "{\"availability\":{\"retry_after\":\"40\"}}").retry().availabilityRetryAfter()).isEmpty();
  }

  @Test
  void aBodyWithoutAnErrorObjectIsWordedFromTheStatus() {
    OpenRouterError html = body(502, "<html><body>Bad gateway</body></html>");
    assertThat(html.effectiveStatus()).isEqualTo(502);
    assertThat(html.message()).isEqualTo("HTTP 502 with a non-JSON body");

    assertThat(body(500, "").message()).isEqualTo("HTTP 500");
    assertThat(body(500, "{\"error\":\"text, not an object\"}").message()).isEqualTo("{\"error\":\"text, not an object\"}");
    assertThat(body(503, "{\"detail\":\"" + "x".repeat(300) + "\"}").message()).hasSize(203).endsWith("...");
    assertThat(OpenRouterErrors.fromErrorBody(500, null, Map.of()).message()).isEqualTo("HTTP 500 with a non-JSON body");
  }

  @Test
  void aSyntheticErrorReadsLikeOneOpenRouterSent() {
    OpenRouterError e = OpenRouterErrors.synthetic(200, 502, "ended with finish_reason error");
    assertThat(e.httpStatus()).isEqualTo(200);
    assertThat(e.effectiveStatus()).isEqualTo(502);
    assertThat(e.message()).isEqualTo("ended with finish_reason error");
    assertThat(e.retry()).isEqualTo(OpenRouterError.RetryHints.NONE);
    assertThat(e.raw()).isEqualTo(Optional.empty());
  }
}
