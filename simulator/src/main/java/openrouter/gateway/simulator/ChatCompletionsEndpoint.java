package openrouter.gateway.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code POST /chat/completions}: authentication, validation, the {@code models} fallback list,
 * then the chosen model's answer as SSE or JSON, and finally its {@code /generation} stats.
 */
final class ChatCompletionsEndpoint {
  private final SimulatorCatalog catalog;
  private final SimulatorOptions options;
  private final GenerationStore generations;
  private final ChatStreamResponder streamResponder;
  private final ChatJsonResponder jsonResponder;

  ChatCompletionsEndpoint(SimulatorCatalog catalog, SimulatorOptions options,
      GenerationStore generations, BooleanSupplier closing) {
    this.catalog = catalog;
    this.options = options;
    this.generations = generations;
    this.streamResponder = new ChatStreamResponder(options, closing);
    this.jsonResponder = new ChatJsonResponder(options, closing);
  }

  /** Larger answers are built on a worker thread, not on the event loop. */
  static final int MAX_IMMEDIATE_DELTAS = 4096;
  static final int MAX_IMMEDIATE_CHARS = 64 * 1024;

  /**
   * Answers at once what needs no waiting (errors, non-streaming answers without pauses);
   * streams go on from the event loop, paced by timers; the rest of a non-streaming answer
   * that waits (pauses, padding, stalls) is returned for a worker thread.
   */
  SlowPart handle(SimulatorExchange exchange) throws IOException {
    // Every answer carries the id, errors included, like OpenRouter's X-Generation-Id.
    String id = options.generationIds().get();
    long created = options.clock().instant().getEpochSecond();
    ArrayNode attempts = JsonBodies.array();
    ServedChat served;
    try {
      authenticate(exchange);
      CompletionRequestBody request = CompletionRequestBody.parse(exchange.recorded().body())
          .withApiKey(exchange.header("authorization"));
      served = chooseModel(id, created, request, attempts);
    } catch (SimulatorError error) {
      exchange.sendError(error, Map.of("X-Generation-Id", id));
      return null;
    }
    if (served.request().stream() && served.answer().shape() != ChatAnswer.Shape.JSON_ERROR_IN_200) {
      exchange.detach();
      streamResponder.start(exchange, served, deltasSent -> {
        try {
          generations.put(served.id(), stats(exchange, served, deltasSent, attempts));
        } finally {
          exchange.finish();
        }
      });
      return null;
    }
    if (answersAtOnce(served)) {
      respondJson(exchange, served, attempts);
      return null;
    }
    return () -> respondJson(exchange, served, attempts);
  }

  /** True when writing the JSON answer never sleeps, never waits for the reader, and is small. */
  static boolean answersAtOnce(ServedChat served) {
    CompletionRequestBody request = served.request();
    ChatAnswer answer = served.answer();
    if (request.splitWrites() || answer.padded() || answer.shape() == ChatAnswer.Shape.STALL
        || answer.shape() == ChatAnswer.Shape.HUGE || answer.shape() == ChatAnswer.Shape.ENDLESS
        || !answer.generationTime().isZero()) {
      return false;
    }
    if (answer.deltas().size() > MAX_IMMEDIATE_DELTAS) {
      return false;
    }
    long chars = 0;
    for (var delta : answer.deltas()) {
      chars += delta.path("content").asText("").length()
          + delta.path("reasoning").asText("").length();
    }
    return chars <= MAX_IMMEDIATE_CHARS;
  }

  private void respondJson(SimulatorExchange exchange, ServedChat served, ArrayNode attempts)
      throws IOException {
    int deltasSent = 0;
    try {
      deltasSent = jsonResponder.respond(exchange, served);
    } finally {
      generations.put(served.id(), stats(exchange, served, deltasSent, attempts));
    }
  }

  private static void authenticate(SimulatorExchange exchange) {
    switch (SimulatorKeys.classify(exchange.header("authorization"))) {
      case MISSING -> throw ErrorResponses.missingAuthentication();
      case REJECTED -> throw ErrorResponses.userNotFound();
      case MANAGEMENT -> throw ErrorResponses.managementKeyOnCompletions();
      case INFERENCE -> { }
    }
  }

