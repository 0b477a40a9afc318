package openrouter.gateway.server.grpc;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import java.io.InputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Lets a method answer with a response message it serialized earlier, as bytes, instead of
 * serializing the same message again on every call. Clients see no difference: the bytes are
 * the message's own serialization, decoded by any generated stub.
 */
final class PreSerialized {
  private PreSerialized() {}

  /**
   * A response message as bytes: the concatenation of {@code parts}. Protobuf writes fields in
   * number order, so a message's serialization is the serializations of its fields, in order,
   * laid end to end; parts made that way may be cached separately.
   */
  static final class Message {
    private final byte[][] parts;
    private final int length;

    Message(byte[]... parts) {
      this.parts = parts;
      int total = 0;
      for (byte[] part : parts) {
        total += part.length;
      }
      this.length = total;
    }

    int length() {
      return length;
    }

    InputStream stream() {
      return new PartsStream(parts, length);
    }
  }

  /**
   * {@code service} with {@code method} answered by {@code handler}, which may send a {@link
   * Message} or a message of the method's response type. The service's schema (for reflection)
   * and its other methods are unchanged.
   */
  static <Q, R> ServerServiceDefinition rebind(ServerServiceDefinition service, MethodDescriptor<Q, R> method,
      ServerCallHandler<Q, Object> handler) {
    MethodDescriptor<Q, Object> preSerialized =
        method.toBuilder(method.getRequestMarshaller(), new EitherMarshaller<>(method.getResponseMarshaller())).build();
    ServiceDescriptor original = service.getServiceDescriptor();
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
        .setSchemaDescriptor(original.getSchemaDescriptor());
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    boolean found = false;
    for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
      if (m.getMethodDescriptor().getFullMethodName().equals(method.getFullMethodName())) {
        methods.add(ServerMethodDefinition.create(preSerialized, handler));
        descriptor.addMethod(preSerialized);
        found = true;
      } else {
        methods.add(m);
        descriptor.addMethod(m.getMethodDescriptor());
      }
    }
    if (!found) {
      throw new IllegalArgumentException(method.getFullMethodName() + " is not a method of " + original.getName());
    }
    ServerServiceDefinition.Builder rebound = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(rebound::addMethod);
    return rebound.build();
  }

  /** Streams a {@link Message} as its bytes, and anything else with the method's own marshaller. */
  private static final class EitherMarshaller<R> implements MethodDescriptor.Marshaller<Object> {
    private final MethodDescriptor.Marshaller<R> messages;

    EitherMarshaller(MethodDescriptor.Marshaller<R> messages) {
      this.messages = messages;
    }

    @Override
    @SuppressWarnings("unchecked") // anything but a Message is the method's response type
    public InputStream stream(Object value) {
      return value instanceof Message m ? m.stream() : messages.stream((R) value);
    }

    @Override
    public Object parse(InputStream stream) {
      return messages.parse(stream);
    }
  }

  /**
   * The bytes of a {@link Message}. Known length and drainable, like protobuf's own stream, so
   * the transport copies them once, straight into its buffer.
   */
  private static final class PartsStream extends InputStream implements KnownLength, Drainable {
    private final byte[][] parts;
    private int remaining;
    private int part;
    private int offset;

    PartsStream(byte[][] parts, int length) {
      this.parts = parts;
      this.remaining = length;
    }

    @Override
    public int available() {
      return remaining;
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      int written = remaining;
      for (; part < parts.length; part++, offset = 0) {
        target.write(parts[part], offset, parts[part].length - offset);
      }
      remaining = 0;
      return written;
    }

    @Override
    public int read() {
      if (remaining == 0) {
        return -1;
      }
      while (offset == parts[part].length) {
        part++;
        offset = 0;
      }
      remaining--;
      return parts[part][offset++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      if (remaining == 0) {
        return -1;
      }
      int copied = 0;
      while (copied < len && remaining > 0) {
        while (offset == parts[part].length) {
          part++;
          offset = 0;
        }
        int n = Math.min(len - copied, parts[part].length - offset);
        System.arraycopy(parts[part], offset, b, off + copied, n);
        offset += n;
        copied += n;
        remaining -= n;
      }
      return copied;
    }
  }
}
