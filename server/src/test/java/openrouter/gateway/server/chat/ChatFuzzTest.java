package openrouter.gateway.server.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.RawBytes;
import openrouter.gateway.server.testing.Requests;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.ContentPart;
import openrouter.gateway.v1.FunctionDefinition;
import openrouter.gateway.v1.ImageUrl;
import openrouter.gateway.v1.Message;
import openrouter.gateway.v1.Tool;
import org.junit.jupiter.api.Test;

/**
 * Thousands of random and mutated requests, as raw bytes through a real channel: every answer
 * is a proper status (never UNKNOWN, an ErrorInfo on every error the gateway produced), the
 * server stays up, and no invalid request reaches the upstream.
 */
class ChatFuzzTest {
  private static final int REQUESTS = 3000;
  private static final MethodDescriptor.Marshaller<byte[]> BYTES = RawBytes.MARSHALLER;
  private static final MethodDescriptor<byte[], byte[]> RAW_CHAT = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName("openrouter.gateway.v1.ChatService/Chat")
      .setRequestMarshaller(BYTES)
      .setResponseMarshaller(BYTES)
      .build();

  private final Random random = new Random(20261121);
  private final ChatRequestValidator oracle = new ChatRequestValidator(ChatPolicy.DEFAULT);

  @Test
  void randomAndMutatedRequestsAlwaysGetAProperStatus() throws Exception {
    Map<Status.Code, Integer> codes = new EnumMap<>(Status.Code.class);
    try (GatewayHarness h = GatewayHarness.inProcess().withSimulator("OPENROUTER_MAX_RETRIES", "0")) {
      for (int i = 0; i < REQUESTS; i++) {
        byte[] bytes = switch (i % 3) {
          case 0 -> randomRequest().toByteArray();
          case 1 -> mutate(randomRequest().toByteArray());
          default -> randomBytes();
        };
        boolean invalid = invalid(bytes);
        int upstreamBefore = h.simulator.requestCount("/chat/completions");
        Status.Code code;
        try {
          ClientCalls.blockingUnaryCall(h.channel, RAW_CHAT, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), bytes);
          code = Status.Code.OK;
        } catch (StatusRuntimeException e) {
          code = e.getStatus().getCode();
          assertThat(code).as("request %d", i).isNotEqualTo(Status.Code.UNKNOWN);
          com.google.rpc.Status details = StatusProto.fromThrowable(e);
          assertThat(details).as("request %d: %s", i, e.getStatus()).isNotNull();
          assertThat(details.getDetailsList().stream().filter(a -> a.is(ErrorInfo.class)).count()).isEqualTo(1);
        }
        codes.merge(code, 1, Integer::sum);
        if (invalid) {
          assertThat(code).as("request %d is invalid", i).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(h.simulator.requestCount("/chat/completions")).as("request %d must not reach upstream", i).isEqualTo(upstreamBefore);
        }
      }
      assertThat(HealthGrpc.newBlockingStub(h.channel).check(HealthCheckRequest.getDefaultInstance()).getStatus())
          .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
      assertThat(h.chat().chat(Requests.chat("sim/echo", "still here")).getMessage().getContent()).isEqualTo("still here");
    }
    // The generator must exercise both sides: plenty rejected, some served.
    assertThat(codes.getOrDefault(Status.Code.INVALID_ARGUMENT, 0)).isGreaterThan(REQUESTS / 4);
    assertThat(codes.getOrDefault(Status.Code.OK, 0)).isGreaterThan(10);
  }

  private boolean invalid(byte[] bytes) {
    try {
      return !oracle.validate(ChatRequest.parseFrom(bytes)).isEmpty();
    } catch (InvalidProtocolBufferException e) {
      return true;
    }
  }

  private ChatRequest randomRequest() {
    ChatRequest.Builder b = ChatRequest.newBuilder();
    String[] models = {"sim/echo", "sim/echo", "sim/error-400", "sim/tools", "", "nope/none", "sim/reasoning"};
    b.setModel(models[random.nextInt(models.length)]);
    int messages = random.nextInt(4);
    for (int m = 0; m < messages; m++) {
      Message.Builder msg = Message.newBuilder().setRoleValue(random.nextInt(8));
      if (random.nextInt(4) == 0) {
        msg.addParts(ContentPart.newBuilder().setImageUrl(ImageUrl.newBuilder().setUrl(
            random.nextBoolean() ? "https://example.com/a.png" : "data:image/png;base64," + randomText(8))));
        msg.addParts(ContentPart.newBuilder().setText(randomText(10)));
      } else if (random.nextInt(5) != 0) {
        msg.setContent(randomText(30));
      }
      if (random.nextInt(6) == 0) {
        msg.setToolCallId("call_" + random.nextInt(9));
      }
      b.addMessages(msg);
    }
    if (random.nextBoolean()) {
      b.setTemperature(random.nextDouble() * 3 - 0.5);
    }
    if (random.nextInt(4) == 0) {
      b.setTopP(random.nextDouble() * 1.5);
    }
    if (random.nextInt(4) == 0) {
      b.addTools(Tool.newBuilder().setFunction(FunctionDefinition.newBuilder().setName(random.nextBoolean() ? "get_weather" : "bad name!")));
    }
    int stops = random.nextInt(7);
    for (int s = 0; s < stops; s++) {
      b.addStop(randomText(3));
    }
    if (random.nextInt(5) == 0) {
      b.putMetadata(randomText(5), randomText(5));
    }
    return b.build();
  }

  private byte[] mutate(byte[] bytes) {
    if (bytes.length == 0) {
      return randomBytes();
    }
    byte[] out = bytes.clone();
    int flips = 1 + random.nextInt(4);
    for (int f = 0; f < flips; f++) {
      out[random.nextInt(out.length)] = (byte) random.nextInt(256);
    }
    if (random.nextInt(4) == 0) {
      return java.util.Arrays.copyOf(out, random.nextInt(out.length + 1));
    }
    return out;
  }

  private byte[] randomBytes() {
    byte[] b = new byte[random.nextInt(64)];
    random.nextBytes(b);
    return b;
  }

  private String randomText(int max) {
    int n = 1 + random.nextInt(max);
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append((char) (' ' + random.nextInt(95)));
    }
    return sb.toString();
  }
}
