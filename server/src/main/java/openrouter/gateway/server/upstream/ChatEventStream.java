package openrouter.gateway.server.upstream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.Response;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import openrouter.gateway.server.json.OpenRouterJson;
import openrouter.gateway.server.upstream.wire.ChatChunk;
import openrouter.gateway.server.upstream.wire.ChatChunks;

/**
 * One streaming {@code /chat/completions} response, read chunk by chunk as the bytes arrive.
 * The HTTP status is checked before any SSE parsing: a non-200 status means a JSON error body.
 * A 200 answered with {@code application/json} instead of an event stream (an error, or a whole
 * completion) is read as one JSON document, as a non-streaming call reads it: see {@link
 * #jsonAnswer()}.
 */
public final class ChatEventStream implements Closeable {
  private static final String DONE = "[DONE]";

  private final Response response;
  private final SseReader sse;
  private final ChatChunk jsonAnswer;
  private final ObjectMapper json;
  private final CallControl control;
  private boolean done;

  private ChatEventStream(Response response, ChatChunk jsonAnswer, UpstreamLimits limits, ObjectMapper json,
      CallControl control) {
    this.response = response;
    this.jsonAnswer = jsonAnswer;
    this.sse = jsonAnswer == null ? new SseReader(response.body().source(), limits) : null;
    this.done = jsonAnswer != null;
    this.json = json;
    this.control = control;
  }

  /** Sends the request and checks the status; throws the mapped failure for an error status. */
  public static ChatEventStream open(Call call, CallControl control) {
    ObjectMapper json = OpenRouterJson.mapper();
    Response response = UpstreamResponses.send(call, control);
    if (response.code() != 200) {
      try (response) {
        throw UpstreamResponses.errorResponse(response);
      }
    }
    UpstreamLimits limits = UpstreamLimits.of(call);
    if (isJson(response)) {
      try (response) {
        JsonNode whole = JsonCall.readBody(response, control, json, limits.maxBodyBytes());
        return new ChatEventStream(response, ChatChunks.parse(whole), limits, json, control);
      }
    }
    return new ChatEventStream(response, null, limits, json, control);
  }

  private static boolean isJson(Response response) {
    MediaType type = response.body().contentType();
    return type != null && type.type().equalsIgnoreCase("application")
        && (type.subtype().equalsIgnoreCase("json") || type.subtype().toLowerCase(java.util.Locale.ROOT).endsWith("+json"));
  }

  /**
   * The whole answer when the upstream answered the streaming request with one JSON document
   * (an error such as {@code {"error":{"code":524,...}}}, or a complete non-streaming body);
   * null for an event stream. With a JSON answer {@link #next()} returns null at once.
   */
  public ChatChunk jsonAnswer() {
    return jsonAnswer;
  }

  /** {@code X-Generation-Id}, known before the first chunk. */
  public String generationIdHeader() {
    String id = response.header("X-Generation-Id");
    return id == null ? "" : id;
  }

  /**
   * The next chunk, read by {@link ChatChunks}, or null when the stream ended: check {@link #sawDone()} to tell a proper
   * end from a cut. Comment keep-alives are skipped and are not progress.
   */
  public ChatChunk next() {
    if (done) {
      return null;
    }
    String data;
    try {
      data = sse.next();
    } catch (IOException e) {
      throw UpstreamResponses.ioFailure(e, control, true);
    }
    if (data == null) {
      return null;
    }
    if (data.strip().equals(DONE)) {
      done = true;
      return null;
    }
    try {
      JsonNode chunk = json.readTree(data);
      if (chunk == null || !chunk.isObject()) {
        throw GatewayFailure.of(Kind.UPSTREAM_MALFORMED, "a stream event is not a JSON object");
      }
      return ChatChunks.parse(chunk);
    } catch (JsonProcessingException e) {
      throw GatewayFailure.of(Kind.UPSTREAM_MALFORMED, "a stream event is not valid JSON");
    }
  }

  /** True once {@code data: [DONE]} arrived. */
  public boolean sawDone() {
    return done;
  }

  @Override
  public void close() {
    response.close();
  }
}
