package openrouter.gateway.server.chat;

/**
 * Size bounds on chat requests, so no single request can exhaust the gateway or smuggle a
 * payload OpenRouter would reject anyway. Each is a setting (see GatewayConfig).
 *
 * @param maxMessages most messages in one request
 * @param maxRequestBytes most bytes of the serialized request
 * @param maxContentChars most characters of one content string or part (text, URL, base64)
 * @param maxTools most tools in one request
 * @param maxToolSchemaBytes most bytes of one tool's JSON schema
 */
public record InputLimits(
    int maxMessages, int maxRequestBytes, int maxContentChars, int maxTools, int maxToolSchemaBytes) {

  /** 2,048 messages, 10 MiB, 8 M characters per part, 128 tools, 64 KiB per schema. */
  public static final InputLimits DEFAULT = new InputLimits(2048, 10 * 1024 * 1024, 8_000_000, 128, 64 * 1024);
}
