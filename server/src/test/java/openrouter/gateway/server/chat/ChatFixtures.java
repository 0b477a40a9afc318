package openrouter.gateway.server.chat;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import openrouter.gateway.v1.ChatRequest;

/** Builds test requests from proto3 JSON (single quotes stand for double quotes). */
final class ChatFixtures {
  private ChatFixtures() {}

  static ChatRequest request(String protoJson) {
    return merge(protoJson.replace('\'', '"'), ChatRequest.newBuilder()).build();
  }

  static ChatRequest.Builder builder(String protoJson) {
    return merge(protoJson.replace('\'', '"'), ChatRequest.newBuilder());
  }

  static ChatRequest requestResource(String path) {
    return merge(text(path), ChatRequest.newBuilder()).build();
  }

  static <B extends Message.Builder> B merge(String json, B builder) {
    try {
      JsonFormat.parser().merge(json, builder);
      return builder;
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("bad proto JSON: " + json, e);
    }
  }

  static String text(String path) {
    try (InputStream in = ChatFixtures.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
