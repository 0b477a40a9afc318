package openrouter.gateway.server.errors;

import static openrouter.gateway.server.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import com.google.rpc.ErrorInfo;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import openrouter.gateway.simulator.testing.CapturedLogs;
import openrouter.gateway.server.grpc.AccessLogInterceptor;
import openrouter.gateway.server.grpc.CallerInterceptor;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.OtlpReceiver;
import openrouter.gateway.server.testing.Requests;
import openrouter.gateway.server.testing.TestKeys;
import org.junit.jupiter.api.Test;

/**
 * An upstream that echoes keys back (the gateway's and a caller's own; upper-cased, bare,
 * JSON-escaped, and as {@code error.metadata.error_type}): no key reaches the status message,
 * any detail, the access line, the DEBUG body log or a metric label.
 */
class KeyRedactionTest {
  private static final String GATEWAY_SECRET = TestKeys.GATEWAY.substring("sk-or-v1-".length());
  private static final String CALLER_SECRET = TestKeys.CALLER.substring("sk-or-v1-".length());
  private static final Pattern KEY_SHAPED = Pattern.compile("sk[-_]or[-_][a-z0-9]");

  @Test
  void keysEchoedByTheUpstreamAreRedactedEverywhere() throws Exception {
    try (MockWebServer upstream = new MockWebServer();
        CapturedLogs access = new CapturedLogs(AccessLogInterceptor.LOGGER, Level.INFO);
        CapturedLogs bodies = new CapturedLogs("openrouter.gateway.upstream.http", Level.DEBUG)) {
      upstream.start();
      // 1: the gateway's key, upper-cased, bare, \\u-escaped, and as the error_type.
      upstream.enqueue(json(400, "{\"error\":{\"code\":400,\"message\":\"Invalid key " + TestKeys.GATEWAY.toUpperCase(Locale.ROOT)
          + ", also known as " + GATEWAY_SECRET + " or \\u0073k-or-v1-" + GATEWAY_SECRET + "\",\"metadata\":{\"error_type\":\""
          + TestKeys.GATEWAY + "\",\"provider_name\":\"" + GATEWAY_SECRET.toUpperCase(Locale.ROOT) + "\"}}}"));
      // 2: a caller's own key, the same ways, on a 429.
      upstream.enqueue(json(429, "{\"error\":{\"code\":429,\"message\":\"Slow down, " + CALLER_SECRET.toUpperCase(Locale.ROOT)
          + " (\\u0073\\u006b-or-v1-" + CALLER_SECRET + ")\",\"metadata\":{\"error_type\":\"" + CALLER_SECRET
          + "\",\"limit_source\":\"" + TestKeys.CALLER + "\"}}}"));
      // 3: a completion whose id, model and provider are keys: access line and metric labels.
      upstream.enqueue(json(200, "{\"id\":\"gen-" + GATEWAY_SECRET + "\",\"model\":\"" + CALLER_SECRET + "\",\"provider\":\""
          + TestKeys.CALLER.toUpperCase(Locale.ROOT) + "\",\"choices\":[{\"index\":0,\"finish_reason\":\"stop\","
          + "\"message\":{\"role\":\"assistant\",\"content\":\"hi\"}}],"
          + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}"));
      try (GatewayHarness h = GatewayHarness.inProcess().withUpstream(URI.create(upstream.url("/api/v1").toString()), TestKeys.GATEWAY,
          "GATEWAY_ALLOW_CALLER_KEYS", "true", "OPENROUTER_MAX_RETRIES", "0")) {
        List<String> seen = new ArrayList<>();

        StatusRuntimeException gatewayKey = catchThrowableOfType(StatusRuntimeException.class,
            () -> h.chat().chat(chat("openai/gpt-4o", "hello")));
        assertThat(Requests.errorInfo(gatewayKey).getReason()).as("a key as error_type is no reason").isEqualTo("INVALID_REQUEST");
        seen.add(everything(gatewayKey));

        Metadata byok = new Metadata();
        byok.put(CallerInterceptor.CALLER_OPENROUTER_KEY, TestKeys.CALLER);
        var withCallerKey = h.chat().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(byok));
        StatusRuntimeException callerKey = catchThrowableOfType(StatusRuntimeException.class,
            () -> withCallerKey.chat(chat("openai/gpt-4o", "hello")));
        assertThat(Requests.errorInfo(callerKey).getReason()).isEqualTo("RATE_LIMIT_EXCEEDED");
        seen.add(everything(callerKey));

        assertThat(withCallerKey.chat(chat("openai/gpt-4o", "hello")).getMessage().getContent()).isEqualTo("hi");

        seen.addAll(access.await("code=", 3));
        List<String> bodyLines = bodies.linesWith("<-- ");
        assertThat(bodyLines).as("the DEBUG body log saw the three answers").hasSize(3);
        assertThat(String.join("\n", bodyLines)).contains("<redacted>");
        seen.addAll(bodies.lines());
        seen.add(h.scrape());
        assertThat(upstream.getRequestCount()).isEqualTo(3);

        for (String text : seen) {
          assertNoKey(text);
        }
      }
    }
  }

