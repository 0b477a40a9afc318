package openrouter.gateway.server.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import openrouter.gateway.server.json.OpenRouterJson;
import openrouter.gateway.server.upstream.wire.OpenRouterBody;

/**
 * A scripted upstream for {@link ChatRunner}: each attempt takes the next scripted answer (an
 * event stream, an HTTP error, a broken connection) and every request body is recorded. The
 * calls are real OkHttp calls whose only interceptor answers from the script, so nothing goes
 * on the network and cancellation behaves as OkHttp's does.
 */
final class ScriptedUpstream implements ChatRunner.Upstream {
  /** One scripted attempt: given the request, the answer (or a failure to connect). */
  interface Answer {
    Response answer(Request request) throws IOException;
  }

  private final Deque<Answer> script = new ArrayDeque<>();
  private final List<JsonNode> requests = new ArrayList<>();
  private final OkHttpClient http = new OkHttpClient.Builder()
      .retryOnConnectionFailure(false)
      .addInterceptor(chain -> {
        Request request = chain.request();
        synchronized (this) {
          requests.add(body(request));
        }
        Answer next;
        synchronized (this) {
          next = script.poll();
        }
        if (next == null) {
          throw new AssertionError("an attempt the script did not expect: " + requests.get(requests.size() - 1));
        }
        return next.answer(request);
      })
      .build();

  /** Adds answers for the next attempts, in order. */
  synchronized ScriptedUpstream then(Answer... answers) {
    script.addAll(List.of(answers));
    return this;
  }

  /** The request bodies received, in order. */
  synchronized List<JsonNode> requests() {
    return List.copyOf(requests);
  }

  /** The models each attempt asked for: {@code model} then {@code models}. */
  synchronized List<List<String>> attemptedModels() {
    List<List<String>> out = new ArrayList<>();
    for (JsonNode body : requests) {
      List<String> models = new ArrayList<>();
      models.add(body.path("model").asText());
      body.path("models").forEach(m -> models.add(m.asText()));
      out.add(models);
    }
    return out;
  }

  @Override
  public Call newChatCall(OpenRouterBody body, boolean stream, Optional<String> callerKey) {
    return http.newCall(new Request.Builder()
        .url("http://upstream.invalid/api/v1/chat/completions")
        .post(RequestBody.create(body.json(), MediaType.get("application/json")))
        .build());
  }

  /** An event stream of these {@code data:} payloads (single quotes become double). */
  static Answer events(String... data) {
    StringBuilder sse = new StringBuilder();
    for (String d : data) {
      sse.append("data: ").append(d.replace('\'', '"')).append("\n\n");
    }
    return request -> response(request, 200, sse.toString(), "text/event-stream");
  }

  /** A whole (non-streaming) completion of {@code model}. */
  static Answer completion(String model, String content) {
    return request -> response(request, 200, ("{'id':'gen-2','model':'" + model + "','provider':'P','choices':"
        + "[{'index':0,'message':{'role':'assistant','content':'" + content + "'},'finish_reason':'stop'}]}")
        .replace('\'', '"'), "application/json");
  }

  /** An HTTP error with OpenRouter's JSON error body. */
  static Answer error(int status, String message) {
    return request -> response(request, status,
        "{\"error\":{\"code\":" + status + ",\"message\":\"" + message + "\"}}", "application/json");
  }

  /** The connection fails before any answer. */
  static Answer unreachable() {
    return request -> {
      throw new java.net.ConnectException("connection refused (scripted)");
    };
  }

  /** Runs {@code action} (e.g. the caller cancelling) while the attempt is in flight, then answers. */
  static Answer during(Runnable action, Answer answer) {
    return request -> {
      action.run();
      return answer.answer(request);
    };
  }

  /** A content chunk of {@code model}. */
  static String delta(String model, String content) {
    return "{'id':'gen-1','model':'" + model + "','provider':'P','choices':[{'index':0,'delta':{'content':'"
        + content + "'}}]}";
  }

  /** The last chunk of a stream: a finish reason and the usage. */
  static String finish(String model) {
    return "{'id':'gen-1','model':'" + model + "','provider':'P','choices':[{'index':0,'delta':{},"
        + "'finish_reason':'stop'}],'usage':{'prompt_tokens':3,'completion_tokens':2,'total_tokens':5}}";
  }

  /** An error chunk in the middle of a stream. */
  static String errorChunk(String model, int code) {
    return "{'id':'gen-1','model':'" + model + "','provider':'P','error':{'code':" + code
        + ",'message':'provider failed'},'choices':[{'index':0,'delta':{'content':''},'finish_reason':'error'}]}";
  }

  static final String DONE = "[DONE]";

  private static Response response(Request request, int status, String body, String type) {
    return new Response.Builder()
        .request(request)
        .protocol(Protocol.HTTP_1_1)
        .code(status)
        .message(status == 200 ? "OK" : "scripted")
        .body(ResponseBody.create(body, MediaType.get(type)))
        .build();
  }

  private static JsonNode body(Request request) {
    try (Buffer buffer = new Buffer()) {
      request.body().writeTo(buffer);
      return OpenRouterJson.mapper().readTree(buffer.readUtf8());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
