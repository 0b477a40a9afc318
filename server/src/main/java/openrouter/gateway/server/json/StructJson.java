package openrouter.gateway.server.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.Map;

/**
 * Converts between {@code google.protobuf.Struct}/{@code Value} and Jackson trees without a
 * text round trip.
 *
 * <p>Proto numbers are doubles. Whole numbers are written as JSON integers ({@code 1}, not
 * {@code 1.0}) because JSON Schema keywords such as {@code minItems} and OpenRouter's own
 * integer parameters reject {@code 1.0}. Non-finite doubles, which JSON cannot represent, are
 * written as the strings {@code "NaN"}, {@code "Infinity"} and {@code "-Infinity"}, as proto3
 * JSON does.
 */
public final class StructJson {
  /** Whole doubles up to this magnitude are exact integers and are written as such. */
  private static final double MAX_EXACT_INTEGER = 9007199254740992d; // 2^53

  private static final JsonNodeFactory NODES = OpenRouterJson.mapper().getNodeFactory();

  private StructJson() {}

  /** A Struct as a JSON object. */
  public static ObjectNode toJson(Struct struct) {
    ObjectNode out = NODES.objectNode();
    for (Map.Entry<String, Value> e : struct.getFieldsMap().entrySet()) {
      out.set(e.getKey(), toJson(e.getValue()));
    }
    return out;
  }

  /** A Value as JSON; a Value with no kind set becomes {@code null}. */
  public static JsonNode toJson(Value value) {
    switch (value.getKindCase()) {
      case NULL_VALUE:
      case KIND_NOT_SET:
        return NODES.nullNode();
      case BOOL_VALUE:
        return NODES.booleanNode(value.getBoolValue());
      case STRING_VALUE:
        return NODES.textNode(value.getStringValue());
      case NUMBER_VALUE:
        return number(value.getNumberValue());
      case STRUCT_VALUE:
        return toJson(value.getStructValue());
      case LIST_VALUE:
        ArrayNode array = NODES.arrayNode();
        for (Value v : value.getListValue().getValuesList()) {
          array.add(toJson(v));
        }
        return array;
      default:
        throw new IllegalArgumentException("unknown Value kind " + value.getKindCase());
    }
  }

  /** A double as JSON: an integer when whole, otherwise a decimal; non-finite as a string. */
  public static JsonNode number(double d) {
    if (Double.isNaN(d)) {
      return NODES.textNode("NaN");
    }
    if (Double.isInfinite(d)) {
      return NODES.textNode(d > 0 ? "Infinity" : "-Infinity");
    }
    if (d == Math.rint(d) && Math.abs(d) <= MAX_EXACT_INTEGER) {
      long l = (long) d;
      return l == (int) l ? NODES.numberNode((int) l) : NODES.numberNode(l);
    }
    return NODES.numberNode(d);
  }

  /** A JSON object as a Struct; anything that is not an object gives an empty Struct. */
  public static Struct toStruct(JsonNode node) {
    Struct.Builder out = Struct.newBuilder();
    if (node != null && node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        out.putFields(e.getKey(), toValue(e.getValue()));
      }
    }
    return out.build();
  }

  /** Any JSON as a Value; a missing node becomes a null Value. */
  public static Value toValue(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
    }
    if (node.isBoolean()) {
      return Value.newBuilder().setBoolValue(node.booleanValue()).build();
    }
    if (node.isNumber()) {
      return Value.newBuilder().setNumberValue(node.doubleValue()).build();
    }
    if (node.isTextual()) {
      return Value.newBuilder().setStringValue(node.textValue()).build();
    }
    if (node.isObject()) {
      return Value.newBuilder().setStructValue(toStruct(node)).build();
    }
    if (node.isArray()) {
      ListValue.Builder list = ListValue.newBuilder();
      for (JsonNode item : node) {
        list.addValues(toValue(item));
      }
      return Value.newBuilder().setListValue(list).build();
    }
    // Binary or POJO nodes never come out of a JSON parse; keep their text.
    return Value.newBuilder().setStringValue(node.asText()).build();
  }
}
