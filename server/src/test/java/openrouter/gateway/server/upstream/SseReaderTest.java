package openrouter.gateway.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import okio.Buffer;
import okio.BufferedSource;
import okio.Okio;
import okio.Source;
import okio.Timeout;
import org.junit.jupiter.api.Test;

class SseReaderTest {

  private static List<String> events(BufferedSource source) throws IOException {
    SseReader reader = new SseReader(source);
    List<String> out = new ArrayList<>();
    String e;
    while ((e = reader.next()) != null) {
      out.add(e);
    }
    return out;
  }

  private static List<String> events(String wire) throws IOException {
    return events(new Buffer().writeUtf8(wire));
  }

  @Test
  void skipsCommentsAndSplitsOnBlankLines() throws IOException {
    String wire = ": OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\ndata: {\"a\":1}\n\ndata: {\"b\":2}\n\ndata: [DONE]\n\n";
    assertThat(events(wire)).containsExactly("{\"a\":1}", "{\"b\":2}", "[DONE]");
  }

  @Test
  void handlesCrLfAndLoneCrAndNoSpaceAfterColon() throws IOException {
    assertThat(events("data: one\r\n\r\ndata:two\r\rdata: three\n\n")).containsExactly("one", "two", "three");
  }

  @Test
  void joinsMultiLineDataAndIgnoresOtherFields() throws IOException {
    assertThat(events("event: x\nid: 7\ndata: line1\ndata: line2\nretry: 5\n\n")).containsExactly("line1\nline2");
  }

  @Test
  void dropsAnEventCutOffByTheEndOfTheStream() throws IOException {
    assertThat(events("data: {\"a\":1}\n\ndata: {\"b\":")).containsExactly("{\"a\":1}");
  }

  @Test
  void countsCommentsSeparately() throws IOException {
    SseReader r = new SseReader(new Buffer().writeUtf8(": ping\n\n: ping\n\ndata: x\n\n"));
    assertThat(r.next()).isEqualTo("x");
    assertThat(r.commentCount()).isEqualTo(2);
  }

  /** A source that hands out one byte per read, like the worst possible network. */
  @Test
  void sameEventsWhenEveryReadReturnsOneByte() throws IOException {
    String wire = ": OPENROUTER PROCESSING\r\n\r\ndata: {\"x\":\"é\"}\r\n\r\ndata: [DONE]\r\n\r\n";
    byte[] bytes = wire.getBytes(StandardCharsets.UTF_8);
    Source trickle = new Source() {
      int pos;

      @Override
      public long read(Buffer sink, long byteCount) {
        if (pos >= bytes.length) {
          return -1;
        }
        sink.writeByte(bytes[pos++]);
        return 1;
      }

      @Override
      public Timeout timeout() {
        return Timeout.NONE;
      }

      @Override
      public void close() {}
    };
    assertThat(events(Okio.buffer(trickle))).containsExactly("{\"x\":\"é\"}", "[DONE]");
  }
}
