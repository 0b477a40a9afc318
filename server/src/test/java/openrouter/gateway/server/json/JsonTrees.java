package openrouter.gateway.server.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Comparator;

/** Test helpers: compare Jackson trees with numbers by value and kind, load JSON resources. */
public final class JsonTrees {
  private JsonTrees() {}

  /**
   * Numbers are equal when both are integers (or both are not) and their decimal values are
   * equal, so {@code 0.5} parsed as BigDecimal equals {@code 0.5} built as a double, but {@code
   * 1} never equals {@code 1.0}. Everything else compares as Jackson does.
   */
  public static final Comparator<JsonNode> NUMERIC =
      (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
          if (a.isIntegralNumber() != b.isIntegralNumber()) {
            return 1;
          }
          return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
      };

  public static boolean same(JsonNode actual, JsonNode expected) {
    return actual.equals(NUMERIC, expected);
  }

  /** Asserts two trees are the same; on failure shows both pretty-printed. */
  public static void assertSameJson(JsonNode actual, JsonNode expected) {
    assertThat(same(actual, expected))
        .as("JSON differs.%nexpected: %s%nactual:   %s", pretty(expected), pretty(actual))
        .isTrue();
  }

  public static void assertSameJson(JsonNode actual, String expected) {
    assertSameJson(actual, OpenRouterJson.parse(expected));
  }

  /** Parses JSON where single quotes stand for double quotes (keeps test tables readable). */
  public static JsonNode j(String singleQuoted) {
    return OpenRouterJson.parse(singleQuoted.replace('\'', '"'));
  }

  public static JsonNode resource(String path) {
    try (InputStream in = JsonTrees.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + path);
      }
      return OpenRouterJson.mapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String pretty(JsonNode node) {
    try {
      return OpenRouterJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