  /**
   * Text the gateway shortens (a body that is not an OpenRouter error, quoted from its start; a
   * redirect's Location; the DEBUG log's first 16 KiB of a body) with a bare key right where it is
   * cut: the key's first half is no less a secret than the whole key.
   */
  @Test
  void aKeyCutWhereTheGatewayShortensTextIsRedactedToo() throws Exception {
    try (MockWebServer upstream = new MockWebServer();
        CapturedLogs bodies = new CapturedLogs("openrouter.gateway.upstream.http", Level.DEBUG)) {
      upstream.start();
      // Not an OpenRouter error body: the status quotes its first 200 characters.
      upstream.enqueue(json(400, "{\"detail\":\"" + "p".repeat(160) + " " + GATEWAY_SECRET.toUpperCase(Locale.ROOT) + "\"}"));
      // A redirect whose Location is longer than the 200 characters the status names.
      upstream.enqueue(new MockResponse.Builder().code(307)
          .setHeader("Location", "http://127.0.0.1:1/" + "p".repeat(150) + "?k=" + GATEWAY_SECRET).build());
      // An error body longer than the 16 KiB the DEBUG log shows.
      upstream.enqueue(json(400, "{\"error\":{\"code\":400,\"message\":\"" + "p".repeat(16 * 1024 - 60) + " "
          + GATEWAY_SECRET + "\"}}"));
      try (GatewayHarness h = GatewayHarness.inProcess().withUpstream(URI.create(upstream.url("/api/v1").toString()),
          TestKeys.GATEWAY, "OPENROUTER_MAX_RETRIES", "0")) {
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
              () -> h.chat().chat(chat("openai/gpt-4o", "hello")));
          assertThat(e).isNotNull();
          seen.add(everything(e));
        }
        assertThat(seen.get(0)).as("the body is quoted").contains("pppp");
        assertThat(seen.get(1)).as("the Location is named").contains("pppp");
        assertThat(bodies.linesWith("<-- ")).hasSize(3);
        seen.addAll(bodies.lines());
        for (String text : seen) {
          assertNoKey(text);
        }
      }
    }
  }

  /**
   * A completion whose id, model, provider and finish reason are keys: the server span's
   * attributes (exported to a real OTLP receiver) hold none of them, for Chat and StreamChat.
   */
  @Test
  void keysInAnAnswerStayOutOfTheSpans() throws Exception {
    try (MockWebServer upstream = new MockWebServer(); OtlpReceiver receiver = new OtlpReceiver()) {
      upstream.start();
      String completion = "{\"id\":\"gen-" + GATEWAY_SECRET + "\",\"model\":\"" + CALLER_SECRET + "\",\"provider\":\""
          + TestKeys.GATEWAY.toUpperCase(Locale.ROOT) + "\",\"choices\":[{\"index\":0,\"finish_reason\":\"" + CALLER_SECRET
          + "\",\"message\":{\"role\":\"assistant\",\"content\":\"hi\"}}],"
          + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}";
      upstream.enqueue(json(200, completion));
      upstream.enqueue(json(200, completion)); // a JSON answer to StreamChat is handed on as one delta
      try (GatewayHarness h = GatewayHarness.inProcess().withUpstream(URI.create(upstream.url("/api/v1").toString()),
          TestKeys.GATEWAY, "OTEL_TRACES_EXPORTER", "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.grpcEndpoint(),
          "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", "OTEL_BSP_SCHEDULE_DELAY", "50")) {
        assertThat(h.chat().chat(chat("openai/gpt-4o", "hello")).getMessage().getContent()).isEqualTo("hi");
        h.chat().streamChat(chat("openai/gpt-4o", "hello")).forEachRemaining(r -> { });
        List<OtlpReceiver.Received> servers = receiver.awaitAll(
            s -> s.span().getKind() == io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER
                && s.attribute("gen_ai.response.model").isPresent(), 2);
        for (OtlpReceiver.Received server : servers) {
          StringBuilder attributes = new StringBuilder(server.span().getName());
          server.span().getAttributesList().forEach(kv -> attributes.append('\n').append(kv));
          server.span().getEventsList().forEach(e -> attributes.append('\n').append(e));
          attributes.append('\n').append(server.span().getStatus());
          assertNoKey(attributes.toString());
        }
      }
    }
  }

  private static MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(body).build();
  }

  /** The status as a client sees it: code, message and every detail. */
  private static String everything(StatusRuntimeException e) {
    com.google.rpc.Status s = StatusProto.fromThrowable(e);
    StringBuilder sb = new StringBuilder(e.getStatus().toString()).append('\n').append(s);
    for (var any : s.getDetailsList()) {
      if (any.is(ErrorInfo.class)) {
        try {
          sb.append('\n').append(any.unpack(ErrorInfo.class));
        } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
          throw new AssertionError(ex);
        }
      }
    }
    return sb.toString();
  }

  /** Nothing key-shaped, and no 12 characters of either key's secret, in any case or escape. */
  private static void assertNoKey(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    assertThat(KEY_SHAPED.matcher(lower).find()).as("key-shaped text in:\n" + text).isFalse();
    assertThat(lower).as("an escaped key").doesNotContain("\\u0073k");
    for (String secret : List.of(GATEWAY_SECRET, CALLER_SECRET)) {
      for (int i = 0; i + 12 <= secret.length(); i++) {
        assertThat(lower).as("a piece of a key in:\n" + text).doesNotContain(secret.substring(i, i + 12));
      }
    }
  }
}
