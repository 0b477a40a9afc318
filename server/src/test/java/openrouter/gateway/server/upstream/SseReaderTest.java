package openrouter.gateway.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

  private static final UpstreamLimits SMALL = new UpstreamLimits(16, 32, 1024);

  @Test
  void aLineLongerThanItsLimitFailsNamingTheSetting() {
    SseReader r = new SseReader(new Buffer().writeUtf8("data: 0123456789abcdef\n\n"), SMALL);
    assertThatThrownBy(r::next).isInstanceOf(UpstreamTooLarge.class)
        .hasMessageContaining("16 bytes").hasMessageContaining("OPENROUTER_MAX_SSE_LINE_BYTES");
  }

  @Test
  void aLineThatNeverEndsIsNotBufferedPastItsLimit() {
    // An endless source: the reader must give up after about the limit, not read on forever.
    long[] served = {0};
    Source endless = new Source() {
      @Override
      public long read(Buffer sink, long byteCount) {
        long n = Math.min(byteCount, 8);
        sink.writeUtf8("a".repeat((int) n));
        served[0] += n;
        return n;
      }

      @Override
      public Timeout timeout() {
        return Timeout.NONE;
      }

      @Override
      public void close() {}
    };
    SseReader r = new SseReader(Okio.buffer(endless), SMALL);
    assertThatThrownBy(r::next).isInstanceOf(UpstreamTooLarge.class);
    assertThat(served[0]).isLessThanOrEqualTo(16 + 8);
  }

  @Test
  void anEventLargerThanItsLimitFailsEvenInShortLines() throws IOException {
    assertThat(new SseReader(new Buffer().writeUtf8("data: 0123456\ndata: 0123456\n\n"), SMALL).next())
        .isEqualTo("0123456\n0123456");
    SseReader r = new SseReader(new Buffer().writeUtf8("data: 0123456\ndata: 0123456\ndata: 0123456\n\n"), SMALL);
    assertThatThrownBy(r::next).isInstanceOf(UpstreamTooLarge.class)
        .hasMessageContaining("OPENROUTER_MAX_SSE_EVENT_BYTES");
  }

  @Test
  void commentsAndEventsUnderTheLimitsPassWhateverTheirNumber() throws IOException {
    StringBuilder wire = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      wire.append(": keep-alive\n\ndata: event").append(i % 10).append("\n\n");
    }
    SseReader r = new SseReader(new Buffer().writeUtf8(wire.toString()), SMALL);
    int n = 0;
    while (r.next() != null) {
      n++;
    }
    assertThat(n).isEqualTo(1000);
  }
}
