package openrouter.gateway.server.upstream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import okhttp3.Headers;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.Buffer;
import openrouter.gateway.server.errors.Redactor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At DEBUG ({@code GATEWAY_LOG_LEVEL=DEBUG}), logs each upstream request and response: method,
 * URL, headers and the first {@value #MAX_BODY_BYTES} characters of JSON bodies. Authorization,
 * cookies and anything key-like are replaced by {@code <redacted>}, and every logged text goes
 * through {@link Redactor}. Event-stream bodies are not read here (that would break streaming).
 * At INFO it costs one boolean check per request.
 */
final class UpstreamDebugLog implements Interceptor {
  static final String LOGGER = "openrouter.gateway.upstream.http";
  private static final Logger log = LoggerFactory.getLogger(LOGGER);
  private static final int MAX_BODY_BYTES = 16 * 1024;
  /**
   * Read past the bytes logged by more than a key's length (escapes included), so the text is
   * redacted beyond the cut: a key the cut halves is recognised and removed whole.
   */
  private static final int PAST_THE_CUT_BYTES = 1024;

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    if (!log.isDebugEnabled()) {
      return chain.proceed(request);
    }
    log.debug("--> {} {} headers[{}] body: {}", request.method(), Redactor.redact(request.url().toString()),
        headers(request.headers()), requestBody(request.body()));
    long start = System.nanoTime();
    Response response;
    try {
      response = chain.proceed(request);
    } catch (IOException e) {
      log.debug("<-- failed {} after {} ms: {}", Redactor.redact(request.url().toString()),
          (System.nanoTime() - start) / 1_000_000, Redactor.redact(e.toString()));
      throw e;
    }
    log.debug("<-- {} {} ({} ms) headers[{}] body: {}", response.code(), Redactor.redact(request.url().toString()),
        (System.nanoTime() - start) / 1_000_000, headers(response.headers()), responseBody(response));
    return response;
  }

  static String headers(Headers headers) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < headers.size(); i++) {
      String name = headers.name(i);
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(name).append(": ").append(sensitive(name) ? "<redacted>" : Redactor.redact(headers.value(i)));
    }
    return sb.toString();
  }

  private static boolean sensitive(String headerName) {
    String n = headerName.toLowerCase(Locale.ROOT);
    return n.equals("authorization") || n.equals("proxy-authorization") || n.contains("cookie")
        || n.contains("key") || n.contains("token") || n.contains("secret");
  }

  private static String requestBody(RequestBody body) throws IOException {
    if (body == null) {
      return "(none)";
    }
    if (body.isOneShot() || body.isDuplex()) {
      return "(not replayable, not logged)";
    }
    Buffer buffer = new Buffer();
    body.writeTo(buffer);
    return text(buffer, body.contentType());
  }

  private static String responseBody(Response response) throws IOException {
    MediaType type = response.body().contentType();
    if (type != null && type.subtype().equalsIgnoreCase("event-stream")) {
      return "(event stream, not logged)";
    }
    // peekBody reads only so far ahead and leaves the body for the real reader.
    Buffer buffer = new Buffer();
    buffer.write(response.peekBody(MAX_BODY_BYTES + PAST_THE_CUT_BYTES).bytes());
    return text(buffer, type);
  }

  private static String text(Buffer buffer, MediaType type) throws IOException {
    String text = buffer.readByteString(Math.min(buffer.size(), MAX_BODY_BYTES + PAST_THE_CUT_BYTES))
        .string(type != null && type.charset() != null ? type.charset() : StandardCharsets.UTF_8);
    return Redactor.redactAndCut(text.strip(), MAX_BODY_BYTES);
  }
}
