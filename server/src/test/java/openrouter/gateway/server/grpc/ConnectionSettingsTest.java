package openrouter.gateway.server.grpc;

import static openrouter.gateway.server.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import openrouter.gateway.simulator.testing.Eventually;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.Prometheus;
import openrouter.gateway.simulator.testing.RawHttp2Client;
import openrouter.gateway.simulator.testing.RawHttp2Client.Frame;
import openrouter.gateway.server.testing.StreamCollector;
import org.junit.jupiter.api.Test;

/**
 * Keepalive, ping policing, idle and age limits, message and metadata sizes: each setting is
 * applied on the Netty server and seen working from the wire.
 */
class ConnectionSettingsTest {
  /** How long to wait for a frame that must come: only bounds a failure (a busy machine is slow). */
  private static final int WAIT_MS = (int) Eventually.DEADLINE.toMillis();

  /** grpc-java pings at most every 10 s, so this test takes that long. */
  @Test
  void theServerPingsASilentConnectionAndClosesItWhenNoAckComes() throws Exception {
    try (GatewayHarness h = GatewayHarness.withSimulator(
        "GATEWAY_KEEPALIVE_TIME_MS", "10000", "GATEWAY_KEEPALIVE_TIMEOUT_MS", "300")) {
      // Timed from before the connection exists: the server's keepalive clock cannot start
      // earlier, however long the connect takes (timed after it, a slow connect ate the margin).
      long start = System.nanoTime();
      try (RawHttp2Client raw = new RawHttp2Client(h.gateway.port())) {
        Frame ping = raw.await(Frame::isPing, 10_000 + WAIT_MS);
        long pingedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(ping).as("a server ping").isNotNull();
        // Never before the keepalive time; how much later depends on the machine.
        assertThat(pingedAfterMs).isGreaterThanOrEqualTo(9_000L);
        // Not answering it: the connection is closed after the keepalive timeout.
        Frame end = raw.await(f -> f.closed() || f.type() == RawHttp2Client.GOAWAY, WAIT_MS);
        assertThat(end).as("the unanswered ping ends the connection").isNotNull();
      }
    }
  }

  @Test
  void clientsPingingFasterThanPermittedGetGoAwayTooManyPings() throws Exception {
    try (GatewayHarness h = GatewayHarness.withSimulator("GATEWAY_PERMIT_KEEPALIVE_TIME_MS", "60000");
        RawHttp2Client raw = new RawHttp2Client(h.gateway.port())) {
      try {
        for (int i = 0; i < 4; i++) {
          raw.ping();
          Thread.sleep(20);
        }
      } catch (java.io.IOException closedAlready) {
        // the server may close the connection right after its GOAWAY
      }
      Frame goAway = raw.await(f -> f.type() == RawHttp2Client.GOAWAY, WAIT_MS);
      assertThat(goAway).isNotNull();
      assertThat(goAway.goAwayError()).isEqualTo(RawHttp2Client.ENHANCE_YOUR_CALM);
      assertThat(goAway.goAwayDebug()).isEqualTo("too_many_pings");
    }
  }

  @Test
  void pingsAtThePermittedRateAreAnswered() throws Exception {
    try (GatewayHarness h = GatewayHarness.withSimulator("GATEWAY_PERMIT_KEEPALIVE_TIME_MS", "10");
        RawHttp2Client raw = new RawHttp2Client(h.gateway.port())) {
      for (int i = 0; i < 4; i++) {
        raw.ping();
        assertThat(raw.await(Frame::isPingAck, WAIT_MS)).isNotNull();
        Thread.sleep(60);
      }
      assertThat(raw.await(f -> f.type() == RawHttp2Client.GOAWAY || f.closed(), 300)).isNull();
    }
  }

  @Test
  void withoutCallsPingsAreRefusedWhenNotPermitted() throws Exception {
    try (GatewayHarness h = GatewayHarness.withSimulator("GATEWAY_PERMIT_KEEPALIVE_TIME_MS", "10",
        "GATEWAY_PERMIT_KEEPALIVE_WITHOUT_CALLS", "false");
        RawHttp2Client raw = new RawHttp2Client(h.gateway.port())) {
      try {
        for (int i = 0; i < 4; i++) {
          raw.ping();
          Thread.sleep(60);
        }
      } catch (java.io.IOException closedAlready) {
        // the server may close the connection right after its GOAWAY
      }
      Frame goAway = raw.await(f -> f.type() == RawHttp2Client.GOAWAY, WAIT_MS);
      assertThat(goAway).isNotNull();
      assertThat(goAway.goAwayError()).isEqualTo(RawHttp2Client.ENHANCE_YOUR_CALM);
    }
  }

