package openrouter.gateway.server.chat;

import openrouter.gateway.server.upstream.wire.TokenUsage;
import openrouter.gateway.v1.CompletionTokensDetails;
import openrouter.gateway.v1.CostDetails;
import openrouter.gateway.v1.PromptTokensDetails;
import openrouter.gateway.v1.ServerToolUseDetails;
import openrouter.gateway.v1.Usage;

/**
 * Maps OpenRouter's {@code usage} ({@link TokenUsage}, read in upstream/wire) to {@link Usage}.
 * Streamed and unary completions both use it, so the same answer reports the same usage either
 * way. Money stays the exact decimal text OpenRouter sent.
 */
public final class UsageMapper {
  private UsageMapper() {}

  public static Usage toUsage(TokenUsage usage) {
    Usage.Builder out = Usage.newBuilder()
        .setPromptTokens(usage.promptTokens())
        .setCompletionTokens(usage.completionTokens())
        .setTotalTokens(usage.totalTokens())
        .setCost(usage.cost())
        .setIsByok(usage.isByok());
    usage.promptDetails().ifPresent(p -> out.setPromptTokensDetails(
        PromptTokensDetails.newBuilder()
            .setCachedTokens(p.cachedTokens())
            .setCacheWriteTokens(p.cacheWriteTokens())
            .setAudioTokens(p.audioTokens())
            .setVideoTokens(p.videoTokens())));
    usage.completionDetails().ifPresent(c -> out.setCompletionTokensDetails(
        CompletionTokensDetails.newBuilder()
            .setReasoningTokens(c.reasoningTokens())
            .setAudioTokens(c.audioTokens())
            .setImageTokens(c.imageTokens())
            .setAcceptedPredictionTokens(c.acceptedPredictionTokens())
            .setRejectedPredictionTokens(c.rejectedPredictionTokens())));
    usage.costDetails().ifPresent(c -> out.setCostDetails(
        CostDetails.newBuilder()
            .setUpstreamInferenceCost(c.upstreamInferenceCost())
            .setUpstreamInferencePromptCost(c.upstreamInferencePromptCost())
            .setUpstreamInferenceCompletionsCost(c.upstreamInferenceCompletionsCost())));
    usage.serverToolUse().ifPresent(t -> out.setServerToolUseDetails(
        ServerToolUseDetails.newBuilder()
            .setWebSearchRequests(t.webSearchRequests())
            .setToolCallsRequested(t.toolCallsRequested())
            .setToolCallsExecuted(t.toolCallsExecuted())));
    return out.build();
  }
}
