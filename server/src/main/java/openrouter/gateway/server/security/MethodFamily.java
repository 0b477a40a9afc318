package openrouter.gateway.server.security;

/** RPCs that share a rate limit. Health and reflection belong to none: probes are never limited. */
public enum MethodFamily {
  /** StreamChat and Chat: they spend money. */
  CHAT,
  /** ListModels, GetModel, ListModelEndpoints, ListProviders and ListEmbeddingModels: catalogue reads. */
  MODELS,
  /** GetCredits, GetKey, GetSpend and GetGeneration: account reads. */
  CREDITS,
  /** Embed: it spends money, at a rate of its own (retrieval services send many small batches). */
  EMBEDDINGS;

  /** The family of a full method name such as {@code openrouter.gateway.v1.ChatService/Chat}, or null. */
  public static MethodFamily of(String fullMethodName) {
    return switch (fullMethodName) {
      case "openrouter.gateway.v1.ChatService/StreamChat", "openrouter.gateway.v1.ChatService/Chat" -> CHAT;
      case "openrouter.gateway.v1.ModelsService/ListModels", "openrouter.gateway.v1.ModelsService/GetModel",
          "openrouter.gateway.v1.ModelsService/ListModelEndpoints", "openrouter.gateway.v1.ModelsService/ListProviders",
          "openrouter.gateway.v1.EmbeddingsService/ListEmbeddingModels" -> MODELS;
      case "openrouter.gateway.v1.EmbeddingsService/Embed" -> EMBEDDINGS;
      case "openrouter.gateway.v1.CreditsService/GetCredits", "openrouter.gateway.v1.CreditsService/GetKey",
          "openrouter.gateway.v1.CreditsService/GetSpend",
          "openrouter.gateway.v1.ChatService/GetGeneration" -> CREDITS;
      default -> null;
    };
  }

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
