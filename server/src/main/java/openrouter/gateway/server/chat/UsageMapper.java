package openrouter.gateway.server.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import openrouter.gateway.v1.CompletionTokensDetails;
import openrouter.gateway.v1.CostDetails;
import openrouter.gateway.v1.PromptTokensDetails;
import openrouter.gateway.v1.ServerToolUseDetails;
import openrouter.gateway.v1.Usage;

/**
 * Maps OpenRouter's {@code usage} object to {@link Usage}. Streamed and unary completions both
 * use it, so the same answer reports the same usage either way.
 *
 * <p>Money ({@code cost}, {@code cost_details.*}) becomes a decimal string taken from the JSON
 * number's decimal value ({@code 0.00014} stays {@code "0.00014"}); parse bodies with {@link
 * openrouter.gateway.server.json.Json#mapper()} so the number text is kept exactly. Null or
 * missing money is the empty string. Token counts that are missing, null or not numbers are 0.
 */
public final class UsageMapper {
  private UsageMapper() {}

  /** The usage; an empty {@link Usage} when {@code usage} is null, missing or not an object. */
  public static Usage fromJson(JsonNode usage) {
    Usage.Builder out = Usage.newBuilder();
    if (usage == null || !usage.isObject()) {
      return out.build();
    }
    out.setPromptTokens(count(usage.get("prompt_tokens")))
        .setCompletionTokens(count(usage.get("completion_tokens")))
        .setTotalTokens(count(usage.get("total_tokens")))
        .setCost(decimal(usage.get("cost")))
        .setIsByok(usage.path("is_byok").asBoolean(false));

    JsonNode prompt = usage.get("prompt_tokens_details");
    if (prompt != null && prompt.isObject()) {
      out.setPromptTokensDetails(
          PromptTokensDetails.newBuilder()
              .setCachedTokens(count(prompt.get("cached_tokens")))
              .setCacheWriteTokens(count(prompt.get("cache_write_tokens")))
              .setAudioTokens(count(prompt.get("audio_tokens")))
              .setVideoTokens(count(prompt.get("video_tokens"))));
    }
    JsonNode completion = usage.get("completion_tokens_details");
    if (completion != null && completion.isObject()) {
      out.setCompletionTokensDetails(
          CompletionTokensDetails.newBuilder()
              .setReasoningTokens(count(completion.get("reasoning_tokens")))
              .setAudioTokens(count(completion.get("audio_tokens")))
              .setImageTokens(count(completion.get("image_tokens")))
              .setAcceptedPredictionTokens(count(completion.get("accepted_prediction_tokens")))
              .setRejectedPredictionTokens(count(completion.get("rejected_prediction_tokens"))));
    }
    JsonNode cost = usage.get("cost_details");
    if (cost != null && cost.isObject()) {
      out.setCostDetails(
          CostDetails.newBuilder()
              .setUpstreamInferenceCost(decimal(cost.get("upstream_inference_cost")))
              .setUpstreamInferencePromptCost(decimal(cost.get("upstream_inference_prompt_cost")))
              .setUpstreamInferenceCompletionsCost(
                  decimal(cost.get("upstream_inference_completions_cost"))));
    }
    JsonNode tools = usage.get("server_tool_use_details");
    if (tools != null && tools.isObject()) {
      out.setServerToolUseDetails(
          ServerToolUseDetails.newBuilder()
              .setWebSearchRequests(count(tools.get("web_search_requests")))
              .setToolCallsRequested(count(tools.get("tool_calls_requested")))
              .setToolCallsExecuted(count(tools.get("tool_calls_executed"))));
    }
    return out.build();
  }

  /**
   * A JSON number (or numeric string) as a plain decimal string, exactly as its decimal value;
   * empty for null, missing or non-numeric values.
   */
  public static String decimal(JsonNode node) {
    if (node == null) {
      return "";
    }
    if (node.isNumber()) {
      return node.decimalValue().toPlainString();
    }
    if (node.isTextual()) {
      String text = node.textValue().trim();
      try {
        new BigDecimal(text);
        return text;
      } catch (NumberFormatException e) {
        return "";
      }
    }
    return "";
  }

  /** A token count: an integral number, saturated to int; 0 for anything else. */
  static int count(JsonNode node) {
    if (node == null || !node.isNumber()) {
      return 0;
    }
    long value = node.isIntegralNumber() ? node.asLong() : node.decimalValue().longValue();
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, value));
  }
}
