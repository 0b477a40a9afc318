package openrouter.gateway.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An HTTP error response in OpenRouter's shape, thrown by handlers and scenarios and turned
 * into a response by the server. Carries no stack trace: it is control flow, not a bug.
 */
final class SimulatorError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final transient ObjectNode body;
  private final Map<String, String> headers;

  SimulatorError(int status, ObjectNode body, Map<String, String> headers) {
    super("HTTP " + status + ": " + body.path("error").path("message").asText(), null, false, false);
    this.status = status;
    this.body = body;
    this.headers = new LinkedHashMap<>(headers);
  }

  int status() {
    return status;
  }

  ObjectNode body() {
    return body;
  }

  Map<String, String> headers() {
    return headers;
  }
}
