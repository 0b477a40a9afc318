package openrouter.gateway.client;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway's published service config ({@code clients/service-config.json}, shared with the
 * Node and Python clients): retry UNAVAILABLE, before any response, for the idempotent reads
 * only (models, credits, key, generation, health). Chat calls are never retried by the
 * channel: a chat that reached the gateway may already have been billed, and the gateway
 * retries what was certainly not served by itself.
 */
public final class ServiceConfig {
  /** Where the file sits on the classpath. */
  public static final String RESOURCE = "/openrouter/gateway/client/service-config.json";

  private ServiceConfig() {}

  /** The service config as JSON text. */
  public static String json() {
    try (InputStream in = ServiceConfig.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCE);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The service config in the form {@code ManagedChannelBuilder.defaultServiceConfig} takes
   * (maps, lists, strings, doubles). Apply it with {@code enableRetry()} to a channel you build
   * yourself.
   */
  public static Map<String, ?> asMap() {
    Struct.Builder struct = Struct.newBuilder();
    try {
      JsonFormat.parser().merge(json(), struct);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("invalid " + RESOURCE + ": " + e.getMessage(), e);
    }
    return toMap(struct.build());
  }

  static Map<String, Object> toMap(Struct struct) {
    Map<String, Object> map = new LinkedHashMap<>();
    struct.getFieldsMap().forEach((k, v) -> map.put(k, toJava(v)));
    return map;
  }

  private static Object toJava(Value v) {
    return switch (v.getKindCase()) {
      case STRUCT_VALUE -> toMap(v.getStructValue());
      case LIST_VALUE -> toList(v.getListValue());
      case STRING_VALUE -> v.getStringValue();
      case NUMBER_VALUE -> v.getNumberValue();
      case BOOL_VALUE -> v.getBoolValue();
      default -> null;
    };
  }

  private static List<Object> toList(ListValue list) {
    List<Object> out = new ArrayList<>(list.getValuesCount());
    list.getValuesList().forEach(v -> out.add(toJava(v)));
    return out;
  }
}
