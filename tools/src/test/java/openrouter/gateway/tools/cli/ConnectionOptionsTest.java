package openrouter.gateway.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import openrouter.gateway.tools.testing.CliRun;
import openrouter.gateway.server.testing.TestCertificates;
import openrouter.gateway.server.testing.TestCertificates.Issued;
import openrouter.gateway.client.testing.TestGateway;
import openrouter.gateway.v1.CheckRequest;
import openrouter.gateway.v1.CheckResponse;
import openrouter.gateway.v1.HealthServiceGrpc;
import openrouter.gateway.v1.OverallStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the CLI reaches a gateway: target, TLS and mutual TLS, the caller's API key, a gateway
 * that is down, and a gateway that does not implement a call.
 */
class ConnectionOptionsTest {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  @TempDir
  static Path certDir;
  private static Issued ca;
  private static Issued serverCert;
  private static Issued clientCert;
  private static TestGateway gateway;
  private static final List<String> authorizations = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start();
    ca = TestCertificates.ca(certDir, "test-ca");
    serverCert = TestCertificates.leaf(certDir, "server", ca);
    clientCert = TestCertificates.leaf(certDir, "client", ca);
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  /**
   * A server with the detailed and the standard health services behind the given credentials,
   * recording the authorization header of each call.
   */
  private static Server healthServer(ServerCredentials credentials) throws Exception {
    HealthStatusManager standard = new HealthStatusManager();
    ServerInterceptor recordAuthorization = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String value = headers.get(AUTHORIZATION);
        authorizations.add(value == null ? "<none>" : value);
        return next.startCall(call, headers);
      }
    };
    return Grpc.newServerBuilderForPort(0, credentials)
        .addService(ServerInterceptors.intercept(new HealthServiceGrpc.HealthServiceImplBase() {
          @Override
          public void check(CheckRequest request, StreamObserver<CheckResponse> observer) {
            observer.onNext(CheckResponse.newBuilder().setStatus(OverallStatus.OVERALL_STATUS_SERVING).build());
            observer.onCompleted();
          }
        }, recordAuthorization))
        .addService(standard.getHealthService())
        .build().start();
  }

  @Test
  void healthReportsAServingGateway() {
    CliRun r = CliRun.run("health", "--target", gateway.target());
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.out).contains("Status:         SERVING\n").contains("grpc.health.v1: SERVING\n")
        .contains("Upstream:       simulator http://127.0.0.1:");
    CliRun json = CliRun.run("health", "--target", gateway.target(), "--json");
    assertThat(json.out).contains("\"status\": \"OVERALL_STATUS_SERVING\"").contains("\"mode\": \"UPSTREAM_MODE_SIMULATOR\"");
  }

  @Test
  void aGatewayThatIsDownExits3WithAHintAboutTheTarget() {
    CliRun r = CliRun.run("health", "--target", "127.0.0.1:1", "--no-retry");
    assertThat(r.exitCode).as(r.toString()).isEqualTo(3);
    assertThat(r.err).startsWith("error: UNAVAILABLE")
        .contains("hint: is a gateway running at 127.0.0.1:1? Set --target or $GATEWAY_TARGET");
  }

  @Test
  void aCallTheGatewayDoesNotImplementExits8() throws Exception {
    Server bare = healthServer(InsecureServerCredentials.create());
    try {
      String target = "127.0.0.1:" + bare.getPort();
      for (String command : List.of("models", "credits", "key")) {
        CliRun r = CliRun.run(command, "--target", target);
        assertThat(r.exitCode).as(r.toString()).isEqualTo(8);
        assertThat(r.out).isEmpty();
        assertThat(r.err).startsWith("error: UNIMPLEMENTED: ")
            .endsWith("hint: this gateway does not implement '" + command + "' yet; upgrade the gateway\n");
      }
      CliRun generation = CliRun.run("generation", "gen-123", "--target", target);
      assertThat(generation.exitCode).as(generation.toString()).isEqualTo(8);
    } finally {
      bare.shutdownNow();
    }
  }

  @Test
  void theApiKeyComesFromTheFlagOrTheEnvironment() throws Exception {
    Server server = healthServer(InsecureServerCredentials.create());
    try {
      String target = "127.0.0.1:" + server.getPort();
      authorizations.clear();
      CliRun.builder().env(Map.of("GATEWAY_API_KEY", "sk-or-v1-fromenv")).run("health", "--target", target);
      CliRun.builder().env(Map.of("GATEWAY_API_KEY", "sk-or-v1-fromenv"))
          .run("health", "--target", target, "--api-key", "sk-or-v1-fromflag");
      CliRun.run("health", "--target", target);
      assertThat(authorizations).containsExactly("Bearer sk-or-v1-fromenv", "Bearer sk-or-v1-fromflag", "<none>");
    } finally {
      server.shutdownNow();
    }
  }

  @Test
  void tlsWithTheServersCaCertificate() throws Exception {
    Server server = healthServer(TlsServerCredentials.create(serverCert.certFile().toFile(), serverCert.keyFile().toFile()));
    try {
      String target = "localhost:" + server.getPort();
      CliRun trusted = CliRun.run("health", "--target", target, "--ca-cert", ca.certFile().toString());
      assertThat(trusted.exitCode).as(trusted.toString()).isZero();

      CliRun plaintext = CliRun.run("health", "--target", target, "--no-retry");
      assertThat(plaintext.exitCode).as(plaintext.toString()).isEqualTo(3);

      // The JVM's CAs do not know the test CA.
      CliRun systemCas = CliRun.run("health", "--target", target, "--tls", "--no-retry");
      assertThat(systemCas.exitCode).as(systemCas.toString()).isEqualTo(3);
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void mutualTlsPresentsTheClientCertificate() throws Exception {
    ServerCredentials mtls = TlsServerCredentials.newBuilder()
        .keyManager(serverCert.certFile().toFile(), serverCert.keyFile().toFile())
        .trustManager(ca.certFile().toFile())
        .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
        .build();
    Server server = healthServer(mtls);
    try {
      String target = "localhost:" + server.getPort();
      CliRun withCert = CliRun.run("health", "--target", target, "--ca-cert", ca.certFile().toString(),
          "--client-cert", clientCert.certFile().toString(), "--client-key", clientCert.keyFile().toString());
      assertThat(withCert.exitCode).as(withCert.toString()).isZero();

      CliRun withoutCert = CliRun.run("health", "--target", target, "--ca-cert", ca.certFile().toString(),
          "--no-retry");
      assertThat(withoutCert.exitCode).as(withoutCert.toString()).isEqualTo(3);
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void halfAClientCertificateOrAMissingFileIsAUsageError() {
    CliRun half = CliRun.run("health", "--target", gateway.target(), "--client-cert", serverCert.certFile().toString());
    assertThat(half.exitCode).isEqualTo(2);
    assertThat(half.err).isEqualTo("error: --client-cert and --client-key go together\n");

    CliRun missing = CliRun.run("health", "--target", gateway.target(), "--ca-cert", "/no/such/ca.pem");
    assertThat(missing.exitCode).isEqualTo(2);
    assertThat(missing.err).isEqualTo("error: CA certificate file /no/such/ca.pem does not exist or is not readable\n");
  }

  @Test
  void helpListsTheCommandsAndExitCodes() {
    CliRun r = CliRun.run("--help");
    assertThat(r.exitCode).isZero();
    assertThat(r.out).contains("chat", "models", "credits", "key", "generation", "health", "Exit codes:",
        "4     rate limited or overloaded", "--no-retry");
  }
}
