package openrouter.gateway.server.testing;

import com.google.rpc.ErrorInfo;
import com.google.rpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.Map;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.Message;
import openrouter.gateway.v1.Role;

/** Small builders and decoders shared by the end-to-end tests. */
public final class Requests {
  private Requests() {}

  public static ChatRequest chat(String model, String userText) {
    return ChatRequest.newBuilder().setModel(model).addMessages(user(userText)).build();
  }

  public static ChatRequest chat(String model, String userText, Map<String, String> metadata) {
    return chat(model, userText).toBuilder().putAllMetadata(metadata).build();
  }

  public static Message user(String text) {
    return Message.newBuilder().setRole(Role.ROLE_USER).setContent(text).build();
  }

  /** The ErrorInfo of a failed call; fails the test unless there is exactly one. */
  public static ErrorInfo errorInfo(StatusRuntimeException e) {
    Status s = StatusProto.fromThrowable(e);
    if (s == null) {
      throw new AssertionError("no google.rpc.Status in the trailers of " + e);
    }
    var infos = s.getDetailsList().stream().filter(a -> a.is(ErrorInfo.class)).toList();
    if (infos.size() != 1) {
      throw new AssertionError("expected exactly one ErrorInfo, got " + infos.size() + " in " + s);
    }
    try {
      return infos.get(0).unpack(ErrorInfo.class);
    } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
      throw new AssertionError(ex);
    }
  }

  public static <T extends com.google.protobuf.Message> T detail(StatusRuntimeException e, Class<T> type) {
    Status s = StatusProto.fromThrowable(e);
    try {
      for (var any : s.getDetailsList()) {
        if (any.is(type)) {
          return any.unpack(type);
        }
      }
    } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
      throw new AssertionError(ex);
    }
    return null;
  }
}
