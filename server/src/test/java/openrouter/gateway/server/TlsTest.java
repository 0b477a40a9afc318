package openrouter.gateway.server;

import static openrouter.gateway.server.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import openrouter.gateway.server.config.ConfigException;
import openrouter.gateway.server.config.GatewayConfig;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.TestCertificates;
import openrouter.gateway.server.testing.TestCertificates.Issued;
import openrouter.gateway.v1.ChatServiceGrpc;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS and mutual TLS with certificates generated here; plaintext stays the default. */
class TlsTest {
  @TempDir
  static Path dir;
  private static Issued ca;
  private static Issued server;
  private static Issued client;
  private static Issued strangerClient;

  @BeforeAll
  static void certificates() throws Exception {
    ca = TestCertificates.ca(dir, "test-ca");
    server = TestCertificates.leaf(dir, "server", ca);
    client = TestCertificates.leaf(dir, "client", ca);
    Issued otherCa = TestCertificates.ca(dir, "other-ca");
    strangerClient = TestCertificates.leaf(dir, "stranger", otherCa);
  }

  private static ManagedChannel channel(int port, ChannelCredentials credentials) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port, credentials).build();
  }

  private static ChannelCredentials trustingCa(Issued clientCert) throws Exception {
    TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder().trustManager(ca.certFile().toFile());
    if (clientCert != null) {
      b.keyManager(clientCert.certFile().toFile(), clientCert.keyFile().toFile());
    }
    return b.build();
  }

  private static Status.Code chatOver(ManagedChannel channel) {
    try {
      ChatServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS).chat(chat("sim/echo", "over tls"));
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void withACertificateTheGatewayServesTlsAndRefusesPlaintext() throws Exception {
    try (GatewayHarness h = GatewayHarness.withSimulator(
        "GATEWAY_TLS_CERT", server.certFile().toString(), "GATEWAY_TLS_KEY", server.keyFile().toString())) {
      assertThat(chatOver(channel(h.gateway.port(), trustingCa(null)))).isEqualTo(Status.Code.OK);
      assertThat(chatOver(channel(h.gateway.port(), InsecureChannelCredentials.create())))
          .isEqualTo(Status.Code.UNAVAILABLE);
    }
  }

  @Test
  void withAClientCaOnlyClientsWithACertificateItSignedGetIn() throws Exception {
    try (GatewayHarness h = GatewayHarness.withSimulator(
        "GATEWAY_TLS_CERT", server.certFile().toString(), "GATEWAY_TLS_KEY", server.keyFile().toString(),
        "GATEWAY_TLS_CLIENT_CA", ca.certFile().toString())) {
      assertThat(chatOver(channel(h.gateway.port(), trustingCa(client)))).isEqualTo(Status.Code.OK);
      assertThat(chatOver(channel(h.gateway.port(), trustingCa(null)))).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(chatOver(channel(h.gateway.port(), trustingCa(strangerClient)))).isEqualTo(Status.Code.UNAVAILABLE);
    }
  }

  @Test
  void theDockerHealthProbeSpeaksTlsAndMutualTls() throws Exception {
    try (GatewayHarness tls = GatewayHarness.withSimulator(
        "GATEWAY_TLS_CERT", server.certFile().toString(), "GATEWAY_TLS_KEY", server.keyFile().toString())) {
      Map<String, String> env = Map.of("GATEWAY_PORT", Integer.toString(tls.gateway.port()),
          "GATEWAY_TLS_CERT", server.certFile().toString(), "GATEWAY_TLS_KEY", server.keyFile().toString());
      assertThat(probe(env)).isZero();
      assertThat(probe(Map.of("GATEWAY_PORT", Integer.toString(tls.gateway.port())))).as("plaintext probe").isEqualTo(1);
    }
    try (GatewayHarness mtls = GatewayHarness.withSimulator(
        "GATEWAY_TLS_CERT", server.certFile().toString(), "GATEWAY_TLS_KEY", server.keyFile().toString(),
        "GATEWAY_TLS_CLIENT_CA", ca.certFile().toString())) {
      // The server's own certificate was issued by the client CA, so the probe can present it.
      Map<String, String> env = Map.of("GATEWAY_PORT", Integer.toString(mtls.gateway.port()),
          "GATEWAY_TLS_CERT", server.certFile().toString(), "GATEWAY_TLS_KEY", server.keyFile().toString(),
          "GATEWAY_TLS_CLIENT_CA", ca.certFile().toString());
      assertThat(probe(env)).isZero();
      assertThat(probe(Map.of("GATEWAY_PORT", Integer.toString(mtls.gateway.port())), "--tls"))
          .as("no client certificate").isEqualTo(1);
    }
  }

  @Test
  void theStandardHealthServiceAnswersOverTls() throws Exception {
    try (GatewayHarness h = GatewayHarness.withSimulator(
        "GATEWAY_TLS_CERT", server.certFile().toString(), "GATEWAY_TLS_KEY", server.keyFile().toString())) {
      ManagedChannel channel = channel(h.gateway.port(), trustingCa(null));
      try {
        assertThat(HealthGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void unreadableOrIncompleteTlsSettingsAreClearConfigErrors() throws Exception {
    assertThatThrownBy(() -> load("GATEWAY_TLS_CERT", dir.resolve("missing.crt").toString(),
        "GATEWAY_TLS_KEY", server.keyFile().toString()))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("GATEWAY_TLS_CERT names no file: ");
    assertThatThrownBy(() -> load("GATEWAY_TLS_CERT", server.certFile().toString()))
        .hasMessageStartingWith("GATEWAY_TLS_KEY must be set too");
    assertThatThrownBy(() -> load("GATEWAY_TLS_CLIENT_CA", ca.certFile().toString()))
        .hasMessageStartingWith("GATEWAY_TLS_CLIENT_CA needs GATEWAY_TLS_CERT");
    Path unreadable = Files.writeString(dir.resolve("unreadable.key"), "x");
    if (unreadable.toFile().setReadable(false, false) && !Files.isReadable(unreadable)) {
      assertThatThrownBy(() -> load("GATEWAY_TLS_CERT", server.certFile().toString(),
          "GATEWAY_TLS_KEY", unreadable.toString()))
          .hasMessageStartingWith("GATEWAY_TLS_KEY names a file this process cannot read");
    }
    Path garbage = Files.writeString(dir.resolve("garbage.crt"), "not a certificate");
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> GatewayHarness.withSimulator(
        "GATEWAY_TLS_CERT", garbage.toString(), "GATEWAY_TLS_KEY", server.keyFile().toString()));
    assertThat(e).hasMessageContaining("GATEWAY_TLS_CERT").hasMessageContaining("PEM");
  }

  private static GatewayConfig load(String... kv) {
    java.util.Map<String, String> env = new java.util.HashMap<>();
    for (int i = 0; i + 1 < kv.length; i += 2) {
      env.put(kv[i], kv[i + 1]);
    }
    return GatewayConfig.load(env, List.of());
  }

  private static int probe(Map<String, String> env, String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    return HealthProbe.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8));
  }
}
