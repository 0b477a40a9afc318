package openrouter.gateway.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The stream of a pre-serialized message: the transport drains it, but a compressing transport
 * reads it, so every way of reading must give the same bytes, in order, across the parts.
 */
class PreSerializedTest {
  private static final byte[][] PARTS = {bytes("hello, "), new byte[0], bytes("pre-"), bytes("serialized world")};
  private static final String WHOLE = "hello, pre-serialized world";

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static InputStream stream() {
    return new PreSerialized.Message(PARTS).stream();
  }

  @Test
  void drainedItIsThePartsEndToEndAndItsLengthIsKnownUpFront() throws Exception {
    InputStream in = stream();
    assertThat(in).isInstanceOf(KnownLength.class).isInstanceOf(Drainable.class);
    assertThat(in.available()).isEqualTo(WHOLE.length());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(((Drainable) in).drainTo(out)).isEqualTo(WHOLE.length());
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(WHOLE);
    assertThat(in.available()).isZero();
    assertThat(in.read()).isEqualTo(-1);
  }

  @Test
  void readByteByByteOrInAnyChunkSizeItIsTheSameBytes() throws Exception {
    InputStream single = stream();
    StringBuilder sb = new StringBuilder();
    for (int b = single.read(); b != -1; b = single.read()) {
      sb.append((char) b);
    }
    assertThat(sb.toString()).isEqualTo(WHOLE);

    for (int chunk = 1; chunk <= WHOLE.length() + 1; chunk++) {
      InputStream in = stream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[chunk + 2];
      for (int n = in.read(buffer, 1, chunk); n != -1; n = in.read(buffer, 1, chunk)) {
        assertThat(n).isBetween(1, chunk);
        out.write(buffer, 1, n);
        assertThat(in.available()).isEqualTo(WHOLE.length() - out.size());
      }
      assertThat(out.toString(StandardCharsets.UTF_8)).as("chunks of %d", chunk).isEqualTo(WHOLE);
    }
  }

  @Test
  void drainingAfterAPartialReadWritesTheRest() throws Exception {
    for (int first = 0; first <= WHOLE.length(); first++) {
      InputStream in = stream();
      byte[] head = new byte[first];
      assertThat(in.readNBytes(head, 0, first)).isEqualTo(first);
      ByteArrayOutputStream rest = new ByteArrayOutputStream();
      assertThat(((Drainable) in).drainTo(rest)).isEqualTo(WHOLE.length() - first);
      assertThat(new String(head, StandardCharsets.UTF_8) + rest.toString(StandardCharsets.UTF_8))
          .as("after reading %d", first).isEqualTo(WHOLE);
    }
  }
}
