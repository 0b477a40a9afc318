package openrouter.gateway.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * {@code POST /embeddings} and {@code GET /embeddings/models} (api reference §5.6, §4.2).
 *
 * <p>Vectors are deterministic: the same model, input and dimensions give the same unit-length
 * float32 vector (seeded by a SHA-256 of them), so tests can compare runs. {@code
 * encoding_format: "base64"} sends each vector as base64 of little-endian float32s, like
 * OpenAI and OpenRouter. Embedding models are the catalogue's entries with the {@code
 * embeddings} output modality plus the models below.
 *
 * <table>
 * <caption>Embedding models and fault models on /embeddings</caption>
 * <tr><th>Model</th><th>Behaviour</th></tr>
 * <tr><td>{@code sim/embed}</td><td>256 dimensions by default ({@code dimensions} 1 to 4096
 *     honoured); a token is a whitespace-separated word (or a token id, or 85 per media
 *     part); 0.00000002 per token.</td></tr>
 * <tr><td>{@code sim/embed-reversed}</td><td>Like {@code sim/embed}, but {@code data} lists the
 *     embeddings in reverse input order (their {@code index} fields stay right).</td></tr>
 * <tr><td>{@code sim/error-<status>}, {@code sim/error-429-availability}</td><td>The same
 *     errors as on chat.</td></tr>
 * <tr><td>{@code sim/malformed}</td><td>200 with an HTML "502 Bad Gateway" page.</td></tr>
 * <tr><td>{@code sim/truncated}</td><td>200 with the JSON body cut in half.</td></tr>
 * <tr><td>{@code sim/error-in-200}</td><td>200 whose body is an error (code 524).</td></tr>
 * <tr><td>{@code sim/stall}, {@code sim/stall-first}</td><td>200 and whitespace padding
 *     forever.</td></tr>
 * </table>
 */
final class EmbeddingsEndpoint {
  static final int DEFAULT_DIMENSIONS = 256;
  static final int MAX_DIMENSIONS = 4096;
  /** OpenAI's and OpenRouter's limit on inputs per request. */
  static final int MAX_INPUTS = 2048;
  static final int MEDIA_PART_TOKENS = 85;
  static final String PRICE_PER_TOKEN = "0.00000002";

  private final SimulatorCatalog catalog;
  private final SimulatorOptions options;
  private final BooleanSupplier closing;
  private final List<CatalogEntry> simModels = List.of(
      embeddingModel("sim/embed", "Sim: Embed",
          "Deterministic embeddings: the same input gives the same vector."),
      embeddingModel("sim/embed-reversed", "Sim: Embed Reversed",
          "Like sim/embed, with the embeddings listed in reverse input order."));

  EmbeddingsEndpoint(SimulatorCatalog catalog, SimulatorOptions options, BooleanSupplier closing) {
    this.catalog = catalog;
    this.options = options;
    this.closing = closing;
  }

  private static CatalogEntry embeddingModel(String id, String name, String description) {
    return new CatalogEntry(id).name(name).created(1_767_225_600L).description(description)
        .context(8_192, 0).output("embeddings").prices(PRICE_PER_TOKEN, "0").onlyParameters();
  }

  /** {@code GET /embeddings/models}: the same shape as {@code /models}. */
  void list(SimulatorExchange exchange) throws IOException {
    ProviderEndpoints.checkKey(exchange);
    ObjectNode body = JsonBodies.object();
    ArrayNode data = body.putArray("data");
    for (CatalogEntry entry : embeddingModels()) {
      data.add(entry.toJson());
    }
    exchange.sendJson(200, body, Map.of());
  }

  private List<CatalogEntry> embeddingModels() {
    List<CatalogEntry> models = new ArrayList<>(simModels);
    for (CatalogEntry entry : catalog.all()) {
      if (entry.outputModalities().contains("embeddings")) {
        models.add(entry);
      }
    }
    return models;
  }

