package openrouter.gateway.server.shared;

import static openrouter.gateway.server.testing.Requests.chat;
import static openrouter.gateway.server.testing.Requests.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import openrouter.gateway.server.security.CallerRegistry;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.RedisServer;
import openrouter.gateway.v1.CheckRequest;
import openrouter.gateway.v1.HealthServiceGrpc;
import openrouter.gateway.v1.OverallStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GATEWAY_REDIS_URL against a real redis-server that requires a password: the password in the
 * URL and in GATEWAY_REDIS_PASSWORD both authenticate, the URL's database number is the one
 * used, and a wrong password is an outage (DEGRADED in open mode) whose reason never shows it.
 */
class RedisUrlTest {
  private static final String ALICE_KEY = "gw-alice-0123456789";

  @TempDir
  Path dir;
  private RedisServer redis;
  private String password;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void startRedis() throws Exception {
    redis = RedisServer.start();
    password = "pw-" + UUID.randomUUID();
    assertThat(redis.command("CONFIG SET requirepass " + password)).isEqualTo("+OK");
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    redis.close();
  }

  private GatewayHarness replica(String... settings) throws Exception {
    Path keys = dir.resolve("keys.txt");
    Files.writeString(keys, "alice " + HexFormat.of().formatHex(CallerRegistry.sha256(ALICE_KEY)) + " budget=0.000000000001/1d\n");
    List<String> all = new ArrayList<>(List.of("GATEWAY_API_KEYS_FILE", keys.toString(), "GATEWAY_REDIS_TIMEOUT_MS", "2000"));
    all.addAll(List.of(settings));
    GatewayHarness h = GatewayHarness.inProcess().withSimulator(all.toArray(String[]::new));
    open.add(h);
    return h;
  }

  private static <S extends AbstractStub<S>> S alice(S stub) {
    Metadata md = new Metadata();
    md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + ALICE_KEY);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
  }

  /** The reply lines of AUTH, SELECT db and one command, sent on one connection. */
  private List<String> inDatabase(int db, String command) throws IOException {
    try (Socket s = new Socket("127.0.0.1", redis.port())) {
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      out.write(("AUTH " + password + "\r\nSELECT " + db + "\r\n" + command + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      List<String> replies = new ArrayList<>();
      StringBuilder line = new StringBuilder();
      while (replies.size() < 3) {
        int c = in.read();
        if (c == -1) {
          break;
        } else if (c == '\n') {
          replies.add(line.toString().strip());
          line.setLength(0);
        } else {
          line.append((char) c);
        }
      }
      return replies;
    }
  }

  @Test
  void aPasswordInTheUrlOrInItsOwnSettingAuthenticatesAndTheUrlsDatabaseIsUsed() throws Exception {
    GatewayHarness inUrl = replica("GATEWAY_REDIS_URL", "redis://:" + password + "@127.0.0.1:" + redis.port() + "/3");
    GatewayHarness inSetting = replica("GATEWAY_REDIS_URL", "redis://127.0.0.1:" + redis.port() + "/3",
        "GATEWAY_REDIS_PASSWORD", password);

    alice(inUrl.chat()).chat(chat("sim/echo", "spend through the first"));
    // The second replica reads the first one's spend from the same Redis database: refused.
    StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class,
        () -> alice(inSetting.chat()).chat(chat("sim/echo", "and through the second?")));
    assertThat(errorInfo(refused).getReason()).isEqualTo("BUDGET_EXCEEDED");
    assertThat(inSetting.simulator.requestCount("/chat/completions")).isZero();

    assertThat(inDatabase(3, "KEYS orgw:spend:alice:*")).containsExactly("+OK", "+OK", "*1");
    assertThat(inDatabase(0, "KEYS orgw:*")).containsExactly("+OK", "+OK", "*0");
    for (GatewayHarness h : List.of(inUrl, inSetting)) {
      assertThat(HealthServiceGrpc.newBlockingStub(h.channel).check(CheckRequest.getDefaultInstance()).getStatus())
          .isEqualTo(OverallStatus.OVERALL_STATUS_SERVING);
      assertThat(h.scrape()).contains("gateway_shared_state_up 1.0");
    }
  }

  @Test
  void aWrongPasswordIsAnOutageWhoseReasonNeverShowsThePassword() throws Exception {
    String wrong = "wrong-" + UUID.randomUUID();
    GatewayHarness h = replica("GATEWAY_REDIS_URL", "redis://:" + wrong + "@127.0.0.1:" + redis.port() + "/0");
    // Open mode: served on this replica's own limits.
    assertThat(alice(h.chat()).chat(chat("sim/echo", "served anyway")).getMessage().getContent()).isEqualTo("served anyway");
    var report = HealthServiceGrpc.newBlockingStub(h.channel).check(CheckRequest.getDefaultInstance());
    assertThat(report.getStatus()).isEqualTo(OverallStatus.OVERALL_STATUS_DEGRADED);
    assertThat(String.join("\n", report.getProblemsList())).contains("shared state").doesNotContain(wrong);
    assertThat(h.scrape()).contains("gateway_shared_state_up 0.0").doesNotContain(wrong);
  }
}
