package openrouter.gateway.server.upstream.wire;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request body for OpenRouter, written by this package ({@link ChatRequestBodies},
 * {@link EmbedRequestBodies}); callers pass it on to the HTTP client as it is, so the JSON is
 * written in one place.
 */
public final class OpenRouterBody {
  private final ObjectNode json;

  OpenRouterBody(ObjectNode json) {
    this.json = json;
  }

  /** The JSON text to send. */
  public String json() {
    return json.toString();
  }

  @Override
  public String toString() {
    return json();
  }
}
