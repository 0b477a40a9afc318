package openrouter.gateway.loadgen;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;

/**
 * Measures start-up: polls {@code grpc.health.v1.Health/Check} every 5 ms until SERVING and
 * prints the milliseconds since the given launch time (epoch ms, taken just before the gateway
 * process was started). Usage: {@code WaitServing host:port launchEpochMillis [timeoutSeconds]}.
 */
public final class WaitServing {
  private WaitServing() {}

  public static void main(String[] args) throws InterruptedException {
    String target = args[0];
    long launchedAt = Long.parseLong(args[1]);
    long timeoutMs = args.length > 2 ? Long.parseLong(args[2]) * 1000 : 60_000;
    String host = target.substring(0, target.lastIndexOf(':'));
    int port = Integer.parseInt(target.substring(target.lastIndexOf(':') + 1));
    // A plain TCP probe first: a gRPC channel that failed to connect backs off for a second
    // before retrying, which would inflate the measurement.
    while (!listening(host, port)) {
      if (System.currentTimeMillis() - launchedAt > timeoutMs) {
        System.out.println("timeout");
        System.exit(1);
      }
      Thread.sleep(2);
    }
    ManagedChannel channel = NettyChannelBuilder.forAddress(host, port).usePlaintext().build();
    try {
      while (System.currentTimeMillis() - launchedAt < timeoutMs) {
        HealthCheckResponse r = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
            .withWaitForReady().check(HealthCheckRequest.getDefaultInstance());
        if (r.getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
          System.out.println(System.currentTimeMillis() - launchedAt);
          return;
        }
        Thread.sleep(2);
      }
      System.out.println("timeout");
      System.exit(1);
    } finally {
      channel.shutdownNow();
    }
  }

  private static boolean listening(String host, int port) {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress(host, port), 100);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
