package openrouter.gateway.tools.loadgen;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Measures start-up: launches the gateway command itself (so this JVM's own start-up is not in
 * the figure), then polls {@code grpc.health.v1.Health/Check} until SERVING. Prints the child's
 * pid and the milliseconds from launch to SERVING; the gateway keeps running.
 *
 * <pre>
 * WaitServing host:port logFile command [args...]
 * </pre>
 */
public final class WaitServing {
  private static final long TIMEOUT_MS = 60_000;

  private WaitServing() {}

  public static void main(String[] args) throws Exception {
    String target = args[0];
    File log = new File(args[1]);
    List<String> command = Arrays.asList(args).subList(2, args.length);
    String host = target.substring(0, target.lastIndexOf(':'));
    int port = Integer.parseInt(target.substring(target.lastIndexOf(':') + 1));
    // Warm the client path first, so that only the gateway's start-up is timed.
    listening(host, port);
    ManagedChannel channel = NettyChannelBuilder.forAddress(host, port).usePlaintext().build();
    try {
      long launched = System.nanoTime();
      Process gateway = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
      // A plain TCP probe first: a gRPC channel that failed to connect backs off for a second
      // before retrying, which would inflate the figure.
      while (!listening(host, port)) {
        if (!gateway.isAlive() || elapsedMs(launched) > TIMEOUT_MS) {
          System.out.println(gateway.pid() + " failed");
          System.exit(1);
        }
        Thread.sleep(1);
      }
      while (elapsedMs(launched) < TIMEOUT_MS) {
        HealthCheckResponse r = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
            .withWaitForReady().check(HealthCheckRequest.getDefaultInstance());
        if (r.getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
          System.out.println(gateway.pid() + " " + elapsedMs(launched));
          return;
        }
        Thread.sleep(1);
      }
      System.out.println(gateway.pid() + " timeout");
      System.exit(1);
    } finally {
      channel.shutdownNow();
    }
  }

  private static long elapsedMs(long since) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
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
