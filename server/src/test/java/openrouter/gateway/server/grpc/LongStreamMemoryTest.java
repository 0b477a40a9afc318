package openrouter.gateway.server.grpc;

import static openrouter.gateway.server.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import openrouter.gateway.simulator.SimulatorKeys;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.v1.StreamChatResponse;
import org.junit.jupiter.api.Test;

/**
 * One StreamChat of 64 MiB: the gateway's live heap near the end of the stream, with the stream
 * still open, is no larger than near its start. The upstream writes its answer as it goes (it
 * holds one chunk, never the answer) and stops at two points the test chooses, so each heap
 * measurement is taken while the stream is open and everything sent so far has reached the
 * client; the client only counts what it receives.
 */
class LongStreamMemoryTest {
  private static final int CHUNK_CHARS = 32 * 1024;
  private static final int CHUNKS = 2048; // 64 MiB of content
  private static final int BASELINE_AT = 64;
  private static final int MEASURE_AT = CHUNKS - 64;
  /** Far below the text streamed between the two measurements (about 62 MiB). */
  private static final long MAX_GROWTH_BYTES = 16L << 20;

  @Test
  void theHeapAStreamHoldsDoesNotGrowWithItsAnswer() throws Exception {
    try (PausingSseUpstream upstream = new PausingSseUpstream()) {
      try (GatewayHarness h = GatewayHarness.withUpstream(upstream.baseUrl(), SimulatorKeys.DEFAULT,
          "OPENROUTER_MAX_RETRIES", "0")) {
        AtomicLong received = new AtomicLong();
        AtomicReference<Status> end = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch atBaseline = new CountDownLatch(1);
        CountDownLatch atMeasure = new CountDownLatch(1);
        h.chatAsync().withDeadlineAfter(5, TimeUnit.MINUTES).streamChat(chat("m/long", "a long answer"),
            new StreamObserver<StreamChatResponse>() {
              @Override
              public void onNext(StreamChatResponse value) {
                long total = received.addAndGet(value.getDelta().getContent().length());
                if (total >= (long) BASELINE_AT * CHUNK_CHARS) {
                  atBaseline.countDown();
                }
                if (total >= (long) MEASURE_AT * CHUNK_CHARS) {
                  atMeasure.countDown();
                }
              }

              @Override
              public void onError(Throwable t) {
                end.set(Status.fromThrowable(t));
                done.countDown();
                atBaseline.countDown();
                atMeasure.countDown();
              }

              @Override
              public void onCompleted() {
                end.set(Status.OK);
                done.countDown();
              }
            });

        assertThat(atBaseline.await(2, TimeUnit.MINUTES)).isTrue();
        assertThat(end.get()).as("open at the baseline").isNull();
        long baseline = liveHeap();
        upstream.resume.release();

        assertThat(atMeasure.await(4, TimeUnit.MINUTES)).isTrue();
        assertThat(end.get()).as("open at the measurement").isNull();
        long nearTheEnd = liveHeap();
        upstream.resume.release();

        assertThat(done.await(2, TimeUnit.MINUTES)).isTrue();
        assertThat(end.get().isOk()).as(String.valueOf(end.get())).isTrue();
        assertThat(received.get()).isEqualTo((long) CHUNKS * CHUNK_CHARS);
        long streamedBetween = (long) (MEASURE_AT - BASELINE_AT) * CHUNK_CHARS;
        // For the record (surefire keeps it in the test's output file).
        System.out.printf("live heap: %d KiB at the baseline, %d KiB near the end, %d MiB streamed between%n",
            baseline >> 10, nearTheEnd >> 10, streamedBetween >> 20);
        assertThat(nearTheEnd - baseline)
            .as("live heap growth while %d MiB streamed (baseline %d MiB)", streamedBetween >> 20, baseline >> 20)
            .isLessThan(MAX_GROWTH_BYTES);
      }
    }
  }

  /** Used heap after full collections: what is live. */
  private static long liveHeap() {
    var memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      memory.gc();
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  /**
   * A one-request HTTP/1.1 upstream that streams {@link #CHUNKS} content chunks as SSE, built
   * from one reused chunk, and waits for {@link #resume} after chunk {@link #BASELINE_AT} and
   * after chunk {@link #MEASURE_AT}.
   */
  private static final class PausingSseUpstream implements AutoCloseable {
    final Semaphore resume = new Semaphore(0);
    private final ServerSocket server;
    private final Thread thread;

    PausingSseUpstream() throws IOException {
      server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
      thread = new Thread(this::serve, "pausing-sse-upstream");
      thread.setDaemon(true);
      thread.start();
    }

    URI baseUrl() {
      return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/api/v1");
    }

    private void serve() {
      try (Socket socket = server.accept()) {
        readRequest(new BufferedInputStream(socket.getInputStream()));
        OutputStream out = socket.getOutputStream();
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n"
            + "X-Generation-Id: gen-long\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        byte[] chunk = event("{\"id\":\"gen-long\",\"model\":\"m/long\",\"choices\":[{\"index\":0,\"delta\":"
            + "{\"content\":\"" + "a".repeat(CHUNK_CHARS) + "\"},\"finish_reason\":null}]}");
        for (int i = 1; i <= CHUNKS; i++) {
          out.write(chunk);
          if (i == BASELINE_AT || i == MEASURE_AT) {
            out.flush();
            resume.acquire();
          }
        }
        out.write(event("{\"id\":\"gen-long\",\"model\":\"m/long\",\"choices\":[{\"index\":0,\"delta\":{},"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":" + CHUNKS
            + ",\"total_tokens\":" + (CHUNKS + 3) + "}}"));
        out.write(event("[DONE]"));
        out.flush();
      } catch (IOException | InterruptedException e) {
        // the test fails on its own assertions; closing ends the stream
      }
    }

    private static byte[] event(String data) {
      return ("data: " + data + "\n\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Reads the request head and its Content-Length body. */
    private static void readRequest(InputStream in) throws IOException {
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("request ended early");
        }
        head.append((char) b);
      }
      long length = 0;
      for (String line : head.toString().split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Long.parseLong(line.substring("content-length:".length()).trim());
        }
      }
      in.skipNBytes(length);
    }

    @Override
    public void close() throws Exception {
      resume.release(2);
      server.close();
      thread.join(TimeUnit.SECONDS.toMillis(10));
    }
  }
}
