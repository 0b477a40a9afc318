package openrouter.gateway.tools.cli;

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

  /** {@code deadline}: the call's deadline, named when the call ran out of time (may be null). */
  static int print(GatewayException e, PrintStream err, String command, String target, Duration deadline) {
    StringBuilder head = new StringBuilder("error: ").append(e.code());
    if (!e.reason().isEmpty()) {
      head.append(" (").append(e.reason());
      if (!e.domain().isEmpty()) {
        head.append(", ").append(e.domain());
      }
      head.append(')');
    }
    String description = e.description();
    if (e.code() == io.grpc.Status.Code.DEADLINE_EXCEEDED && e.reason().isEmpty()) {
      // The client's own deadline: grpc-java's text ("CallOptions deadline exceeded after ...
      // Name resolution delay ...") is about its internals, not about what happened.
      description = "no complete answer within the call's deadline"
          + (deadline == null ? "" : " of " + seconds(deadline));
    }
    if (!description.isEmpty()) {
      head.append(": ").append(description);
    }
    err.println(head);
    e.detail(BadRequest.class).ifPresent(bad -> bad.getFieldViolationsList().forEach(v ->
        err.println("  " + v.getField() + ": " + v.getDescription())));
    err.println("hint: " + hint(e, command, target, deadline));
    err.flush();
    return ExitCodes.forCode(e.code());
  }

  static String hint(GatewayException e, String command, String target, Duration deadline) {
    String retry = e.retryDelay().map(d -> "; retry after " + seconds(d)).orElse("");
    switch (e.reason()) {
      case "INSUFFICIENT_CREDITS":
        return "the OpenRouter account is out of credits: "
            + e.detail(Help.class).filter(h -> h.getLinksCount() > 0)
                .map(h -> "add some at " + h.getLinks(0).getUrl())
                .orElse("add credits to it");
      case "CALLER_KEY_REJECTED":
        return "OpenRouter rejected your OpenRouter key: check --openrouter-key or $"
            + GatewayCli.OPENROUTER_KEY_ENV;
      case "OPENROUTER_KEY_IN_AUTHORIZATION":
        return "--api-key / $" + GatewayCli.API_KEY_ENV + " is the gateway caller key; pass your"
            + " OpenRouter key with --openrouter-key or $" + GatewayCli.OPENROUTER_KEY_ENV;
      case "CALLER_KEYS_DISABLED":
        return "this gateway spends its own OpenRouter key: drop --openrouter-key / $"
            + GatewayCli.OPENROUTER_KEY_ENV;
      case "UPSTREAM_BASE_URL_WRONG":
        return "the gateway's OPENROUTER_BASE_URL is wrong (it should end in /api/v1): tell its operator";
      case "UPSTREAM_KEY_REJECTED":
        return "OpenRouter rejected the gateway's own key: tell the gateway's operator";
      case "GATEWAY_OVERLOADED":
        return "the gateway is at its limit of concurrent chats; retry shortly";
      case "MODERATION_FLAGGED", "GUARDRAIL_BLOCKED":
        return "the input was blocked; change it or the model";
      case "TTFT_TIMEOUT", "STREAM_IDLE_TIMEOUT":
        return "the model stopped sending; retry, or add --fallback models";
      case "UPSTREAM_TIMEOUT":
        // OpenRouter's 408/504/524: the provider gave up, whatever deadline the caller set.
        return "openrouter.ai".equals(e.domain())
            ? "the model's provider timed out; retry, or add --fallback models"
            : "the gateway's own time limit for the call passed; retry, or set --timeout";
      case "GENERATION_NOT_FOUND":
        return "check the generation id: use the generation_id a chat reported (chat --json prints"
            + " it), made with the same OpenRouter key; a new one can take a moment to appear";
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
      case UNAUTHENTICATED -> "check the gateway caller key: --api-key or $" + GatewayCli.API_KEY_ENV;
      case PERMISSION_DENIED -> "this request is not allowed for this key or model";
      case DEADLINE_EXCEEDED -> "the call took longer than its deadline"
          + (deadline == null ? "" : " of " + seconds(deadline)) + "; raise --timeout or retry";
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
