package openrouter.gateway.tools.loadgen;

/** What each request does. */
enum Scenario {
  /** Unary Chat (direct: non-streaming POST /chat/completions). */
  UNARY,
  /** StreamChat (direct: streaming POST /chat/completions, SSE). */
  STREAM,
  /**
   * ListModels, served from the gateway's cache (direct: GET /models). Neither side parses the
   * answer: the gRPC response is drained as bytes, as the direct JSON is.
   */
  MODELS,
  /**
   * grpc.health.v1.Health/Check: the cheapest gRPC unary call the gateway answers, i.e. the floor
   * cost of one round trip through gRPC on this machine (gateway only; no direct equivalent).
   */
  HEALTH,
  /**
   * Embed of {@value EmbedLoad#INPUTS} texts with sim/embed at {@value EmbedLoad#DIMENSIONS}
   * dimensions, the response parsed (direct: POST /embeddings with encoding_format base64, the
   * body the gateway sends).
   */
  EMBED
}
