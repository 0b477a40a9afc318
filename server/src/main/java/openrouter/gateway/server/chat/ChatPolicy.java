package openrouter.gateway.server.chat;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import openrouter.gateway.v1.ChatRequest;

/**
 * Limits and defaults the gateway applies to chat requests.
 *
 * @param defaultModel model used when a request names none ({@code OPENROUTER_DEFAULT_MODEL});
 *     null (or blank) for none
 * @param defaultMaxTokens {@code max_tokens} sent when a request sets neither {@code max_tokens}
 *     nor {@code max_completion_tokens}; 0 sends none
 * @param maxModelChain most models a request may name in {@code model} plus {@code models}
 * @param maxStopSequences most {@code stop} entries a request may carry
 */
public record ChatPolicy(
    String defaultModel, int defaultMaxTokens, int maxModelChain, int maxStopSequences) {

  /**
   * Most models one request may name ({@code model} plus {@code models}). The chain is tried in
   * slices of {@link ChatRunner#MODELS_PER_ATTEMPT}, so this bounds one call to three upstream
   * attempts (before retries): a longer chain would mostly add waiting, not availability.
   */
  public static final int MAX_MODEL_CHAIN = 10;
  /** Most {@code stop} sequences: OpenRouter takes at most 4, so more would fail upstream. */
  public static final int MAX_STOP_SEQUENCES = 4;

  /** The gateway's defaults: no default model, 4096 max tokens, 10 models, 4 stop sequences. */
  public static final ChatPolicy DEFAULT = new ChatPolicy(null, 4096, MAX_MODEL_CHAIN, MAX_STOP_SEQUENCES);

  public ChatPolicy {
    if (defaultModel != null && defaultModel.isBlank()) {
      defaultModel = null;
    }
    if (defaultMaxTokens < 0) {
      throw new IllegalArgumentException("defaultMaxTokens must be >= 0, got " + defaultMaxTokens);
    }
    if (maxModelChain < 1) {
      throw new IllegalArgumentException("maxModelChain must be >= 1, got " + maxModelChain);
    }
    if (maxStopSequences < 0) {
      throw new IllegalArgumentException("maxStopSequences must be >= 0, got " + maxStopSequences);
    }
  }

  /** This policy with another default model. */
  public ChatPolicy withDefaultModel(String model) {
    return new ChatPolicy(model, defaultMaxTokens, maxModelChain, maxStopSequences);
  }

  /**
   * The model the first upstream attempt should use: {@code request.model}, else the default
   * model, else the first of {@code request.models}.
   *
   * @throws IllegalArgumentException when the request names no model and there is no default
   *     (the validator rejects such requests)
   */
  public String primaryModel(ChatRequest request) {
    if (!request.getModel().isEmpty()) {
      return request.getModel();
    }
    if (defaultModel != null) {
      return defaultModel;
    }
    for (String m : request.getModelsList()) {
      if (!m.isEmpty()) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "the request names no model and no default model is configured");
  }

  /**
   * The full fallback chain in order: the resolved primary model, then {@code request.models}.
   * Empty entries and repeats (of the primary or of each other) are dropped, so every model is
   * tried once.
   */
  public List<String> modelChain(ChatRequest request) {
    Set<String> chain = new LinkedHashSet<>();
    chain.add(primaryModel(request));
    for (String m : request.getModelsList()) {
      if (!m.isEmpty()) {
        chain.add(m);
      }
    }
    return List.copyOf(chain);
  }
}
