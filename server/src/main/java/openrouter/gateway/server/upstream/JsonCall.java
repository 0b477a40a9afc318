package openrouter.gateway.server.upstream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import okhttp3.Call;
import okhttp3.Response;
import okio.BufferedSource;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import openrouter.gateway.server.json.OpenRouterJson;
import openrouter.gateway.server.upstream.wire.ChatChunk;
import openrouter.gateway.server.upstream.wire.ChatChunks;
import openrouter.gateway.server.upstream.wire.EmbeddingsAnswer;
import openrouter.gateway.server.upstream.wire.EmbeddingsAnswers;
import openrouter.gateway.server.upstream.wire.GenerationStats;

/** A non-streaming upstream call whose 200 body is one JSON document. */
public final class JsonCall {
  private JsonCall() {}

  /** A 200 response: its parsed body and the generation id header. */
  public record JsonResponse(JsonNode body, String generationIdHeader) {}

  /** A 200 non-streaming {@code /chat/completions} answer, read as one chunk. */
  public record Completion(ChatChunk body, String generationIdHeader) {}

  /** As {@link #execute} with OpenRouter's JSON configuration, for a non-streaming chat call. */
  public static Completion completion(Call call, CallControl control) {
    JsonResponse response = execute(call, control, OpenRouterJson.mapper());
    return new Completion(ChatChunks.parse(response.body()), response.generationIdHeader());
  }

  /** As {@link #execute} with OpenRouter's JSON configuration, for {@code GET /generation}. */
  public static GenerationStats generation(Call call, CallControl control) {
    return GenerationStats.parse(execute(call, control, OpenRouterJson.mapper()).body());
  }

  /** As {@link #execute} with OpenRouter's JSON configuration, for {@code POST /embeddings}. */
  public static EmbeddingsAnswer embeddings(Call call, CallControl control) {
    return EmbeddingsAnswers.parse(execute(call, control, OpenRouterJson.mapper()).body());
  }

  /**
   * Executes the call and parses the body. An error status throws the mapped failure; an
   * empty or non-JSON 200 body throws UPSTREAM_MALFORMED; a body over the size bound throws
   * UPSTREAM_TOO_LARGE. Leading whitespace (OpenRouter pads non-streaming bodies while the
   * model works) is skipped by the parser.
   */
  public static JsonResponse execute(Call call, CallControl control, ObjectMapper json) {
    Response response = UpstreamResponses.send(call, control);
    try (response) {
      if (response.code() != 200) {
        throw UpstreamResponses.errorResponse(response);
      }
      JsonNode body = readBody(response, control, json, UpstreamLimits.of(call).maxBodyBytes());
      String gen = response.header("X-Generation-Id");
      return new JsonResponse(body, gen == null ? "" : gen);
    }
  }

  /**
   * The body of a 200 response as one JSON object, reading at most {@code maxBytes} (and one
   * network read) of it: a longer body fails without being buffered whole.
   */
  static JsonNode readBody(Response response, CallControl control, ObjectMapper json, long maxBytes) {
    JsonNode body;
    try {
      if (response.body().contentLength() > maxBytes) {
        throw new UpstreamTooLarge("the response body", maxBytes, UpstreamLimits.BODY_SETTING);
      }
      BufferedSource source = response.body().source();
      if (source.request(maxBytes + 1)) {
        throw new UpstreamTooLarge("the response body", maxBytes, UpstreamLimits.BODY_SETTING);
      }
      body = json.readTree(source.getBuffer().inputStream());
    } catch (JsonProcessingException e) {
      throw GatewayFailure.of(Kind.UPSTREAM_MALFORMED, "the response body is not valid JSON");
    } catch (IOException e) {
      throw UpstreamResponses.ioFailure(e, control, true);
    }
    if (body == null || body.isMissingNode() || !body.isObject()) {
      throw GatewayFailure.of(Kind.UPSTREAM_MALFORMED, "the response body is empty or not a JSON object");
    }
    return body;
  }
}