  /**
   * Tries {@code model}, then each {@code models} entry: a model that fails before output
   * passes the request on; if every one fails, the last error is the answer.
   */
  private ServedChat chooseModel(String id, long created, CompletionRequestBody request,
      ArrayNode attempts) {
    List<String> candidates = request.candidateModels();
    if (candidates.isEmpty()) {
      candidates = List.of(SimulatorCatalog.DEFAULT_MODEL);
    }
    SimulatorError last = null;
    for (String model : candidates) {
      CatalogEntry entry = catalog.resolve(model);
      try {
        if (entry == null) {
          throw ErrorResponses.modelNotFound(model);
        }
        ChatAnswer answer = entry.scenario().answer(request, entry.id, options);
        attempts.add(attempt(entry.id, 200));
        return new ServedChat(id, created, entry, request, answer);
      } catch (SimulatorError error) {
        attempts.add(attempt(entry != null ? entry.id : model, error.status()));
        last = error;
      }
    }
    throw last;
  }

  private static ObjectNode attempt(String model, int status) {
    ObjectNode attempt = JsonBodies.object();
    attempt.put("provider_name", ServedChat.PROVIDER);
    attempt.put("status", status);
    attempt.put("latency", 0);
    attempt.putNull("id");
    attempt.putNull("endpoint_id");
    attempt.put("model_permaslug", model);
    attempt.put("is_byok", false);
    attempt.putNull("routed_service_tier");
    return attempt;
  }

  /** {@code GET /generation} data (§5.3) for a finished (or abandoned) answer. */
  private ObjectNode stats(SimulatorExchange exchange, ServedChat served, int deltasSent,
      ArrayNode attempts) {
    ChatAnswer answer = served.answer();
    CompletionRequestBody request = served.request();
    boolean cancelled = exchange.clientDisconnected();
    ChatAnswer.Assembled sent = ChatAnswer.assemble(answer.deltas(), deltasSent);
    BigDecimal cost = served.promptCost().add(served.completionCost(sent));
    long latencyMs = (System.nanoTime() - exchange.recorded().receivedAtNanos()) / 1_000_000;
    String finish = switch (answer.shape()) {
      case NORMAL -> cancelled ? null : answer.finishReason();
      case MIDSTREAM_ERROR, MIDSTREAM_ERROR_STRING, ERROR_IN_200, JSON_ERROR_IN_200 -> "error";
      default -> null;
    };

    ObjectNode s = JsonBodies.object();
    s.put("id", served.id());
    s.put("upstream_id", "sim-" + served.id());
    s.putNull("request_id");
    s.put("session_id", request.sessionId());
    s.put("model", served.model());
    s.put("provider_name", ServedChat.PROVIDER);
    s.putNull("router");
    s.putNull("preset_id");
    s.put("api_type", "completions");
    s.putNull("app_id");
    String referer = exchange.header("http-referer");
    s.put("origin", referer == null ? "" : referer);
    s.put("http_referer", referer);
    s.put("user_agent", exchange.header("user-agent"));
    s.put("external_user", request.user());
    s.put("data_region", "global");
    s.putNull("workspace_id");
    s.putNull("web_search_engine");
    s.putNull("response_cache_source_id");
    s.putNull("service_tier");
    s.put("created_at", java.time.Instant.ofEpochSecond(served.created()).toString());
    s.put("latency", latencyMs);
    s.put("generation_time", latencyMs);
    s.putNull("moderation_latency");
    s.put("streamed", request.stream());
    s.put("cancelled", cancelled);
    s.put("finish_reason", finish);
    s.put("native_finish_reason", "stop".equals(finish) || "tool_calls".equals(finish)
        ? answer.nativeFinishReason() : finish);
    s.put("is_byok", false);
    s.set("total_cost", JsonBodies.decimal(cost));
    s.set("usage", JsonBodies.decimal(cost));
    s.putNull("upstream_inference_cost");
    s.putNull("cache_discount");
    s.put("tokens_prompt", request.promptWords());
    s.put("tokens_completion", sent.completionWords());
    s.put("native_tokens_prompt", request.promptWords());
    s.put("native_tokens_completion", sent.completionWords());
    s.put("native_tokens_reasoning", sent.reasoningWords());
    s.put("native_tokens_cached", 0);
    s.put("native_tokens_completion_images", 0);
    s.put("num_media_prompt", request.mediaParts("image_url", "file", "video_url", "input_video"));
    s.put("num_media_completion", 0);
    s.put("num_input_audio_prompt", request.mediaParts("input_audio"));
    s.put("num_search_results", 0);
    s.put("num_fetches", 0);
    s.set("provider_responses", attempts);
    return s;
  }
}
