package openrouter.gateway.server.json;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one Jackson configuration the server uses for OpenRouter JSON.
 *
 * <p>Floating-point numbers are read as {@link java.math.BigDecimal} with their trailing zeros
 * kept, so money values such as {@code usage.cost} can be passed on exactly as OpenRouter wrote
 * them ({@code node.decimalValue().toPlainString()}), never through a {@code double}. Unknown
 * properties never fail a read.
 */
public final class OpenRouterJson {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
          .build();

  private OpenRouterJson() {}

  /** The shared, thread-safe mapper. Do not reconfigure it; use {@code copy()} for variants. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** A new empty object node from the shared mapper's node factory. */
  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** Parses JSON text into a tree; leading whitespace (OpenRouter's padding) is fine. */
  public static JsonNode parse(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Compact JSON text of a tree. */
  public static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