  /** {@code POST /embeddings}; answers at once or returns the slow rest (stalls). */
  SlowPart handle(SimulatorExchange exchange) throws IOException {
    String id = options.generationIds().get();
    Map<String, String> headers = Map.of("X-Generation-Id", id);
    switch (SimulatorKeys.classify(exchange.header("authorization"))) {
      case MISSING -> throw ErrorResponses.missingAuthentication();
      case REJECTED -> throw ErrorResponses.userNotFound();
      case MANAGEMENT -> throw ErrorResponses.managementKeyOnCompletions();
      case INFERENCE -> { }
    }
    JsonNode request;
    try {
      request = JsonBodies.MAPPER.readTree(exchange.recorded().body());
    } catch (IOException e) {
      throw ErrorResponses.invalidRequest("Invalid JSON body");
    }
    if (request == null || !request.isObject()) {
      throw ErrorResponses.invalidRequest("Invalid JSON body");
    }
    String model = request.path("model").asText("");
    if (model.isEmpty()) {
      throw ErrorResponses.invalidRequest("model is required");
    }
    List<JsonNode> inputs = inputs(request.get("input"));
    switch (model) {
      case "sim/malformed" -> {
        send(exchange, "text/html", headers, ChatJsonResponder.BAD_GATEWAY_HTML);
        return null;
      }
      case "sim/error-in-200" -> {
        ObjectNode body = JsonBodies.object();
        body.putNull("id");
        body.putNull("data");
        body.set("error", ServedChat.error524());
        send(exchange, "application/json", headers, JsonBodies.write(body));
        return null;
      }
      case "sim/stall", "sim/stall-first" -> {
        return () -> {
          OutputStream out = exchange.start(200, 0, "application/json", headers);
          while (!closing.getAsBoolean()) {
            SseWriter.writeBytes(out, "\n".getBytes(StandardCharsets.UTF_8), false);
            SseWriter.sleep(options.keepAliveInterval());
          }
        };
      }
      case "sim/error-429-availability" -> throw ErrorResponses.capacityExhausted(model);
      default -> { }
    }
    if (model.startsWith("sim/error-")) {
      int status;
      try {
        status = Integer.parseInt(model.substring("sim/error-".length()));
      } catch (NumberFormatException e) {
        throw ErrorResponses.modelNotFound(model);
      }
      if (!ErrorResponses.FAULT_STATUSES.contains(status)) {
        throw ErrorResponses.modelNotFound(model);
      }
      throw ErrorResponses.fault(status, model, () -> inputs.get(0).toString(), options.clock());
    }
    String served = model.equals("sim/truncated") ? "sim/embed" : servingModel(model);
    int dimensions = DEFAULT_DIMENSIONS;
    JsonNode dims = request.get("dimensions");
    if (dims != null && !dims.isNull()) {
      if (!dims.canConvertToInt() || dims.asInt() < 1 || dims.asInt() > MAX_DIMENSIONS) {
        throw ErrorResponses.invalidRequest("dimensions must be an integer from 1 to " + MAX_DIMENSIONS);
      }
      dimensions = dims.asInt();
    }
    boolean base64 = "base64".equals(request.path("encoding_format").asText("float"));
    ObjectNode body = JsonBodies.object();
    body.put("id", id);
    body.put("object", "list");
    body.put("model", served);
    body.put("provider", ServedChat.PROVIDER);
    ArrayNode data = body.putArray("data");
    long tokens = 0;
    List<ObjectNode> items = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      float[] vector = vector(served, inputs.get(i), dimensions);
      tokens += tokens(inputs.get(i));
      ObjectNode item = JsonBodies.object();
      item.put("object", "embedding");
      item.put("index", i);
      if (base64) {
        item.put("embedding", base64(vector));
      } else {
        ArrayNode values = item.putArray("embedding");
        for (float v : vector) {
          values.add(v);
        }
      }
      items.add(item);
    }
    if (model.equals("sim/embed-reversed")) {
      java.util.Collections.reverse(items);
    }
    items.forEach(data::add);
    ObjectNode usage = body.putObject("usage");
    usage.put("prompt_tokens", tokens);
    usage.put("total_tokens", tokens);
    usage.set("cost", JsonBodies.decimal(new BigDecimal(PRICE_PER_TOKEN).multiply(BigDecimal.valueOf(tokens))));
    usage.put("is_byok", false);
    String text = JsonBodies.write(body);
    if (model.equals("sim/truncated")) {
      text = text.substring(0, text.length() / 2);
    }
    send(exchange, "application/json", headers, text);
    return null;
  }

  /** The embedding model that serves {@code model}, or the 404/400 OpenRouter would send. */
  private String servingModel(String model) {
    for (CatalogEntry entry : simModels) {
      if (entry.id.equals(model)) {
        return entry.id;
      }
    }
    CatalogEntry entry = catalog.resolve(model);
    if (entry == null) {
      throw ErrorResponses.modelNotFound(model);
    }
    if (!entry.outputModalities().contains("embeddings")) {
      throw ErrorResponses.invalidRequest("Model " + model + " does not support embeddings");
    }
    return entry.id;
  }

  /** The inputs of the request, one node each; 400 for what OpenRouter refuses. */
  static List<JsonNode> inputs(JsonNode input) {
    if (input == null || input.isNull()) {
      throw ErrorResponses.invalidRequest("input is required");
    }
    if (input.isTextual()) {
      return List.of(input);
    }
    if (!input.isArray() || input.isEmpty()) {
      throw ErrorResponses.invalidRequest("input must be a string, an array of strings, token"
          + " arrays or multimodal inputs, and must not be empty");
    }
    if (input.get(0).isNumber()) {
      return List.of(input); // one token array
    }
    if (input.size() > MAX_INPUTS) {
      throw ErrorResponses.invalidRequest("input must have at most " + MAX_INPUTS + " items");
    }
    List<JsonNode> out = new ArrayList<>(input.size());
    input.forEach(out::add);
    return out;
  }

  private static long tokens(JsonNode input) {
    if (input.isTextual()) {
      String t = input.asText().trim();
      return t.isEmpty() ? 0 : t.split("\\s+").length;
    }
    if (input.isArray()) {
      return input.size();
    }
    long n = 0;
    for (JsonNode part : input.path("content")) {
      n += "text".equals(part.path("type").asText()) ? tokens(part.path("text")) : MEDIA_PART_TOKENS;
    }
    return n;
  }

  /** A unit-length vector seeded by the model, the input as JSON and the dimensions. */
  static float[] vector(String model, JsonNode input, int dimensions) {
    byte[] seed;
    try {
      seed = MessageDigest.getInstance("SHA-256").digest(
          (model + "\n" + dimensions + "\n" + JsonBodies.write(input)).getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
    SplittableRandom random = new SplittableRandom(ByteBuffer.wrap(seed).getLong());
    float[] v = new float[dimensions];
    double norm = 0;
    for (int i = 0; i < dimensions; i++) {
      v[i] = (float) (random.nextDouble() * 2 - 1);
      norm += v[i] * v[i];
    }
    float scale = (float) (1 / Math.sqrt(norm));
    for (int i = 0; i < dimensions; i++) {
      v[i] *= scale;
    }
    return v;
  }

  static String base64(float[] vector) {
    ByteBuffer bytes = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : vector) {
      bytes.putFloat(f);
    }
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  private static void send(SimulatorExchange exchange, String contentType, Map<String, String> headers,
      String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    OutputStream out = exchange.start(200, bytes.length, contentType, headers);
    SseWriter.writeBytes(out, bytes, false);
  }
}
