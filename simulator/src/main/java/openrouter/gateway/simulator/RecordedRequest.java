package openrouter.gateway.simulator;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One request the simulator received.
 *
 * @param method HTTP method
 * @param path path below {@code /api/v1}, e.g. {@code /chat/completions} (the full path for
 *     requests outside {@code /api/v1})
 * @param query raw query string, or null
 * @param headers request headers with lower-case names; repeated headers joined with ", "
 * @param body the request body as UTF-8 text ("" when empty)
 * @param receivedAtNanos {@link System#nanoTime()} when the request was read
 * @param closedAtNanos completes with {@link System#nanoTime()} when the simulator finished the
 *     response or noticed that the client went away; {@link #end} says which
 * @param end completes (before {@code closedAtNanos}) with how the response ended
 * @param protocol {@code HTTP/1.1}, or {@code HTTP/2} (cleartext, prior knowledge)
 */
public record RecordedRequest(
    String method,
    String path,
    String query,
    Map<String, String> headers,
    String body,
    long receivedAtNanos,
    CompletableFuture<Long> closedAtNanos,
    CompletableFuture<StreamEnd> end,
    String protocol) {

  /** True once the simulator has seen the client disconnect before the response was done. */
  public boolean clientDisconnected() {
    return end.getNow(null) == StreamEnd.CLIENT_DISCONNECTED;
  }

  /** A header by case-insensitive name, or null. */
  public String header(String name) {
    return headers.get(name.toLowerCase(java.util.Locale.ROOT));
  }
}
