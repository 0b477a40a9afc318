package openrouter.gateway.server.security;

import static openrouter.gateway.server.testing.Requests.chat;
import static openrouter.gateway.server.testing.Requests.detail;
import static openrouter.gateway.server.testing.Requests.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.QuotaFailure;
import com.google.rpc.RetryInfo;
import io.grpc.Metadata;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import openrouter.gateway.simulator.RecordedRequest;
import openrouter.gateway.simulator.SimulatorKeys;
import openrouter.gateway.simulator.testing.Eventually;
import openrouter.gateway.server.grpc.CallerInterceptor;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.StreamCollector;
import openrouter.gateway.v1.ChatServiceGrpc;
import openrouter.gateway.v1.CheckRequest;
import openrouter.gateway.v1.HealthServiceGrpc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Caller authentication, rate limits, concurrency bounds and bring-your-own-key, end to end. */
class SecurityTest {
  private static final String ALICE_KEY = "gw-alice-0123456789";
  private static final String BOB_KEY = "gw-bob-9876543210";

  @TempDir
  Path dir;
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private static String sha256(String key) {
    return HexFormat.of().formatHex(CallerRegistry.sha256(key));
  }

  private Path keysFile(String content) throws Exception {
    Path f = dir.resolve("keys.txt");
    Files.writeString(f, content);
    return f;
  }

  private GatewayHarness gateway(String... settings) throws Exception {
    GatewayHarness h = GatewayHarness.inProcess().withSimulator(settings);
    open.add(h);
    return h;
  }

  private static ChatServiceGrpc.ChatServiceBlockingStub as(GatewayHarness h, String key) {
    Metadata md = new Metadata();
    md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
    return h.chat().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
  }

  private static ChatServiceGrpc.ChatServiceStub asAsync(GatewayHarness h, String key) {
    Metadata md = new Metadata();
    md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
    return h.chatAsync().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
  }

  @Test
  void withAKeysFileEveryCallNeedsAKnownKeyButProbesStayOpen() throws Exception {
    Path keys = keysFile("# test callers\nalice " + sha256(ALICE_KEY) + "\n\n");
    GatewayHarness h = gateway("GATEWAY_API_KEYS_FILE", keys.toString());

    StatusRuntimeException missing = catchThrowableOfType(StatusRuntimeException.class, () -> h.chat().chat(chat("sim/echo", "hi")));
    assertThat(missing.getStatus().getCode()).isEqualTo(Code.UNAUTHENTICATED);
    assertThat(errorInfo(missing).getReason()).isEqualTo("MISSING_API_KEY");
    assertThat(errorInfo(missing).getDomain()).isEqualTo("openrouter-grpc-gateway");

    StatusRuntimeException wrong = catchThrowableOfType(StatusRuntimeException.class, () -> as(h, "gw-mallory").chat(chat("sim/echo", "hi")));
    assertThat(wrong.getStatus().getCode()).isEqualTo(Code.UNAUTHENTICATED);
    assertThat(errorInfo(wrong).getReason()).isEqualTo("INVALID_API_KEY");
    assertThat(wrong.getStatus().getDescription()).doesNotContain("gw-mallory");

    assertThat(as(h, ALICE_KEY).chat(chat("sim/echo", "hello alice")).getMessage().getContent()).isEqualTo("hello alice");
    assertThat(h.simulator.requestCount("/chat/completions")).as("refused calls never reach upstream").isEqualTo(1);

    assertThat(HealthGrpc.newBlockingStub(h.channel).check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    assertThat(HealthServiceGrpc.newBlockingStub(h.channel).check(CheckRequest.getDefaultInstance()).getVersion()).isNotEmpty();
  }

  @Test
  void editingTheKeysFileRotatesKeysWithoutARestart() throws Exception {
    Path keys = keysFile("alice " + sha256(ALICE_KEY) + "\n");
    GatewayHarness h = gateway("GATEWAY_API_KEYS_FILE", keys.toString());
    assertThat(as(h, ALICE_KEY).chat(chat("sim/echo", "before")).getMessage().getContent()).isEqualTo("before");

    Files.writeString(keys, "bob " + sha256(BOB_KEY) + "\n");
    Eventually.await("bob's key works after the edit", () -> {
      try {
        as(h, BOB_KEY).chat(chat("sim/echo", "after"));
        return true;
      } catch (StatusRuntimeException notYet) {
        return false;
      }
    });
    StatusRuntimeException old = catchThrowableOfType(StatusRuntimeException.class, () -> as(h, ALICE_KEY).chat(chat("sim/echo", "x")));
    assertThat(errorInfo(old).getReason()).isEqualTo("INVALID_API_KEY");

    Files.writeString(keys, "this line is broken\n");
    Thread.sleep(1200);
    assertThat(as(h, BOB_KEY).chat(chat("sim/echo", "still bob")).getMessage().getContent())
        .as("a broken edit keeps the previous callers").isEqualTo("still bob");
  }

  @Test
  void the31stChatCallInAMinuteFailsWithTheExactWait() throws Exception {
    Path keys = keysFile("alice " + sha256(ALICE_KEY) + "\n");
    GatewayHarness h = gateway("GATEWAY_API_KEYS_FILE", keys.toString());
    for (int i = 0; i < 30; i++) {
      as(h, ALICE_KEY).chat(chat("sim/echo", "call " + i));
    }
    // The bucket refills one call every 2 s, so a machine that took longer than that for the
    // 30 calls has earned more: call on until refused (each refused call costs nothing).
    int upstreamBefore = 0;
    StatusRuntimeException e = null;
    for (int extra = 0; e == null; extra++) {
      assertThat(extra).as("calls beyond the 30 before one is refused").isLessThan(100);
      upstreamBefore = h.simulator.requestCount("/chat/completions");
      e = catchThrowableOfType(StatusRuntimeException.class, () -> as(h, ALICE_KEY).chat(chat("sim/echo", "31st")));
    }
    assertThat(e.getStatus().getCode()).isEqualTo(Code.RESOURCE_EXHAUSTED);
    assertThat(errorInfo(e).getReason()).isEqualTo("RATE_LIMITED");
    Duration wait = Duration.ofSeconds(detail(e, RetryInfo.class).getRetryDelay().getSeconds(), detail(e, RetryInfo.class).getRetryDelay().getNanos());
    // 30 per minute refill one request every 2 s: the exact wait for the next one is at most that.
    assertThat(wait).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(2));
    QuotaFailure quota = detail(e, QuotaFailure.class);
    assertThat(quota.getViolations(0).getSubject()).isEqualTo("caller:alice/chat");
    assertThat(quota.getViolations(0).getDescription()).contains("30/1m");
    assertThat(h.simulator.requestCount("/chat/completions")).isEqualTo(upstreamBefore);
    assertThat(openrouter.gateway.server.testing.Prometheus.value(h.gateway.metrics().scrape(),
        "gateway_rate_limited_calls_total", "grpc_service", "openrouter.gateway.v1.ChatService")).isEqualTo(1.0);
  }

