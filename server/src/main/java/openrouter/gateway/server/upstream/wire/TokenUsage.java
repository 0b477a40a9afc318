package openrouter.gateway.server.upstream.wire;

import java.util.Optional;

/**
 * OpenRouter's {@code usage} object. Token counts that are missing, null or not numbers are 0
 * (integral values of a float are taken, and counts saturate at the int range); money ({@code
 * cost}, {@code cost_details.*}) is a plain decimal string exactly as its JSON decimal value
 * ({@code 0.00014} stays {@code "0.00014"}), or "" when null, missing or not numeric.
 */
public record TokenUsage(
    int promptTokens,
    int completionTokens,
    int totalTokens,
    String cost,
    boolean isByok,
    Optional<PromptDetails> promptDetails,
    Optional<CompletionDetails> completionDetails,
    Optional<CostDetails> costDetails,
    Optional<ServerToolUse> serverToolUse) {

  /** What a {@code usage} that is not an object stands for. */
  public static final TokenUsage EMPTY = new TokenUsage(0, 0, 0, "", false,
      Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

  /** {@code prompt_tokens_details}. */
  public record PromptDetails(int cachedTokens, int cacheWriteTokens, int audioTokens, int videoTokens) {}

  /** {@code completion_tokens_details}. */
  public record CompletionDetails(int reasoningTokens, int audioTokens, int imageTokens,
      int acceptedPredictionTokens, int rejectedPredictionTokens) {}

  /** {@code cost_details}. */
  public record CostDetails(String upstreamInferenceCost, String upstreamInferencePromptCost,
      String upstreamInferenceCompletionsCost) {}

  /** {@code server_tool_use_details}. */
  public record ServerToolUse(int webSearchRequests, int toolCallsRequested, int toolCallsExecuted) {}
}
