package openrouter.gateway.server.upstream;

/**
 * How much of one upstream answer the gateway reads before it gives up on that answer: the
 * upstream is not trusted to end its lines, events or bodies. An answer over a bound fails its
 * own call ({@link UpstreamTooLarge}) and its connection is closed; nothing else is affected.
 *
 * @param maxSseLineBytes longest line of an event stream (comments included), bytes
 * @param maxSseEventBytes largest event of an event stream (its data lines together), bytes
 * @param maxBodyBytes largest non-streaming body (JSON answers, including padding), bytes
 */
public record UpstreamLimits(long maxSseLineBytes, long maxSseEventBytes, long maxBodyBytes) {
  public static final String SSE_LINE_SETTING = "OPENROUTER_MAX_SSE_LINE_BYTES";
  public static final String SSE_EVENT_SETTING = "OPENROUTER_MAX_SSE_EVENT_BYTES";
  public static final String BODY_SETTING = "OPENROUTER_MAX_RESPONSE_BYTES";

  /**
   * Generous for real answers (a generated image travels inline as one base64 data URL, the
   * model catalogue is a few MB), small enough that a runaway answer cannot fill the heap.
   */
  public static final UpstreamLimits DEFAULTS =
      new UpstreamLimits(16L << 20, 16L << 20, 64L << 20);

  public UpstreamLimits {
    if (maxSseLineBytes < 1 || maxSseEventBytes < 1 || maxBodyBytes < 1) {
      throw new IllegalArgumentException("upstream limits must be positive");
    }
  }

  /** The limits a call was made with (a request tag set by {@link OpenRouterClient}). */
  static UpstreamLimits of(okhttp3.Call call) {
    UpstreamLimits limits = call.request().tag(UpstreamLimits.class);
    return limits == null ? DEFAULTS : limits;
  }
}
