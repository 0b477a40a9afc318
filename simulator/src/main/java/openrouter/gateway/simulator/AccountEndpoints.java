package openrouter.gateway.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** {@code GET /credits}, {@code GET /key} and {@code GET /generation} (§5.1 to §5.3). */
final class AccountEndpoints {
  private final AtomicReference<Credits> credits =
      new AtomicReference<>(new Credits(new BigDecimal("100.5"), new BigDecimal("25.75")));
  private final GenerationStore generations;

  AccountEndpoints(GenerationStore generations) {
    this.generations = generations;
  }

  void setCredits(BigDecimal total, BigDecimal usage) {
    credits.set(new Credits(total, usage));
  }

  /** Management keys only; any other valid key gets 403. */
  void credits(SimulatorExchange exchange) throws IOException {
    if (authenticate(exchange) != SimulatorKeys.Kind.MANAGEMENT) {
      throw ErrorResponses.managementKeyRequired();
    }
    Credits now = credits.get();
    ObjectNode body = JsonBodies.object();
    ObjectNode data = body.putObject("data");
    data.set("total_credits", JsonBodies.decimal(now.total));
    data.set("total_usage", JsonBodies.decimal(now.usage));
    exchange.sendJson(200, body, Map.of());
  }

  /** The calling key's figures; its label is truncated, never the whole key. */
  void key(SimulatorExchange exchange) throws IOException {
    SimulatorKeys.Kind kind = authenticate(exchange);
    String key = SimulatorKeys.bearerToken(exchange.header("authorization"));
    Credits now = credits.get();
    ObjectNode body = JsonBodies.object();
    ObjectNode data = body.putObject("data");
    data.put("label", SimulatorKeys.label(key));
    data.set("limit", JsonBodies.decimal(now.total));
    data.set("limit_remaining", JsonBodies.decimal(now.total.subtract(now.usage)));
    data.put("limit_reset", "monthly");
    data.put("include_byok_in_limit", false);
    for (String field : new String[] {"usage", "usage_daily", "usage_weekly", "usage_monthly"}) {
      data.set(field, JsonBodies.decimal(now.usage));
    }
    for (String field : new String[] {"byok_usage", "byok_usage_daily", "byok_usage_weekly",
        "byok_usage_monthly"}) {
      data.put(field, 0);
    }
    data.put("is_free_tier", false);
    data.put("is_management_key", kind == SimulatorKeys.Kind.MANAGEMENT);
    data.put("is_provisioning_key", kind == SimulatorKeys.Kind.MANAGEMENT);
    data.put("creator_user_id", ErrorResponses.USER_ID);
    data.putNull("expires_at");
    ObjectNode rateLimit = data.putObject("rate_limit");
    rateLimit.put("requests", -1);
    rateLimit.put("interval", "10s");
    rateLimit.put("note", "This field is deprecated and safe to ignore.");
    exchange.sendJson(200, body, Map.of());
  }

  /** Stats of a finished generation; 404 while they are "not yet consistent" or unknown. */
  void generation(SimulatorExchange exchange) throws IOException {
    authenticate(exchange);
    String id = exchange.queryParameter("id");
    if (id == null || id.isEmpty()) {
      throw ErrorResponses.invalidRequest("Missing required parameter: id");
    }
    ObjectNode stats = generations.get(id);
    if (stats == null) {
      throw ErrorResponses.notFound("Generation " + id + " not found");
    }
    ObjectNode body = JsonBodies.object();
    body.set("data", stats);
    exchange.sendJson(200, body, Map.of());
  }

  private static SimulatorKeys.Kind authenticate(SimulatorExchange exchange) {
    SimulatorKeys.Kind kind = SimulatorKeys.classify(exchange.header("authorization"));
    return switch (kind) {
      case MISSING -> throw ErrorResponses.missingAuthentication();
      case REJECTED -> throw ErrorResponses.userNotFound();
      default -> kind;
    };
  }

  private record Credits(BigDecimal total, BigDecimal usage) {}
}
