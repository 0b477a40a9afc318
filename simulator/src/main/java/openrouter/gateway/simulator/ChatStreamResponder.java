package openrouter.gateway.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a {@link ServedChat} as an OpenRouter SSE stream (§3), from the connection's event loop:
 * pauses between chunks are timers, not sleeping threads, so thousands of paced streams cost no
 * thread each and no hand-off per event. The events and their timing are those of a writer that
 * sleeps: pauses up to {@value #SILENT_PAUSE_LIMIT_MS} ms are silent, longer ones carry a
 * keep-alive comment every {@code keepAliveInterval}; a client that stops reading pauses the
 * stream until it reads again.
 */
final class ChatStreamResponder {
  private static final Logger log = LoggerFactory.getLogger(ChatStreamResponder.class);
  static final long SILENT_PAUSE_LIMIT_MS = 50;
  private static final long SILENT_PAUSE_LIMIT_NANOS = SILENT_PAUSE_LIMIT_MS * 1_000_000;
  /** Events written in one go before other connections get the event loop again. */
  private static final int MAX_EVENTS_PER_TURN = 64;

  private final SimulatorOptions options;
  private final BooleanSupplier closing;

  ChatStreamResponder(SimulatorOptions options, BooleanSupplier closing) {
    this.options = options;
    this.closing = closing;
  }

  /**
   * Starts the stream; must be called on the exchange's event loop. {@code onEnd} runs once, on
   * the event loop, with the number of deltas sent, when the stream ends in any way (complete,
   * client gone, simulator closing); it must finish the exchange.
   */
  void start(SimulatorExchange exchange, ServedChat served, IntConsumer onEnd) {
    new Stream(exchange, served, onEnd).run();
  }

  private enum Phase { HEAD, COMMENTS, OPENING, DELTAS, PAUSING, TAIL, STALL_WAIT, STALL_COMMENT, BIG, END }

  /** Where a stream is; each {@link #advance} writes at most one event. */
  private final class Stream implements Runnable {
    private final SimulatorExchange exchange;
    private final ServedChat served;
    private final IntConsumer onEnd;
    private final ChatAnswer answer;
    private final List<ObjectNode> deltas;
    private final String eol;
    private final boolean split;
    private final long keepAliveNanos;
    private OutputStream body;
    private Phase phase = Phase.HEAD;
    private int commentsLeft;
    private int sent;
    private boolean pausedBeforeNext;
    private long pauseDeadline;
    private boolean ended;
    private BigContent big;

    Stream(SimulatorExchange exchange, ServedChat served, IntConsumer onEnd) {
      this.exchange = exchange;
      this.served = served;
      this.onEnd = onEnd;
      this.answer = served.answer();
      this.deltas = answer.deltas();
      this.eol = served.request().lineEnding();
      this.split = served.request().splitWrites();
      this.keepAliveNanos = options.keepAliveInterval().toNanos();
      this.commentsLeft = options.processingComments();
    }

    /** Writes events until the stream must wait (timer, slow reader) or ends. */
    @Override
    public void run() {
      if (ended) {
        return;
      }
      // Split writes flush every 3-byte piece (their point); otherwise events written in one
      // turn share a socket write.
      exchange.batchFlushes(!split);
      try {
        for (int events = 0; ; events++) {
          if (!exchange.open()) {
            end();
            return;
          }
          if (!exchange.writableOrResumeLater(this)) {
            return;
          }
          if (events == MAX_EVENTS_PER_TURN) {
            exchange.flushSocket();
            exchange.execute(this);
            return;
          }
          long waitNanos = advance();
          if (phase == Phase.END) {
            end();
            return;
          }
          if (waitNanos > 0) {
            exchange.flushSocket();
            exchange.schedule(this, waitNanos);
            return;
          }
        }
      } catch (IOException e) {
        // The client went away (recorded by the exchange).
        log.debug("simulator stream ended early: {}", e.toString());
        end();
      } catch (RuntimeException e) {
        log.warn("simulator bug while streaming {}", served.id(), e);
        end();
      }
    }

    private void end() {
      if (ended) {
        return;
      }
      ended = true;
      exchange.batchFlushes(false);
      onEnd.accept(sent);
    }

    /** Writes the next event (or nothing); returns how long to wait before the next call. */
    private long advance() throws IOException {
      switch (phase) {
        case HEAD -> {
          Map<String, String> headers = new LinkedHashMap<>();
          headers.put("Cache-Control", "no-cache");
          headers.put("X-Generation-Id", served.id());
          body = exchange.start(200, 0, "text/event-stream", headers);
          phase = Phase.COMMENTS;
        }
        case COMMENTS -> {
          if (commentsLeft > 0) {
            commentsLeft--;
            comment();
          } else {
            phase = Phase.OPENING;
          }
        }
        case OPENING -> {
          switch (answer.shape()) {
            case ERROR_IN_200 -> {
              data(JsonBodies.write(served.errorChunk(ServedChat.error524())));
              phase = Phase.END;
            }
            case HUGE, ENDLESS -> {
              ObjectNode content = JsonBodies.object();
              content.put("content", BigContent.marker());
              big = new BigContent(JsonBodies.write(served.deltaChunk(content, null, null)),
                  answer.shape() == ChatAnswer.Shape.HUGE ? served.request().hugeBytes() : -1);
              write("data: " + big.before);
              phase = Phase.BIG;
            }
            case MALFORMED -> {
              SseWriter.writeBytes(body,
                  ("data: {\"id\":" + eol + eol).getBytes(StandardCharsets.UTF_8), split);
              data("[DONE]");
              phase = Phase.END;
            }
            default -> phase = Phase.DELTAS;
          }
        }
        case DELTAS -> {
          if (sent == deltas.size()) {
            phase = Phase.TAIL;
          } else if (sent > 0 && !pausedBeforeNext) {
            pausedBeforeNext = true;
            return pause(answer.chunkDelay());
          } else {
            pausedBeforeNext = false;
            data(JsonBodies.write(served.deltaChunk(deltas.get(sent), null, null)));
            sent++;
          }
        }
        case PAUSING -> {
          // A timer fired inside a long pause: a keep-alive comment unless the pause is over.
          if (pauseDeadline - System.nanoTime() > 0) {
            comment();
            long remaining = pauseDeadline - System.nanoTime();
            if (remaining > 0) {
              return Math.min(remaining, keepAliveNanos);
            }
          }
          phase = Phase.DELTAS;
        }
        case TAIL -> tail();
        case STALL_WAIT -> {
          if (closing.getAsBoolean()) {
            phase = Phase.END;
          } else {
            phase = Phase.STALL_COMMENT;
            return keepAliveNanos;
          }
        }
        case BIG -> {
          // One piece per turn, so the writability check between turns paces the writes.
          byte[] piece = closing.getAsBoolean() ? null : big.nextPiece();
          if (piece != null) {
            SseWriter.writeBytes(body, piece, false);
          } else if (closing.getAsBoolean()) {
            phase = Phase.END;
          } else {
            write(big.after + eol + eol);
            phase = Phase.TAIL;
          }
        }
        case STALL_COMMENT -> {
          comment();
          phase = Phase.STALL_WAIT;
        }
        case END -> { }
        default -> throw new IllegalStateException("unhandled phase " + phase);
      }
      return 0;
    }

    /** How the stream ends after its deltas, by answer shape. */
    private void tail() throws IOException {
      phase = Phase.END;
      switch (answer.shape()) {
        case NORMAL -> {
          data(JsonBodies.write(served.finishChunk()));
          data(JsonBodies.write(served.usageChunk(ChatAnswer.assemble(deltas, sent))));
          data("[DONE]");
        }
        case EMPTY -> {
          data(JsonBodies.write(served.usageChunk(ChatAnswer.assemble(deltas, 0))));
          data("[DONE]");
        }
        case STALL -> phase = Phase.STALL_WAIT;
        case MIDSTREAM_ERROR, MIDSTREAM_ERROR_STRING ->
            data(JsonBodies.write(served.errorChunk(served.midstreamError())));
        case TRUNCATED -> {
          // The body just ends: no finish_reason, no usage, no [DONE].
        }
        case HUGE -> {
          data(JsonBodies.write(served.finishChunk()));
          data(JsonBodies.write(served.usageChunk(ChatAnswer.assemble(deltas, 0))));
          data("[DONE]");
        }
        default -> throw new IllegalStateException("unhandled shape " + answer.shape());
      }
    }

    /**
     * Starts a pause: short ones are silent, longer ones wake every keep-alive interval to
     * write a comment (PAUSING) until the pause is over.
     */
    private long pause(Duration duration) {
      long nanos = duration.toNanos();
      if (nanos <= SILENT_PAUSE_LIMIT_NANOS) {
        return nanos;
      }
      pauseDeadline = System.nanoTime() + nanos;
      phase = Phase.PAUSING;
      return Math.min(nanos, keepAliveNanos);
    }

    private void comment() throws IOException {
      write(SseWriter.PROCESSING + eol + eol);
    }

    private void data(String payload) throws IOException {
      write("data: " + payload + eol + eol);
    }

    private void write(String text) throws IOException {
      SseWriter.writeBytes(body, text.getBytes(StandardCharsets.UTF_8), split);
    }
  }
}
