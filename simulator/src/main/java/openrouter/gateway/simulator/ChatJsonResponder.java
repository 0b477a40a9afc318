package openrouter.gateway.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Sends a {@link ServedChat} as a non-streaming response (§2.9, §3.6, §6.6). */
final class ChatJsonResponder {
  static final Duration PADDING_INTERVAL = Duration.ofMillis(20);
  static final String BAD_GATEWAY_HTML = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n"
      + "<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n"
      + "</body>\r\n</html>\r\n";

  private final SimulatorOptions options;
  private final BooleanSupplier closing;

  ChatJsonResponder(SimulatorOptions options, BooleanSupplier closing) {
    this.options = options;
    this.closing = closing;
  }

  /** Writes the response; returns how many deltas it contains. */
  int respond(SimulatorExchange exchange, ServedChat served) throws IOException {
    ChatAnswer answer = served.answer();
    Map<String, String> headers = Map.of("X-Generation-Id", served.id());
    boolean split = served.request().splitWrites();
    // A non-streaming answer takes as long as its stream would, then arrives at once.
    SseWriter.sleep(answer.generationTime());
    int all = answer.deltas().size();
    ChatAnswer.Assembled message = ChatAnswer.assemble(answer.deltas(), all);
    switch (answer.shape()) {
      case NORMAL -> {
        ObjectNode json = served.completion(message, true, answer.finishReason(),
            answer.nativeFinishReason(), null);
        if (answer.padded()) {
          OutputStream out = exchange.start(200, 0, "application/json", headers);
          for (String pad : new String[] {"\n", " ", " ", "\n"}) {
            SseWriter.writeBytes(out, pad.getBytes(StandardCharsets.UTF_8), false);
            SseWriter.sleep(PADDING_INTERVAL);
          }
          SseWriter.writeBytes(out, bytes(JsonBodies.write(json)), split);
        } else {
          send(exchange, 200, "application/json", headers, JsonBodies.write(json), split);
        }
      }
      case EMPTY -> send(exchange, 200, "application/json", headers,
          JsonBodies.write(served.completion(message, false, null, null, null)), split);
      case MIDSTREAM_ERROR, MIDSTREAM_ERROR_STRING -> send(exchange, 200, "application/json",
          headers, JsonBodies.write(served.completion(message, true, "error", null,
              served.midstreamError())), split);
      case TRUNCATED -> {
        String full = JsonBodies.write(served.completion(message, true, null, null, null));
        OutputStream out = exchange.start(200, 0, "application/json", headers);
        SseWriter.writeBytes(out, bytes(full.substring(0, full.length() / 2)), split);
      }
      case STALL -> {
        // OpenRouter pads non-streaming bodies with whitespace while the model works (§3.6).
        OutputStream out = exchange.start(200, 0, "application/json", headers);
        while (!closing.getAsBoolean()) {
          SseWriter.writeBytes(out, bytes("\n"), false);
          SseWriter.sleep(options.keepAliveInterval());
        }
      }
      case ERROR_IN_200, JSON_ERROR_IN_200 -> {
        ObjectNode body = JsonBodies.object();
        body.putNull("id");
        body.putNull("choices");
        body.set("error", ServedChat.error524());
        body.put("user_id", ErrorResponses.USER_ID);
        send(exchange, 200, "application/json", headers, JsonBodies.write(body), split);
      }
      case MALFORMED -> send(exchange, 200, "text/html", headers, BAD_GATEWAY_HTML, split);
      case HUGE, ENDLESS -> {
        ObjectNode content = JsonBodies.object();
        content.put("content", BigContent.marker());
        ObjectNode json = served.completion(ChatAnswer.assemble(List.of(content), 1), true, "stop", "stop", null);
        BigContent big = new BigContent(JsonBodies.write(json),
            answer.shape() == ChatAnswer.Shape.HUGE ? served.request().hugeBytes() : -1);
        OutputStream out = exchange.start(200, 0, "application/json", headers);
        SseWriter.writeBytes(out, bytes(big.before), false);
        for (byte[] piece = big.nextPiece(); piece != null && !closing.getAsBoolean(); piece = big.nextPiece()) {
          SseWriter.writeBytes(out, piece, false); // throws once the client is gone
        }
        SseWriter.writeBytes(out, bytes(big.after), false);
      }
      default -> throw new IllegalStateException("unhandled shape " + answer.shape());
    }
    return all;
  }

  private static void send(SimulatorExchange exchange, int status, String contentType,
      Map<String, String> headers, String body, boolean split) throws IOException {
    byte[] bytes = bytes(body);
    // Split writes need a chunked body; otherwise send a Content-Length like OpenRouter.
    OutputStream out = exchange.start(status, split ? 0 : bytes.length, contentType, headers);
    SseWriter.writeBytes(out, bytes, split);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
