package openrouter.gateway.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** {@code GET /models} and {@code GET /model/{author}/{slug}} (§4). Authentication optional. */
final class ModelsEndpoint {
  private final SimulatorCatalog catalog;

  ModelsEndpoint(SimulatorCatalog catalog) {
    this.catalog = catalog;
  }

  /**
   * The listing. Like OpenRouter, {@code output_modalities} defaults to {@code text}, which hides
   * image-only and embedding models; {@code all} or a comma list widens it.
   */
  void list(SimulatorExchange exchange) throws IOException {
    checkKey(exchange);
    Set<String> wanted = wantedModalities(exchange);
    ObjectNode body = JsonBodies.object();
    ArrayNode data = body.putArray("data");
    for (CatalogEntry entry : catalog.all()) {
      if (listed(entry, wanted)) {
        data.add(entry.toJson());
      }
    }
    body.put("total_count", data.size());
    body.putObject("links").putNull("next");
    exchange.sendJson(200, body, Map.of());
  }

  /** The output modalities a listing asks for: {@code text} when the query names none. */
  static Set<String> wantedModalities(SimulatorExchange exchange) {
    String param = exchange.queryParameter("output_modalities");
    return Arrays.stream((param == null || param.isBlank() ? "text" : param).split(","))
        .map(s -> s.trim().toLowerCase(Locale.ROOT))
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toSet());
  }

  /** Whether a listing that asks for {@code wanted} output modalities shows {@code entry}. */
  static boolean listed(CatalogEntry entry, Set<String> wanted) {
    return wanted.contains("all") || entry.outputModalities().stream().anyMatch(wanted::contains);
  }

  /** One model by id, {@code :variant} suffixes accepted. */
  void one(SimulatorExchange exchange, String id) throws IOException {
    checkKey(exchange);
    CatalogEntry entry = catalog.resolve(id);
    if (entry == null) {
      throw ErrorResponses.notFound("Model " + id + " not found");
    }
    ObjectNode body = JsonBodies.object();
    body.set("data", entry.toJson());
    exchange.sendJson(200, body, Map.of());
  }

  /** Public endpoints still refuse a key OpenRouter does not know. */
  private static void checkKey(SimulatorExchange exchange) {
    if (SimulatorKeys.classify(exchange.header("authorization")) == SimulatorKeys.Kind.REJECTED) {
      throw ErrorResponses.userNotFound();
    }
  }
}
