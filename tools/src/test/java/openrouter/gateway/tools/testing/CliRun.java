package openrouter.gateway.tools.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import openrouter.gateway.tools.cli.CliContext;
import openrouter.gateway.tools.cli.GatewayCli;

/**
 * Runs the CLI in-process the way {@code main} does, with captured stdout and stderr, a given
 * stdin and environment, and a record of when each stdout write happened.
 */
public final class CliRun {
  public final int exitCode;
  public final String out;
  public final String err;
  /** Nanosecond times of the writes to stdout that carried bytes. */
  public final List<Long> outWriteTimes;

  private CliRun(int exitCode, String out, String err, List<Long> outWriteTimes) {
    this.exitCode = exitCode;
    this.out = out;
    this.err = err;
    this.outWriteTimes = outWriteTimes;
  }

  public static CliRun run(String... args) {
    return builder().run(args);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String toString() {
    return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
  }

  public static final class Builder {
    private String stdin = "";
    private Map<String, String> env = Map.of();
    private boolean terminal;

    public Builder stdin(String text) {
      this.stdin = text;
      return this;
    }

    public Builder env(Map<String, String> env) {
      this.env = env;
      return this;
    }

    /** Pretends a person watches stderr (so the progress indicator and summary show). */
    public Builder terminal() {
      this.terminal = true;
      return this;
    }

    public CliRun run(String... args) {
      List<Long> times = new ArrayList<>();
      ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
      OutputStream timedOut = new OutputStream() {
        @Override
        public synchronized void write(int b) {
          times.add(System.nanoTime());
          outBytes.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
          if (len > 0) {
            times.add(System.nanoTime());
          }
          outBytes.write(b, off, len);
        }
      };
      ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
      PrintStream out = new PrintStream(timedOut, false, StandardCharsets.UTF_8);
      PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
      int code = GatewayCli.run(args, new CliContext(
          new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), out, err, env, terminal));
      out.flush();
      err.flush();
      synchronized (timedOut) {
        return new CliRun(code, outBytes.toString(StandardCharsets.UTF_8),
            errBytes.toString(StandardCharsets.UTF_8), List.copyOf(times));
      }
    }
  }
}
