package openrouter.gateway.server;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;

/**
 * A tiny gRPC health probe for container health checks, so the image needs no extra binary:
 * {@code java -cp gateway.jar openrouter.gateway.server.HealthProbe [--port N] [--service S]}.
 * Exits 0 when the standard health service answers SERVING, 1 otherwise.
 */
public final class HealthProbe {
  private HealthProbe() {}

  public static void main(String[] args) throws InterruptedException {
    String host = "127.0.0.1";
    int port = Integer.parseInt(System.getenv().getOrDefault("GATEWAY_PORT", "50051"));
    String service = "";
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--host" -> host = args[i + 1];
        case "--port" -> port = Integer.parseInt(args[i + 1]);
        case "--service" -> service = args[i + 1];
        default -> {
          System.err.println("usage: HealthProbe [--host H] [--port N] [--service S]");
          System.exit(2);
        }
      }
    }
    ManagedChannel channel = NettyChannelBuilder.forAddress(host, port).usePlaintext().build();
    int exit = 1;
    try {
      HealthCheckResponse r = HealthGrpc.newBlockingStub(channel)
          .withDeadlineAfter(3, TimeUnit.SECONDS)
          .check(HealthCheckRequest.newBuilder().setService(service).build());
      System.out.println(r.getStatus());
      exit = r.getStatus() == HealthCheckResponse.ServingStatus.SERVING ? 0 : 1;
    } catch (StatusRuntimeException e) {
      System.out.println(e.getStatus().getCode() + ": " + e.getStatus().getDescription());
    } finally {
      channel.shutdownNow().awaitTermination(1, TimeUnit.SECONDS);
    }
    System.exit(exit);
  }
}
