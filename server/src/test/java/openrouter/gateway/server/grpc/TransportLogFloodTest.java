package openrouter.gateway.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import java.io.ByteArrayOutputStream;
import openrouter.gateway.server.logging.TransportLogLimit;
import openrouter.gateway.simulator.testing.CapturedLogs;
import openrouter.gateway.simulator.testing.Eventually;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.simulator.testing.RawHttp2Client;
import openrouter.gateway.simulator.testing.RawHttp2Client.Frame;
import openrouter.gateway.v1.ChatServiceGrpc;
import org.junit.jupiter.api.Test;

/** Many connections sending malformed headers produce a bounded number of log lines. */
class TransportLogFloodTest {
  private static final int CONNECTIONS = 20;
  private static final int STREAMS_PER_CONNECTION = 10;

  @Test
  void malformedHeadersFromManyConnectionsLogABoundedNumberOfLines() throws Exception {
    try (GatewayHarness h = GatewayHarness.withSimulator();
        CapturedLogs transport = new CapturedLogs("io.grpc.netty", Level.WARN)) { // the production level
      long suppressedBefore = TransportLogLimit.suppressed();
      long startedAt = System.nanoTime();
      for (int c = 0; c < CONNECTIONS; c++) {
        try (RawHttp2Client raw = new RawHttp2Client(h.gateway.port())) {
          ByteArrayOutputStream frames = new ByteArrayOutputStream();
          for (int s = 0; s < STREAMS_PER_CONNECTION; s++) {
            // Upper-case header names are malformed in HTTP/2 (RFC 9113 §8.2.1): a stream error.
            frames.writeBytes(RawHttp2Client.headers(2 * s + 1, true, ":method", "POST", ":scheme", "http",
                ":path", "/" + ChatServiceGrpc.SERVICE_NAME + "/Chat", ":authority", "127.0.0.1",
                "content-type", "application/grpc", "te", "trailers", "X-Bad-Header", "y".repeat(100)));
          }
          raw.write(frames.toByteArray());
          // The server answers every malformed stream (a reset or an error); the last one tells
          // us it has read them all.
          int lastStream = 2 * STREAMS_PER_CONNECTION - 1;
          Frame last = raw.await(f -> f.closed() || f.type() == RawHttp2Client.GOAWAY
              || (f.streamId() == lastStream && (f.type() == 3 || (f.flags() & 1) == 1)),
              (int) Eventually.DEADLINE.toMillis());
          assertThat(last).as("the server answered the malformed streams").isNotNull();
        }
      }
      int written = transport.lines().size();
      long dropped = TransportLogLimit.suppressed() - suppressedBefore;
      // The limit's one-minute windows run on the real clock from when the filter was installed
      // (by an earlier test, maybe), so this run may cross into the next window: a run shorter
      // than a minute touches at most two, one more for every full minute it took (asserting a
      // single window failed whenever a run happened to cross a boundary). 200 streams' worth
      // of lines is still far above this bound.
      int windows = 2 + (int) ((System.nanoTime() - startedAt) / java.util.concurrent.TimeUnit.MINUTES.toNanos(1));
      assertThat(written).as("transport lines written for " + CONNECTIONS * STREAMS_PER_CONNECTION
              + " malformed streams over at most " + windows + " one-minute windows")
          .isLessThanOrEqualTo(TransportLogLimit.LINES_PER_WINDOW * windows);
      assertThat(written + dropped).as("the malformed streams were noticed, and all but a few lines dropped")
          .isGreaterThan(written);
    }
  }
}
