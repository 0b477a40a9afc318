package openrouter.gateway.server.grpc;

import static openrouter.gateway.server.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.ErrorInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.Prometheus;
import openrouter.gateway.server.testing.StreamCollector;
import org.junit.jupiter.api.Test;

/**
 * Oversized request metadata, through a real loopback Netty server (the limit is a transport
 * matter): only the offending call fails, with a gRPC status that names the setting; a stream on
 * the same connection carries on.
 */
class MetadataLimitTest {
  private static final Metadata.Key<String> NOTE = Metadata.Key.of("x-note", Metadata.ASCII_STRING_MARSHALLER);

  @Test
  void oversizedMetadataFailsOnlyItsCallWithResourceExhaustedNamingTheSetting() throws Exception {
    try (GatewayHarness h = GatewayHarness.withSimulator()) { // the default limit, 8192 bytes
      StreamCollector stream = new StreamCollector();
      h.chatAsync().streamChat(chat("sim/slow", "one two three four five six seven eight nine ten", Map.of()), stream);
      assertThat(stream.firstMessage.await(30, TimeUnit.SECONDS)).as("the stream is under way").isTrue();

      for (int kib : new int[] {8, 10, 12, 64}) {
        Metadata big = new Metadata();
        big.put(NOTE, "y".repeat(kib * 1024));
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
            () -> h.chat().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(big)).chat(chat("sim/echo", "big")));
        assertThat(e).as(kib + " KiB of metadata").isNotNull();
        assertThat(e.getStatus().getCode()).as(kib + " KiB: " + e.getStatus()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(e.getStatus().getDescription())
            .contains("GATEWAY_MAX_INBOUND_METADATA_BYTES").contains("8192");
        ErrorInfo info = StatusProto.fromThrowable(e).getDetails(0).unpack(ErrorInfo.class);
        assertThat(info.getReason()).isEqualTo("METADATA_TOO_LARGE");
      }

      assertThat(stream.await().isOk()).as("the other call on the connection: " + stream.error()).isTrue();
      assertThat(stream.content()).isEqualTo("one two three four five six seven eight nine ten");
      assertThat(h.chat().chat(chat("sim/echo", "still fine")).getMessage().getContent()).isEqualTo("still fine");
      assertThat(Prometheus.value(h.scrape(), "grpc_server_connections_opened_total"))
          .as("the connection was never torn down").isEqualTo(1);
      assertThat(h.simulator.requestCount("/chat/completions")).as("refused calls never reach the upstream").isEqualTo(2);
    }
  }

  @Test
  void aRaisedLimitLetsLargeMetadataThrough() throws Exception {
    try (GatewayHarness h = GatewayHarness.withSimulator("GATEWAY_MAX_INBOUND_METADATA_BYTES", "131072")) {
      Metadata big = new Metadata();
      big.put(NOTE, "y".repeat(64 * 1024));
      assertThat(h.chat().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(big))
          .chat(chat("sim/echo", "fits")).getMessage().getContent()).isEqualTo("fits");
    }
  }

  @Test
  void sizeCountsEntriesAsHttp2Does() {
    Metadata m = new Metadata();
    m.put(NOTE, "abc"); // 6 + 3 + 32
    m.put(Metadata.Key.of("x-b-bin", Metadata.BINARY_BYTE_MARSHALLER), new byte[] {1, 2, 3, 4}); // 7 + 6 + 32
    assertThat(MetadataLimitInterceptor.size(m)).isEqualTo(41 + 45);
  }
}
