package openrouter.gateway.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian's package) on a free loopback port, with no persistence,
 * stopped by {@link #close}. {@link #stop} and {@link #restart} simulate an outage on the same
 * port. scripts/test.sh installs the package when it is missing.
 */
public final class RedisServer implements AutoCloseable {
  private final int port;
  private final Path dir;
  private Process process;

  private RedisServer(int port, Path dir) {
    this.port = port;
    this.dir = dir;
  }

  public static RedisServer start() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    RedisServer r = new RedisServer(port, Files.createTempDirectory("redis"));
    r.restart();
    return r;
  }

  public static String binary() {
    for (String candidate : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    throw new AssertionError("redis-server is not installed: apt-get install redis-server (scripts/test.sh does)");
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://127.0.0.1:" + port + "/0";
  }

  /** Starts it (again) on its port and waits until it answers PING. */
  public synchronized void restart() throws Exception {
    process = new ProcessBuilder(binary(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", dir.toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis.log").toFile())
        .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try {
        if (command("PING").equals("+PONG")) {
          return;
        }
      } catch (IOException notYet) {
        // polled below
      }
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("redis-server did not start: " + Files.readString(dir.resolve("redis.log")));
      }
      Thread.sleep(20);
    }
  }

  /** Stops it (an outage) and waits until the process is gone. */
  public synchronized void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** One inline command, its first reply line (e.g. {@code +PONG}, {@code :3}). */
  public String command(String inline) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) != -1 && c != '\r') {
        line.append((char) c);
      }
      return line.toString();
    }
  }

  /**
   * Starts watching every command Redis runs (MONITOR): what clients send and, marked
   * {@code lua}, what scripts run. Close it when done.
   */
  public Monitor monitor() throws IOException {
    return new Monitor(port);
  }

  /** A MONITOR connection: commands between two markers this test sends itself. */
  public static final class Monitor implements AutoCloseable {
    private final int port;
    private final Socket socket;
    private final InputStream in;
    private int markers;

    Monitor(int port) throws IOException {
      this.port = port;
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write("MONITOR\r\n".getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      in = socket.getInputStream();
      if (!line().equals("+OK")) {
        throw new IOException("MONITOR refused");
      }
    }

    /**
     * Sends a marker through another connection and returns the commands clients sent (not
     * those scripts ran) since the previous marker, each as its quoted words, e.g.
     * {@code "EVALSHA" "1f0c..." "3" ...}. Redis runs commands in order, so everything sent
     * before the marker is listed before it.
     */
    public List<String> clientCommandsSinceLastMark() throws IOException {
      String marker = "round-trip-marker-" + (++markers);
      try (Socket s = new Socket("127.0.0.1", port)) {
        s.getOutputStream().write(("ECHO " + marker + "\r\n").getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        s.getInputStream().read();
      }
      List<String> commands = new java.util.ArrayList<>();
      while (true) {
        String l = line();
        int source = l.indexOf('[');
        int words = l.indexOf("] ");
        if (source < 0 || words < 0) {
          continue;
        }
        String command = l.substring(words + 2);
        if (command.equals("\"ECHO\" \"" + marker + "\"")) {
          return commands;
        }
        if (!l.substring(source, words).endsWith(" lua")) {
          commands.add(command);
        }
      }
    }

    private String line() throws IOException {
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) != -1 && c != '\n') {
        if (c != '\r') {
          line.append((char) c);
        }
      }
      if (c == -1) {
        throw new IOException("MONITOR connection closed");
      }
      return line.toString();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  @Override
  public void close() throws Exception {
    stop();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
