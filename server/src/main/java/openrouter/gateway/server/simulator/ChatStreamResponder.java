package openrouter.gateway.server.simulator;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Sends a {@link ServedChat} as an OpenRouter SSE stream (§3). */
final class ChatStreamResponder {
  private final SimulatorOptions options;
  private final BooleanSupplier closing;

  ChatStreamResponder(SimulatorOptions options, BooleanSupplier closing) {
    this.options = options;
    this.closing = closing;
  }

  /**
   * Writes the stream, counting sent deltas in {@code progress}. Throws IOException when the
   * client leaves (the exchange has recorded it).
   */
  void respond(SimulatorExchange exchange, ServedChat served, Progress progress)
      throws IOException {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Cache-Control", "no-cache");
    headers.put("X-Generation-Id", served.id());
    OutputStream body = exchange.start(200, 0, "text/event-stream", headers);
    ChatRequest request = served.request();
    String eol = request.lineEnding();
    SseWriter sse = new SseWriter(body, eol, request.splitWrites(),
        options.keepAliveInterval(), closing);
    for (int i = 0; i < options.processingComments(); i++) {
      sse.comment();
    }
    ChatAnswer answer = served.answer();
    if (answer.shape() == ChatAnswer.Shape.ERROR_IN_200) {
      sse.data(Json.write(served.errorChunk(ServedChat.error524())));
      return;
    }
    if (answer.shape() == ChatAnswer.Shape.MALFORMED) {
      SseWriter.writeBytes(body, ("data: {\"id\":" + eol + eol).getBytes(StandardCharsets.UTF_8),
          request.splitWrites());
      sse.done();
      return;
    }
    int sent = 0;
    for (var delta : answer.deltas()) {
      if (sent > 0) {
        sse.pause(answer.chunkDelay());
      }
      sse.data(Json.write(served.deltaChunk(delta, null, null)));
      progress.deltasSent = ++sent;
    }
    switch (answer.shape()) {
      case NORMAL -> {
        sse.data(Json.write(served.finishChunk()));
        sse.data(Json.write(served.usageChunk(ChatAnswer.assemble(answer.deltas(), sent))));
        sse.done();
      }
      case EMPTY -> {
        sse.data(Json.write(served.usageChunk(ChatAnswer.assemble(answer.deltas(), 0))));
        sse.done();
      }
      case STALL -> sse.keepAliveForever();
      case MIDSTREAM_ERROR, MIDSTREAM_ERROR_STRING ->
          sse.data(Json.write(served.errorChunk(served.midstreamError())));
      case TRUNCATED -> {
        // The body just ends: no finish_reason, no usage, no [DONE].
      }
      default -> throw new IllegalStateException("unhandled shape " + answer.shape());
    }
  }

  /** How far a response got, readable after an IOException. */
  static final class Progress {
    int deltasSent;
  }
}
