package openrouter.gateway.server.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonStructTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "1, 1",
    "0, 0",
    "-3, -3",
    "1.5, 1.5",
    "0.1, 0.1",
    "4294967296, 4294967296",
    "9007199254740992, 9007199254740992",
  })
  void wholeNumbersBecomeIntegers(double in, String expectedJson) {
    JsonNode node = StructJson.number(in);
    assertThat(OpenRouterJson.write(node)).isEqualTo(expectedJson);
    assertThat(node.isIntegralNumber()).isEqualTo(in == Math.rint(in));
  }

  @Test
  void nonFiniteNumbersBecomeStrings() {
    assertThat(StructJson.number(Double.NaN).textValue()).isEqualTo("NaN");
    assertThat(StructJson.number(Double.POSITIVE_INFINITY).textValue()).isEqualTo("Infinity");
    assertThat(StructJson.number(Double.NEGATIVE_INFINITY).textValue()).isEqualTo("-Infinity");
  }

  @Test
  void structToJsonKeepsShapeAndWritesIntegers() throws Exception {
    Struct.Builder schema = Struct.newBuilder();
    JsonFormat.parser()
        .merge(
            "{\"type\":\"array\",\"minItems\":1,\"maxItems\":3.0,\"multipleOf\":0.5,"
                + "\"items\":{\"enum\":[1,2,\"x\",true,null]},\"nested\":{\"deep\":[{\"n\":2}]}}",
            schema);
    JsonNode expected =
        OpenRouterJson.parse(
            "{\"type\":\"array\",\"minItems\":1,\"maxItems\":3,\"multipleOf\":0.5,"
                + "\"items\":{\"enum\":[1,2,\"x\",true,null]},\"nested\":{\"deep\":[{\"n\":2}]}}");
    JsonNode actual = StructJson.toJson(schema.build());
    JsonTrees.assertSameJson(actual, expected);
    assertThat(actual.get("minItems").isInt()).isTrue();
    assertThat(OpenRouterJson.write(actual)).contains("\"maxItems\":3,").doesNotContain("3.0");
  }

  @Test
  void jsonToStructAndBack() {
    JsonNode in =
        OpenRouterJson.parse(
            "{\"type\":\"reasoning.text\",\"text\":\"hm\",\"index\":0,\"signature\":null,"
                + "\"list\":[1,2.5,{\"a\":false}]}");
    Struct struct = StructJson.toStruct(in);
    assertThat(struct.getFieldsOrThrow("index").getNumberValue()).isEqualTo(0d);
    assertThat(struct.getFieldsOrThrow("signature").getNullValue()).isEqualTo(NullValue.NULL_VALUE);
    assertThat(struct.getFieldsOrThrow("list").getListValue().getValues(1).getNumberValue())
        .isEqualTo(2.5);
    JsonTrees.assertSameJson(StructJson.toJson(struct), in);
  }

  @Test
  void valueKinds() {
    assertThat(StructJson.toJson(Value.getDefaultInstance()).isNull()).isTrue();
    assertThat(StructJson.toJson(Value.newBuilder().setNumberValue(50).build()))
        .isEqualTo(OpenRouterJson.parse("50"));
    Value list =
        Value.newBuilder()
            .setListValue(
                ListValue.newBuilder()
                    .addValues(Value.newBuilder().setStringValue("a"))
                    .addValues(Value.newBuilder().setBoolValue(true)))
            .build();
    assertThat(StructJson.toJson(list)).isEqualTo(OpenRouterJson.parse("[\"a\",true]"));
    assertThat(StructJson.toStruct(OpenRouterJson.parse("[1]"))).isEqualTo(Struct.getDefaultInstance());
    assertThat(StructJson.toValue(null).hasNullValue()).isTrue();
  }

  @Test
  void mapperKeepsDecimalTextExactly() {
    JsonNode n = OpenRouterJson.parse("  \n {\"cost\":0.000140,\"tiny\":1e-7,\"big\":12345678901234567890.5}");
    assertThat(n.get("cost").isBigDecimal()).isTrue();
    assertThat(n.get("cost").decimalValue().toPlainString()).isEqualTo("0.000140");
    assertThat(n.get("tiny").decimalValue().toPlainString()).isEqualTo("0.0000001");
    assertThat(n.get("big").decimalValue().toPlainString()).isEqualTo("12345678901234567890.5");
    assertThat(OpenRouterJson.mapper()).isSameAs(OpenRouterJson.mapper());
  }

  @Test
  void numericComparatorSeparatesIntegersFromDecimals() {
    assertThat(JsonTrees.same(OpenRouterJson.parse("[1]"), OpenRouterJson.parse("[1.0]"))).isFalse();
    assertThat(JsonTrees.same(OpenRouterJson.parse("[0.5]"), OpenRouterJson.mapper().createArrayNode().add(0.5d)))
        .isTrue();
    assertThat(JsonTrees.same(OpenRouterJson.parse("{\"a\":1}"), OpenRouterJson.parse("{\"a\":2}"))).isFalse();
  }
}