  @Test
  void perCallerOverridesAndFamiliesAreSeparate() throws Exception {
    Path keys = keysFile("alice " + sha256(ALICE_KEY) + " chat=2/1h\nbob " + sha256(BOB_KEY) + "\n");
    GatewayHarness h = gateway("GATEWAY_API_KEYS_FILE", keys.toString());
    as(h, ALICE_KEY).chat(chat("sim/echo", "1"));
    as(h, ALICE_KEY).chat(chat("sim/echo", "2"));
    StatusRuntimeException third = catchThrowableOfType(StatusRuntimeException.class, () -> as(h, ALICE_KEY).chat(chat("sim/echo", "3")));
    assertThat(errorInfo(third).getReason()).isEqualTo("RATE_LIMITED");
    assertThat(detail(third, RetryInfo.class).getRetryDelay().getSeconds()).isBetween(1790L, 1800L);
    assertThat(as(h, BOB_KEY).chat(chat("sim/echo", "bob is not limited by alice")).getMessage().getContent()).isNotEmpty();
  }

  @Test
  void concurrentStreamsAreBoundedPerCallerAndInTotal() throws Exception {
    // Rates no call below can reach: only the stream limits may refuse.
    Path keys = keysFile("alice " + sha256(ALICE_KEY) + " streams=2 chat=10000/1m\nbob " + sha256(BOB_KEY)
        + " chat=10000/1m\n");
    GatewayHarness h = gateway("GATEWAY_API_KEYS_FILE", keys.toString(), "GATEWAY_MAX_CONCURRENT_STREAMS", "3");
    // Streams that only the test's cancel ends (sim/stall: one chunk, then nothing): open while
    // the limits are checked however slow the machine (streams of ~9 s, 3 s a word, could end
    // first on a machine busy enough, and the call they should have refused was then allowed).
    List<io.grpc.Context.CancellableContext> held = new ArrayList<>();
    List<StreamCollector> slow = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      StreamCollector c = new StreamCollector();
      io.grpc.Context.CancellableContext call = io.grpc.Context.current().withCancellation();
      held.add(call);
      call.run(() -> asAsync(h, ALICE_KEY).streamChat(chat("sim/stall", "hold a slot"), c));
      assertThat(c.firstMessage.await(30, TimeUnit.SECONDS)).isTrue();
      slow.add(c);
    }
    StreamCollector third = new StreamCollector();
    asAsync(h, ALICE_KEY).streamChat(chat("sim/echo", "one too many"), third);
    assertThat(third.await().getCode()).isEqualTo(Code.RESOURCE_EXHAUSTED);
    assertThat(errorInfo((StatusRuntimeException) third.error()).getReason()).isEqualTo("CALLER_STREAM_LIMIT");

