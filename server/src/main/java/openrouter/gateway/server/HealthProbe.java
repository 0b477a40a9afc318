package openrouter.gateway.server;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A tiny gRPC health probe for container health checks, so the image needs no extra binary:
 * {@code java -cp gateway.jar openrouter.gateway.server.HealthProbe [--host H] [--port N]
 * [--service S] [--tls] [--cert F --key F]}. Exits 0 when the standard health service answers
 * SERVING, 1 otherwise, 2 on bad arguments.
 *
 * <p>It speaks TLS when {@code --tls} is given or GATEWAY_TLS_CERT is set. It checks the gateway
 * on this host, so it does not verify the server certificate (like grpc_health_probe's
 * {@code -tls-no-verify}). With mutual TLS (GATEWAY_TLS_CLIENT_CA set) it presents {@code
 * --cert/--key}, by default GATEWAY_TLS_CERT and GATEWAY_TLS_KEY: that works when the server's
 * certificate was issued by the client CA; otherwise give it a client certificate.
 */
public final class HealthProbe {
  private HealthProbe() {}

  public static void main(String[] args) throws InterruptedException {
    System.exit(run(args, System.getenv(), System.out));
  }

  static int run(String[] args, Map<String, String> env, PrintStream out) throws InterruptedException {
    String host = "127.0.0.1";
    int port;
    String service = "";
    boolean tls = !env.getOrDefault("GATEWAY_TLS_CERT", "").isBlank();
    boolean mutual = !env.getOrDefault("GATEWAY_TLS_CLIENT_CA", "").isBlank();
    String cert = env.getOrDefault("GATEWAY_TLS_CERT", "");
    String key = env.getOrDefault("GATEWAY_TLS_KEY", "");
    try {
      port = Integer.parseInt(env.getOrDefault("GATEWAY_PORT", "50051"));
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--host" -> host = args[++i];
          case "--port" -> port = Integer.parseInt(args[++i]);
          case "--service" -> service = args[++i];
          case "--tls" -> tls = true;
          case "--cert" -> {
            cert = args[++i];
            mutual = true;
          }
          case "--key" -> key = args[++i];
          default -> throw new IllegalArgumentException(args[i]);
        }
      }
    } catch (RuntimeException e) {
      out.println("usage: HealthProbe [--host H] [--port N] [--service S] [--tls] [--cert F --key F]");
      return 2;
    }
    ChannelCredentials credentials;
    try {
      credentials = tls ? tlsCredentials(mutual, cert, key) : InsecureChannelCredentials.create();
    } catch (IOException | RuntimeException e) {
      out.println("cannot read the TLS client certificate or key: " + e.getMessage());
      return 2;
    }
    ManagedChannel channel = NettyChannelBuilder.forAddress(host, port, credentials).build();
    try {
      HealthCheckResponse r = HealthGrpc.newBlockingStub(channel)
          .withDeadlineAfter(3, TimeUnit.SECONDS)
          .check(HealthCheckRequest.newBuilder().setService(service).build());
      out.println(r.getStatus());
      return r.getStatus() == HealthCheckResponse.ServingStatus.SERVING ? 0 : 1;
    } catch (StatusRuntimeException e) {
      out.println(e.getStatus().getCode() + ": " + e.getStatus().getDescription());
      return 1;
    } finally {
      channel.shutdownNow().awaitTermination(1, TimeUnit.SECONDS);
    }
  }

  private static ChannelCredentials tlsCredentials(boolean mutual, String cert, String key) throws IOException {
    TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder()
        .trustManager(InsecureTrustManagerFactory.INSTANCE.getTrustManagers());
    if (mutual) {
      b.keyManager(new File(cert), new File(key));
    }
    return b.build();
  }
}
