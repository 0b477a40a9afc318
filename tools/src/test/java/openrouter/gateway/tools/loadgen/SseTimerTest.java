package openrouter.gateway.tools.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The direct mode's SSE line timing, over bodies cut into reads at every possible place. */
class SseTimerTest {
  private static final String BODY = ": OPENROUTER PROCESSING\n\n"
      + "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n"
      + "data: {\"choices\":[{\"delta\":{\"content\":\"Hello\"}}]}\n\n"
      + "data: {\"choices\":[{\"delta\":{\"content\":\" wor\"}}]}\r\n\r\n"
      + "data: {\"choices\":[{\"delta\":{\"content\":\"ld\"}}]}\n\n"
      + "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"total_tokens\":3}}\n\n"
      + "not data: {\"content\":\"x\"}\n\n"
      + "data: [DONE]\n\n";

  @Test
  void countsOnlyDataLinesWithContentWhereverTheReadsSplitThem() {
    byte[] bytes = BODY.getBytes(StandardCharsets.UTF_8);
    for (int piece = 1; piece <= bytes.length; piece++) {
      Stats stats = new Stats();
      DirectTarget.SseTimer timer = new DirectTarget.SseTimer();
      timer.reset(System.nanoTime(), stats);
      for (int i = 0; i < bytes.length; i += piece) {
        ByteBuf read = Unpooled.wrappedBuffer(bytes, i, Math.min(piece, bytes.length - i));
        timer.feed(read);
        read.release();
      }
      assertThat(stats.chunks.sum()).as("reads of %d bytes", piece).isEqualTo(3);
      assertThat(stats.firstChunk.getTotalCount()).isEqualTo(1);
      assertThat(stats.chunkGap.getTotalCount()).isEqualTo(2);
    }
  }

  @Test
  void aLineLongerThanTheBufferIsStillOneLine() {
    String content = "x".repeat(5000);
    Stats stats = new Stats();
    DirectTarget.SseTimer timer = new DirectTarget.SseTimer();
    timer.reset(System.nanoTime(), stats);
    timer.feed(Unpooled.copiedBuffer("data: {\"delta\":{\"content\":\"" + content + "\"}}\n\n", StandardCharsets.UTF_8));
    timer.feed(Unpooled.copiedBuffer("data: {\"delta\":{\"content\":\"\"}}\n\n", StandardCharsets.UTF_8));
    assertThat(stats.chunks.sum()).isEqualTo(1);
  }

  @Test
  void resetStartsANewStream() {
    Stats stats = new Stats();
    DirectTarget.SseTimer timer = new DirectTarget.SseTimer();
    for (int stream = 0; stream < 2; stream++) {
      timer.reset(System.nanoTime(), stats);
      // A partial line left by an earlier, failed response must not leak into the next one.
      timer.feed(Unpooled.copiedBuffer("data: {\"delta\":{\"content\":\"a\"}}\n\ndata: {\"delta\":{\"con",
          StandardCharsets.UTF_8));
    }
    assertThat(stats.chunks.sum()).isEqualTo(2);
    assertThat(stats.firstChunk.getTotalCount()).isEqualTo(2);
    assertThat(stats.chunkGap.getTotalCount()).isZero();
  }
}
