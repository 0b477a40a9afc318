package openrouter.gateway.server.simulator;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Writes Server-Sent Events the way OpenRouter frames them (§3.1): {@code data: <json>} and
 * {@code : OPENROUTER PROCESSING} comments, each followed by a blank line. Every event is
 * flushed at once so bytes leave as they are produced; a failed write means the client left.
 */
final class SseWriter {
  static final String PROCESSING = ": OPENROUTER PROCESSING";
  /** Pauses up to this long are plain sleeps; longer ones carry keep-alive comments. */
  static final Duration SILENT_PAUSE_LIMIT = Duration.ofMillis(50);

  private final OutputStream out;
  private final String eol;
  private final boolean splitWrites;
  private final Duration keepAliveInterval;
  private final BooleanSupplier closing;

  /**
   * @param eol "\n" or "\r\n", used for every line ending
   * @param splitWrites write each event in 3-byte pieces, flushing after each
   * @param closing true once the simulator shuts down; ends endless keep-alives
   */
  SseWriter(OutputStream out, String eol, boolean splitWrites, Duration keepAliveInterval,
      BooleanSupplier closing) {
    this.out = out;
    this.eol = eol;
    this.splitWrites = splitWrites;
    this.keepAliveInterval = keepAliveInterval;
    this.closing = closing;
  }

  void comment() throws IOException {
    write(PROCESSING + eol + eol);
  }

  void data(String payload) throws IOException {
    write("data: " + payload + eol + eol);
  }

  void done() throws IOException {
    data("[DONE]");
  }

  /** Waits, writing keep-alive comments if the pause is long enough to need them. */
  void pause(Duration duration) throws IOException {
    if (duration.compareTo(SILENT_PAUSE_LIMIT) <= 0) {
      sleep(duration);
      return;
    }
    long deadline = System.nanoTime() + duration.toNanos();
    while (true) {
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        return;
      }
      sleep(Duration.ofNanos(Math.min(remaining, keepAliveInterval.toNanos())));
      if (deadline - System.nanoTime() > 0) {
        comment();
      }
    }
  }

  /** Keep-alive comments until the client goes away (IOException) or the simulator closes. */
  void keepAliveForever() throws IOException {
    while (!closing.getAsBoolean()) {
      sleep(keepAliveInterval);
      comment();
    }
  }

  private void write(String text) throws IOException {
    writeBytes(out, text.getBytes(StandardCharsets.UTF_8), splitWrites);
  }

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
