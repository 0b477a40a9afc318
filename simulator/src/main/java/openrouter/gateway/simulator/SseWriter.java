package openrouter.gateway.simulator;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;

/**
 * Byte-level helpers shared by the responders. Server-Sent Events are framed the way OpenRouter
 * frames them (§3.1): {@code data: <json>} and {@code : OPENROUTER PROCESSING} comments, each
 * followed by a blank line, every event flushed as it is produced.
 */
final class SseWriter {
  static final String PROCESSING = ": OPENROUTER PROCESSING";

  private SseWriter() {}

  /** Writes and flushes, in 3-byte pieces if asked (to exercise parsers across split reads). */
  static void writeBytes(OutputStream out, byte[] bytes, boolean splitWrites) throws IOException {
    if (!splitWrites) {
      out.write(bytes);
      out.flush();
      return;
    }
    for (int i = 0; i < bytes.length; i += 3) {
      out.write(bytes, i, Math.min(3, bytes.length - i));
      out.flush();
    }
  }

  /** A blocking pause, for responses written from a worker thread. */
  static void sleep(Duration duration) throws InterruptedIOException {
    if (duration.isZero()) {
      return;
    }
    try {
      Thread.sleep(duration.toMillis(), (int) (duration.toNanos() % 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("simulator is shutting down");
    }
  }
}