  @Test
  void anIdleConnectionGetsAGracefulGoAway() throws Exception {
    try (GatewayHarness h = GatewayHarness.withSimulator("GATEWAY_MAX_CONNECTION_IDLE_MS", "300")) {
      // Timed from before the connection exists: the server's idle clock cannot start earlier
      // (timed after the connect, a connect slower than 50 ms made the GOAWAY look early).
      long start = System.nanoTime();
      try (RawHttp2Client raw = new RawHttp2Client(h.gateway.port())) {
        Frame goAway = raw.await(f -> f.type() == RawHttp2Client.GOAWAY, WAIT_MS);
        assertThat(goAway).isNotNull();
        assertThat(goAway.goAwayError()).isZero(); // NO_ERROR: clients just reconnect
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(250);
      }
    }
  }

  @Test
  void anAgedConnectionLetsItsStreamFinishWithinTheGraceThenTheClientReconnects() throws Exception {
    try (GatewayHarness h = GatewayHarness.withSimulator(
        // A grace far beyond the 1.4 s stream: the stream ends within it however slow the machine.
        "GATEWAY_MAX_CONNECTION_AGE_MS", "300", "GATEWAY_MAX_CONNECTION_AGE_GRACE_MS", "120000")) {
      StreamCollector stream = new StreamCollector();
      h.chatAsync().streamChat(chat("sim/slow", "one two three four five six seven", Map.of()), stream);
      assertThat(stream.await().isOk()).as("the stream outlived the connection's age, within the grace").isTrue();
      assertThat(stream.content()).isEqualTo("one two three four five six seven");
      h.chat().chat(chat("sim/echo", "on a new connection"));
      double opened = Prometheus.value(h.scrape(), "grpc_server_connections_opened_total");
      assertThat(opened).as("aged connections were replaced").isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void aStreamLongerThanTheAgeGraceIsCut() throws Exception {
    try (GatewayHarness h = GatewayHarness.withSimulator(
        "GATEWAY_MAX_CONNECTION_AGE_MS", "300", "GATEWAY_MAX_CONNECTION_AGE_GRACE_MS", "300")) {
      StreamCollector stream = new StreamCollector();
      h.chatAsync().streamChat(chat("sim/slow", "one two three four five six seven eight nine ten", Map.of()), stream);
      assertThat(stream.await().isOk()).isFalse();
    }
  }

  @Test
  void messagesOverTheLimitAreRefusedWithResourceExhausted() throws Exception {
    try (GatewayHarness h = GatewayHarness.withSimulator("GATEWAY_MAX_INBOUND_MESSAGE_BYTES", "2048")) {
      assertThat(h.chat().chat(chat("sim/echo", "x".repeat(1000))).getMessage().getContent()).hasSize(1000);
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
          () -> h.chat().chat(chat("sim/echo", "x".repeat(4000))));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(h.simulator.requestCount("/chat/completions")).isEqualTo(1);
    }
  }

  @Test
  void metadataOverTheLimitIsRefused() throws Exception {
    try (GatewayHarness h = GatewayHarness.withSimulator("GATEWAY_MAX_INBOUND_METADATA_BYTES", "2048")) {
      Metadata small = new Metadata();
      small.put(Metadata.Key.of("x-note", Metadata.ASCII_STRING_MARSHALLER), "y".repeat(500));
      assertThat(h.chat().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(small))
          .chat(chat("sim/echo", "fits")).getMessage().getContent()).isEqualTo("fits");
      Metadata big = new Metadata();
      big.put(Metadata.Key.of("x-note", Metadata.ASCII_STRING_MARSHALLER), "y".repeat(4000));
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
          () -> h.chat().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(big)).chat(chat("sim/echo", "too big")));
      assertThat(e).isNotNull();
      assertThat(e.getStatus().getCode()).isNotEqualTo(Status.Code.OK);
      assertThat(h.simulator.requestCount("/chat/completions")).isEqualTo(1);
    }
  }
}