    StreamCollector bobs = new StreamCollector();
    io.grpc.Context.CancellableContext bobsCall = io.grpc.Context.current().withCancellation();
    held.add(bobsCall);
    bobsCall.run(() -> asAsync(h, BOB_KEY).streamChat(chat("sim/stall", "hold a slot"), bobs));
    slow.add(bobs);
    assertThat(bobs.firstMessage.await(30, TimeUnit.SECONDS)).isTrue();
    StatusRuntimeException total = catchThrowableOfType(StatusRuntimeException.class, () -> as(h, BOB_KEY).chat(chat("sim/echo", "4th in total")));
    assertThat(errorInfo(total).getReason()).isEqualTo("GATEWAY_OVERLOADED");

    // The streams end; their slots come back (the server frees them when it sees the cancel,
    // a moment after the client has: awaited).
    held.forEach(call -> call.cancel(null));
    for (StreamCollector c : slow) {
      assertThat(c.await().getCode()).isEqualTo(Code.CANCELLED);
    }
    Eventually.await("alice's slots are back", () -> {
      try {
        return as(h, ALICE_KEY).chat(chat("sim/echo", "slots are back")).getMessage().getContent().equals("slots are back");
      } catch (StatusRuntimeException notYet) {
        assertThat(errorInfo(notYet).getReason()).isIn("CALLER_STREAM_LIMIT", "GATEWAY_OVERLOADED");
        return false;
      }
    });
  }

  @Test
  void callerKeysAreRefusedUnlessAllowed() throws Exception {
    GatewayHarness h = gateway();
    Metadata md = new Metadata();
    md.put(CallerInterceptor.CALLER_OPENROUTER_KEY, "sk-or-v1-" + "1".repeat(64));
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> h.chat().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md)).chat(chat("sim/echo", "mine")));
    assertThat(e.getStatus().getCode()).isEqualTo(Code.PERMISSION_DENIED);
    assertThat(errorInfo(e).getReason()).isEqualTo("CALLER_KEYS_DISABLED");
    assertThat(e.getStatus().getDescription()).doesNotContain("1111111111");
  }

  @Test
  void anAllowedCallerKeyIsSentUpstreamAndItsRejectionIsUnauthenticated() throws Exception {
    GatewayHarness h = gateway("GATEWAY_ALLOW_CALLER_KEYS", "true");
    String own = "sk-or-v1-" + "2".repeat(64);
    Metadata md = new Metadata();
    md.put(CallerInterceptor.CALLER_OPENROUTER_KEY, own);
    assertThat(h.chat().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md)).chat(chat("sim/echo", "my credits"))
        .getMessage().getContent()).isEqualTo("my credits");
    RecordedRequest sent = h.simulator.requests().get(h.simulator.requests().size() - 1);
    assertThat(sent.header("authorization")).isEqualTo("Bearer " + own);

    Metadata rejected = new Metadata();
    rejected.put(CallerInterceptor.CALLER_OPENROUTER_KEY, SimulatorKeys.REJECTED);
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> h.chat().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(rejected)).chat(chat("sim/echo", "bad key")));
    assertThat(e.getStatus().getCode()).isEqualTo(Code.UNAUTHENTICATED);
    assertThat(errorInfo(e).getReason()).isEqualTo("CALLER_KEY_REJECTED");

    Metadata malformed = new Metadata();
    malformed.put(CallerInterceptor.CALLER_OPENROUTER_KEY, "not-a-key");
    StatusRuntimeException bad = catchThrowableOfType(StatusRuntimeException.class,
        () -> h.chat().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(malformed)).chat(chat("sim/echo", "x")));
    assertThat(bad.getStatus().getCode()).isEqualTo(Code.INVALID_ARGUMENT);
  }

  @Test
  void anOpenRouterKeyInAuthorizationWithoutCallerAuthenticationIsAnErrorNotIgnored() throws Exception {
    GatewayHarness h = gateway();
    String own = "sk-or-v1-" + "3".repeat(64);
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> as(h, own).chat(chat("sim/echo", "spend my key")));
    assertThat(e.getStatus().getCode()).isEqualTo(Code.INVALID_ARGUMENT);
    assertThat(errorInfo(e).getReason()).isEqualTo("OPENROUTER_KEY_IN_AUTHORIZATION");
    assertThat(e.getStatus().getDescription()).contains("x-openrouter-api-key").doesNotContain("3333333333");
    assertThat(h.simulator.requestCount("/chat/completions")).as("never sent with the gateway's key").isZero();
    // Any case of the scheme and the prefix.
    Metadata upper = new Metadata();
    upper.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "bearer SK-OR-v1-" + "3".repeat(64));
    assertThat(catchThrowableOfType(StatusRuntimeException.class,
        () -> h.chat().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(upper)).chat(chat("sim/echo", "x")))
        .getStatus().getCode()).isEqualTo(Code.INVALID_ARGUMENT);
    // A gateway caller key is harmless there: with authentication off it is not needed.
    assertThat(as(h, ALICE_KEY).chat(chat("sim/echo", "fine")).getMessage().getContent()).isEqualTo("fine");
  }
}
