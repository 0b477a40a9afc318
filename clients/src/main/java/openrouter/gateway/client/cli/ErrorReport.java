package openrouter.gateway.client.cli;

import com.google.rpc.BadRequest;
import com.google.rpc.Help;
import java.io.PrintStream;
import java.time.Duration;
import openrouter.gateway.client.GatewayException;

/**
 * Prints a failed call for a person: the code and reason, the gateway's message, the field
 * violations of an invalid request, and a one-line hint of what to do next. Returns the exit
 * code.
 */
final class ErrorReport {
  private ErrorReport() {}

  static int print(GatewayException e, PrintStream err, String command, String target) {
    StringBuilder head = new StringBuilder("error: ").append(e.code());
    if (!e.reason().isEmpty()) {
      head.append(" (").append(e.reason());
      if (!e.domain().isEmpty()) {
        head.append(", ").append(e.domain());
      }
      head.append(')');
    }
    if (!e.description().isEmpty()) {
      head.append(": ").append(e.description());
    }
    err.println(head);
    e.detail(BadRequest.class).ifPresent(bad -> bad.getFieldViolationsList().forEach(v ->
        err.println("  " + v.getField() + ": " + v.getDescription())));
    err.println("hint: " + hint(e, command, target));
    err.flush();
    return ExitCodes.forCode(e.code());
  }

  static String hint(GatewayException e, String command, String target) {
    String retry = e.retryDelay().map(d -> "; retry after " + seconds(d)).orElse("");
    switch (e.reason()) {
      case "INSUFFICIENT_CREDITS":
        return "the OpenRouter account is out of credits: "
            + e.detail(Help.class).filter(h -> h.getLinksCount() > 0)
                .map(h -> "add some at " + h.getLinks(0).getUrl())
                .orElse("add credits to it");
      case "CALLER_KEY_REJECTED":
        return "OpenRouter rejected your key: check --api-key or $" + GatewayCli.API_KEY_ENV;
      case "UPSTREAM_KEY_REJECTED":
        return "OpenRouter rejected the gateway's own key: tell the gateway's operator";
      case "GATEWAY_OVERLOADED":
        return "the gateway is at its limit of concurrent chats; retry shortly";
      case "MODERATION_FLAGGED", "GUARDRAIL_BLOCKED":
        return "the input was blocked; change it or the model";
      case "TTFT_TIMEOUT", "STREAM_IDLE_TIMEOUT":
        return "the model stopped sending; retry, or add --fallback models";
      default:
        break;
    }
    return switch (e.code()) {
      case UNAVAILABLE -> e.reason().isEmpty()
          ? "is a gateway running at " + target + "? Set --target or $" + GatewayCli.TARGET_ENV
              + (e.description().contains("SSL") || e.description().contains("TLS")
                  ? " (and check --tls / --ca-cert)" : "")
          : "the model or its provider failed; retry later or add --fallback models" + retry;
      case RESOURCE_EXHAUSTED -> "rate limited" + (retry.isEmpty() ? "; retry later" : retry);
      case INVALID_ARGUMENT -> "change the request as the message says";
      case NOT_FOUND -> e.reason().isEmpty()
          ? "nothing by that name"
          : "check the model id: gateway-cli models --query <text>";
      case FAILED_PRECONDITION -> "the account or model is not in a state to serve this request";
      case UNAUTHENTICATED -> "check --api-key or $" + GatewayCli.API_KEY_ENV;
      case PERMISSION_DENIED -> "this request is not allowed for this key or model";
      case DEADLINE_EXCEEDED -> "the call took longer than its deadline; raise --timeout or retry";
      case UNIMPLEMENTED -> "this gateway does not implement '" + command + "' yet; upgrade the gateway";
      case CANCELLED -> "the call was cancelled";
      default -> e.reason().isEmpty()
          ? "the gateway failed; its logs say more"
          : "see docs/error-mapping.md for " + e.reason();
    };
  }

  private static String seconds(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + "s" : String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
  }
}
