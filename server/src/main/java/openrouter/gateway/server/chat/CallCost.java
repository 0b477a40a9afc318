package openrouter.gateway.server.chat;

import java.math.BigDecimal;

/**
 * What one generation of a chat call cost, once known: from the usage the upstream sent, or
 * read from {@code GET /generation} after a call that ended without it.
 *
 * @param callerId the gateway caller ({@code anonymous} when authentication is off)
 * @param requestId the call's request id, as in its access line
 * @param generationId OpenRouter's generation id
 * @param model the model that served ("" when unknown)
 * @param promptTokens input tokens
 * @param completionTokens output tokens
 * @param costUsd the cost in USD as OpenRouter reported it
 * @param source where the figures came from
 */
public record CallCost(
    String callerId,
    String requestId,
    String generationId,
    String model,
    int promptTokens,
    int completionTokens,
    BigDecimal costUsd,
    Source source) {

  /** Where the figures of a {@link CallCost} came from. */
  public enum Source {
    /** The usage the upstream sent during the call. */
    USAGE,
    /** {@code GET /generation}, read in the background after the call ended without usage. */
    GENERATION
  }
}
