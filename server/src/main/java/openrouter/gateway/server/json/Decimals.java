package openrouter.gateway.server.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Optional;

/**
 * Money and prices from OpenRouter JSON, kept exact. OpenRouter sends prices as decimal strings
 * and balances as JSON numbers; both are read here without passing through a double (parse
 * with {@link OpenRouterJson#mapper()}, which reads floats as BigDecimal).
 */
public final class Decimals {
  private Decimals() {}

  /**
   * The amount as OpenRouter wrote it: a string as is, a number in plain notation
   * ({@code 1E-7} becomes {@code 0.0000001}); "" when missing or null.
   */
  public static String text(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return "";
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isIntegralNumber()) {
      return node.bigIntegerValue().toString();
    }
    if (node.isNumber()) {
      return node.decimalValue().toPlainString();
    }
    return node.toString();
  }

  /** The amount as a BigDecimal; empty when missing, null or not a number. */
  public static Optional<BigDecimal> value(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return Optional.empty();
    }
    if (node.isNumber()) {
      return Optional.of(node.decimalValue());
    }
    if (node.isTextual()) {
      return parse(node.textValue());
    }
    return Optional.empty();
  }

  /** A decimal string as a BigDecimal; empty when blank or not a number. */
  public static Optional<BigDecimal> parse(String text) {
    if (text == null || text.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new BigDecimal(text.trim()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
