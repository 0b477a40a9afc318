package openrouter.gateway.server.shared;

import static openrouter.gateway.server.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import openrouter.gateway.server.security.CallerRegistry;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.RedisServer;
import openrouter.gateway.server.testing.StreamCollector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one chat call costs in Redis, counted at a real redis-server (MONITOR): the commands the
 * gateway sends (each one round trip; commands scripts run inside Redis are not counted) for a
 * caller with a rate limit, a budget and a concurrency limit, from admission to completion.
 */
class RedisRoundTripsTest {
  private static final String ALICE_KEY = "gw-alice-0123456789";

  @TempDir
  Path dir;
  private RedisServer redis;
  private GatewayHarness gateway;

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start();
    Path keys = dir.resolve("keys.txt");
    Files.writeString(keys, "alice " + HexFormat.of().formatHex(CallerRegistry.sha256(ALICE_KEY))
        + " chat=1000/1m budget=100/1d streams=5\n");
    gateway = GatewayHarness.inProcess().withSimulator("GATEWAY_API_KEYS_FILE", keys.toString(),
        "GATEWAY_REDIS_URL", redis.url(), "GATEWAY_REDIS_TIMEOUT_MS", "5000",
        // Renewals every 200 s: none during the calls counted here.
        "GATEWAY_REDIS_LEASE_MS", "600000");
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    redis.close();
  }

  private static <S extends AbstractStub<S>> S alice(S stub) {
    Metadata md = new Metadata();
    md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + ALICE_KEY);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
  }

  @Test
  void aChatCallIsOneRoundTripToAdmitAndOneToEnd() throws Exception {
    alice(gateway.chat()).chat(chat("sim/echo", "warm up: connections open, scripts loaded"));
    try (RedisServer.Monitor monitor = redis.monitor()) {
      monitor.clientCommandsSinceLastMark();

      alice(gateway.chat()).chat(chat("sim/echo", "counted"));
      List<String> unary = monitor.clientCommandsSinceLastMark();
      System.out.println("Chat: " + unary.size() + " round trips: " + unary);

      StreamCollector stream = new StreamCollector();
      alice(gateway.chatAsync()).streamChat(chat("sim/echo", "counted too"), stream);
      assertThat(stream.await().isOk()).isTrue();
      List<String> streamed = monitor.clientCommandsSinceLastMark();
      System.out.println("StreamChat: " + streamed.size() + " round trips: " + streamed);

      assertThat(unary).hasSize(2).allMatch(c -> c.startsWith("\"EVALSHA\""));
      assertThat(streamed).hasSize(2).allMatch(c -> c.startsWith("\"EVALSHA\""));
    }
  }

  @Test
  void aRedisThatForgotItsScriptsIsSentThemAgain() throws Exception {
    alice(gateway.chat()).chat(chat("sim/echo", "warm up"));
    try (RedisServer.Monitor monitor = redis.monitor()) {
      assertThat(redis.command("SCRIPT FLUSH")).isEqualTo("+OK"); // what a restarted Redis has forgotten
      monitor.clientCommandsSinceLastMark();

      assertThat(alice(gateway.chat()).chat(chat("sim/echo", "after the flush")).getMessage().getContent())
          .isEqualTo("after the flush");
      assertThat(monitor.clientCommandsSinceLastMark()).extracting(c -> c.substring(0, c.indexOf(' ')))
          .containsExactly("\"EVALSHA\"", "\"EVAL\"", "\"EVALSHA\"", "\"EVAL\"");

      alice(gateway.chat()).chat(chat("sim/echo", "stored again"));
      assertThat(monitor.clientCommandsSinceLastMark()).hasSize(2).allMatch(c -> c.startsWith("\"EVALSHA\""));
    }
    assertThat(redis.command("ZCARD orgw:slots:alice")).as("every lease ended").isEqualTo(":0");
  }
}
