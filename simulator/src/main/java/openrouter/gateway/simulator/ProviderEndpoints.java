package openrouter.gateway.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /models/{author}/{slug}/endpoints}, {@code GET /providers} and {@code GET
 * /models/user} (api reference §4.2, §5.4).
 *
 * <p>Every model has three endpoints, so callers see the variety OpenRouter shows:
 * <table>
 * <caption>Endpoints of every model</caption>
 * <tr><th>Provider (tag)</th><th>Status</th><th>Uptime</th><th>Latency, throughput</th></tr>
 * <tr><td>Simulator ({@code simulator})</td><td>0</td><td>99.9 / 99.8 / 99.7</td><td>p50 250 ms
 *     ... p99 850 ms; 120 ... 40 tokens/s</td></tr>
 * <tr><td>SimCloud ({@code simcloud/fp8})</td><td>-2</td><td>91.5 / 95.25 / 98.0</td><td>null
 *     (no recent traffic)</td></tr>
 * <tr><td>Sim Edge ({@code simedge})</td><td>-10</td><td>null</td><td>null</td></tr>
 * </table>
 * Latency and throughput are null for every endpoint when the request has no key, as on
 * OpenRouter. {@code /models/user} lists what {@code /models} lists but the {@code :free}
 * entries: the simulated account's privacy settings forbid the data collection free endpoints
 * need.
 */
final class ProviderEndpoints {
  private final SimulatorCatalog catalog;

  ProviderEndpoints(SimulatorCatalog catalog) {
    this.catalog = catalog;
  }

  /** {@code /models/{author}/{slug}/endpoints}: {@code modelPath} is {@code author/slug}. */
  void endpoints(SimulatorExchange exchange, String modelPath) throws IOException {
    SimulatorKeys.Kind kind = checkKey(exchange);
    CatalogEntry entry = catalog.resolve(modelPath);
    if (entry == null) {
      throw ErrorResponses.notFound("Model " + modelPath + " not found");
    }
    boolean authenticated = kind != SimulatorKeys.Kind.MISSING;
    ObjectNode model = entry.toJson();
    ObjectNode data = JsonBodies.object();
    for (String field : List.of("id", "name", "created", "description", "architecture")) {
      data.set(field, model.get(field));
    }
    ArrayNode endpoints = data.putArray("endpoints");
    endpoints.add(endpoint(model, "Simulator", "simulator", "fp16", 0,
        new Double[] {99.9, 99.8, 99.7}, authenticated ? new double[] {250, 350, 480, 850} : null,
        authenticated ? new double[] {120, 95, 70, 40} : null, true));
    endpoints.add(endpoint(model, "SimCloud", "simcloud/fp8", "fp8", -2,
        new Double[] {91.5, 95.25, 98.0}, null, null, false));
    endpoints.add(endpoint(model, "Sim Edge", "simedge", "unknown", -10,
        new Double[] {null, null, null}, null, null, false));
    ObjectNode body = JsonBodies.object();
    body.set("data", data);
    exchange.sendJson(200, body, Map.of());
  }

  private static ObjectNode endpoint(ObjectNode model, String provider, String tag, String quantization,
      int status, Double[] uptime, double[] latency, double[] throughput, boolean implicitCaching) {
    ObjectNode e = JsonBodies.object();
    e.put("name", provider + " | " + model.path("id").asText());
    e.put("model_id", model.path("id").asText());
    e.put("model_name", model.path("name").asText());
    e.set("context_length", model.get("context_length"));
    e.set("pricing", model.get("pricing"));
    e.put("provider_name", provider);
    e.put("tag", tag);
    e.put("quantization", quantization);
    JsonNode maxCompletion = model.path("top_provider").get("max_completion_tokens");
    e.set("max_completion_tokens", maxCompletion == null ? JsonBodies.object().nullNode() : maxCompletion);
    e.putNull("max_prompt_tokens");
    e.set("supported_parameters", model.get("supported_parameters"));
    e.put("status", status);
    String[] names = {"uptime_last_5m", "uptime_last_30m", "uptime_last_1d"};
    for (int i = 0; i < names.length; i++) {
      if (uptime[i] == null) {
        e.putNull(names[i]);
      } else {
        e.put(names[i], uptime[i]);
      }
    }
    e.put("supports_implicit_caching", implicitCaching);
    e.set("latency_last_30m", percentiles(latency));
    e.set("throughput_last_30m", percentiles(throughput));
    return e;
  }

  private static JsonNode percentiles(double[] values) {
    if (values == null) {
      return JsonBodies.object().nullNode();
    }
    ObjectNode p = JsonBodies.object();
    p.put("p50", values[0]);
    p.put("p75", values[1]);
    p.put("p90", values[2]);
    p.put("p99", values[3]);
    return p;
  }

  /** {@code GET /providers}. */
  void providers(SimulatorExchange exchange) throws IOException {
    checkKey(exchange);
    ObjectNode body = JsonBodies.object();
    ArrayNode data = body.putArray("data");
    data.add(provider("Simulator", "simulator", "US", List.of("US")));
    data.add(provider("SimCloud", "simcloud", "IE", List.of("IE", "DE")));
    data.add(provider("Sim Edge", "simedge", "SG", List.of("SG", "JP", "US")));
    ObjectNode sparse = provider("Sim Labs", "simlabs", null, List.of());
    sparse.putNull("status_page_url");
    data.add(sparse);
    exchange.sendJson(200, body, Map.of());
  }

  private static ObjectNode provider(String name, String slug, String headquarters, List<String> datacenters) {
    ObjectNode p = JsonBodies.object();
    p.put("name", name);
    p.put("slug", slug);
    p.put("privacy_policy_url", "https://" + slug + ".example/privacy");
    p.put("terms_of_service_url", "https://" + slug + ".example/terms");
    p.put("status_page_url", "https://status." + slug + ".example");
    if (headquarters == null) {
      p.putNull("headquarters");
    } else {
      p.put("headquarters", headquarters);
    }
    p.set("datacenters", JsonBodies.strings(datacenters));
    return p;
  }

  /** {@code GET /models/user}: bearer key required; {@code output_modalities} as on /models. */
  void userModels(SimulatorExchange exchange) throws IOException {
    if (checkKey(exchange) == SimulatorKeys.Kind.MISSING) {
      throw ErrorResponses.missingAuthentication();
    }
    Set<String> wanted = ModelsEndpoint.wantedModalities(exchange);
    ObjectNode body = JsonBodies.object();
    ArrayNode data = body.putArray("data");
    for (CatalogEntry entry : catalog.all()) {
      if (ModelsEndpoint.listed(entry, wanted) && !entry.id.endsWith(":free")) {
        data.add(entry.toJson());
      }
    }
    exchange.sendJson(200, body, Map.of());
  }

  /** Public endpoints still refuse a key OpenRouter does not know. */
  static SimulatorKeys.Kind checkKey(SimulatorExchange exchange) {
    SimulatorKeys.Kind kind = SimulatorKeys.classify(exchange.header("authorization"));
    if (kind == SimulatorKeys.Kind.REJECTED) {
      throw ErrorResponses.userNotFound();
    }
    return kind;
  }
}
