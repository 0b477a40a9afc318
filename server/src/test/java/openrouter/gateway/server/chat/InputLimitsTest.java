package openrouter.gateway.server.chat;

import static openrouter.gateway.server.testing.Requests.chat;
import static openrouter.gateway.server.testing.Requests.detail;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.rpc.BadRequest;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.ContentPart;
import openrouter.gateway.v1.FileInput;
import openrouter.gateway.v1.FunctionDefinition;
import openrouter.gateway.v1.ImageUrl;
import openrouter.gateway.v1.InputAudio;
import openrouter.gateway.v1.Message;
import openrouter.gateway.v1.Role;
import openrouter.gateway.v1.Tool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every input bound answers INVALID_ARGUMENT naming the field, and never reaches upstream. */
class InputLimitsTest {
  private static GatewayHarness h;

  @BeforeAll
  static void start() throws Exception {
    h = GatewayHarness.inProcess().withSimulator(
        "GATEWAY_MAX_MESSAGES", "5",
        "GATEWAY_MAX_REQUEST_BYTES", "20000",
        "GATEWAY_MAX_CONTENT_CHARS", "1000",
        "GATEWAY_MAX_TOOLS", "2",
        "GATEWAY_MAX_TOOL_SCHEMA_BYTES", "200");
  }

  @AfterAll
  static void stop() throws Exception {
    h.close();
  }

  private static Message userParts(ContentPart part) {
    return Message.newBuilder().setRole(Role.ROLE_USER).addParts(ContentPart.newBuilder().setText("look")).addParts(part).build();
  }

  private static Tool tool(String name, int schemaFields) {
    Struct.Builder schema = Struct.newBuilder();
    for (int i = 0; i < schemaFields; i++) {
      schema.putFields("field_" + i, Value.newBuilder().setStringValue("string").build());
    }
    return Tool.newBuilder().setFunction(FunctionDefinition.newBuilder().setName(name).setParameters(schema)).build();
  }

  static Stream<Arguments> cases() {
    ChatRequest base = chat("sim/echo", "hi");
    return Stream.of(
        Arguments.of("messages", (UnaryOperator<ChatRequest>) r -> {
          ChatRequest.Builder b = r.toBuilder();
          for (int i = 0; i < 5; i++) {
            b.addMessages(r.getMessages(0));
          }
          return b.build();
        }),
        Arguments.of("", (UnaryOperator<ChatRequest>) r -> r.toBuilder().setUser("u".repeat(200))
            .setMessages(0, Message.newBuilder().setRole(Role.ROLE_USER).setContent("x".repeat(900)))
            .addMessages(Message.newBuilder().setRole(Role.ROLE_USER).setContent("y".repeat(900)))
            .setExtraBody(Struct.newBuilder().putFields("pad", Value.newBuilder().setStringValue("p".repeat(19000)).build()))
            .build()),
        Arguments.of("messages[0].content", (UnaryOperator<ChatRequest>) r -> r.toBuilder()
            .setMessages(0, Message.newBuilder().setRole(Role.ROLE_USER).setContent("x".repeat(1001))).build()),
        Arguments.of("tools", (UnaryOperator<ChatRequest>) r -> r.toBuilder().addTools(tool("a", 0)).addTools(tool("b", 0)).addTools(tool("c", 0)).build()),
        Arguments.of("tools[0].function.parameters", (UnaryOperator<ChatRequest>) r -> r.toBuilder().addTools(tool("a", 20)).build()),
        Arguments.of("metadata", (UnaryOperator<ChatRequest>) r -> {
          ChatRequest.Builder b = r.toBuilder();
          for (int i = 0; i < 17; i++) {
            b.putMetadata("k" + i, "v");
          }
          return b.build();
        }),
        Arguments.of("user", (UnaryOperator<ChatRequest>) r -> r.toBuilder().setUser("u".repeat(257)).build()),
        Arguments.of("session_id", (UnaryOperator<ChatRequest>) r -> r.toBuilder().setSessionId("s".repeat(257)).build()),
        Arguments.of("models", (UnaryOperator<ChatRequest>) r -> {
          ChatRequest.Builder b = r.toBuilder();
          for (int i = 0; i < 10; i++) {
            b.addModels("sim/m" + i);
          }
          return b.build();
        }),
        Arguments.of("messages[0].parts[1].image_url.url", (UnaryOperator<ChatRequest>) r -> r.toBuilder()
            .setMessages(0, userParts(ContentPart.newBuilder().setImageUrl(ImageUrl.newBuilder().setUrl("http://example.com/cat.png")).build())).build()),
        Arguments.of("messages[0].parts[1].image_url.url", (UnaryOperator<ChatRequest>) r -> r.toBuilder()
            .setMessages(0, userParts(ContentPart.newBuilder().setImageUrl(ImageUrl.newBuilder().setUrl("data:image/png;base64,iVBOR!!w0KGgo=")).build())).build()),
        Arguments.of("messages[0].parts[1].file.file_data", (UnaryOperator<ChatRequest>) r -> r.toBuilder()
            .setMessages(0, userParts(ContentPart.newBuilder().setFile(FileInput.newBuilder().setFilename("a.pdf").setFileData("file:///etc/passwd")).build())).build()),
        Arguments.of("messages[0].parts[1].input_audio.data", (UnaryOperator<ChatRequest>) r -> r.toBuilder()
            .setMessages(0, userParts(ContentPart.newBuilder().setInputAudio(InputAudio.newBuilder().setFormat("wav").setData("not base64 at all")).build())).build()),
        Arguments.of("messages[0].role", (UnaryOperator<ChatRequest>) r -> r.toBuilder()
            .setMessages(0, r.getMessages(0).toBuilder().setRoleValue(42)).build())
    ).map(a -> Arguments.of(a.get()[0], ((UnaryOperator<ChatRequest>) a.get()[1]).apply(base)));
  }

  @ParameterizedTest(name = "[{index}] field \"{0}\"")
  @MethodSource("cases")
  void boundIsEnforcedWithAFieldViolation(String field, ChatRequest request) {
    int before = h.simulator.requestCount("/chat/completions");
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> h.chat().chat(request));
    assertThat(e).isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(Code.INVALID_ARGUMENT);
    BadRequest br = detail(e, BadRequest.class);
    assertThat(br.getFieldViolationsList()).extracting(BadRequest.FieldViolation::getField).contains(field);
    assertThat(h.simulator.requestCount("/chat/completions")).isEqualTo(before);
  }

  @ParameterizedTest(name = "{0} accepted at the limit")
  @MethodSource("atTheLimit")
  void requestsAtTheLimitPass(String what, ChatRequest request) {
    assertThat(h.chat().chat(request).getSummary().getFinishReason()).isEqualTo("stop");
  }

  static Stream<Arguments> atTheLimit() {
    ChatRequest base = chat("sim/echo", "hi");
    return Stream.of(
        Arguments.of("content of 1000 chars", base.toBuilder().setMessages(0, Message.newBuilder().setRole(Role.ROLE_USER).setContent("x".repeat(1000))).build()),
        Arguments.of("a valid data URL", base.toBuilder().setMessages(0, userParts(ContentPart.newBuilder()
            .setImageUrl(ImageUrl.newBuilder().setUrl("data:image/png;base64,iVBORw0KGgo=")).build())).build()),
        Arguments.of("an https URL", base.toBuilder().setMessages(0, userParts(ContentPart.newBuilder()
            .setImageUrl(ImageUrl.newBuilder().setUrl("https://example.com/cat.png")).build())).build()));
  }
}
