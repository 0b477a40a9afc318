package openrouter.gateway.tools.cli;

import java.io.PrintStream;

/**
 * A spinner on stderr while a chat waits for its first token, so a person sees the call is
 * alive. Only used when stderr is a terminal; it erases itself before the answer is printed.
 */
final class Progress implements AutoCloseable {
  private static final String FRAMES = "|/-\\";
  private static final long FRAME_MS = 100;

  private final PrintStream err;
  private final String label;
  private final Thread thread;
  private final Object lock = new Object();
  private boolean stopped;

  private Progress(PrintStream err, String label) {
    this.err = err;
    this.label = label;
    this.thread = new Thread(this::spin, "cli-progress");
    thread.setDaemon(true);
  }

  /** Starts the spinner, or returns an inert one when {@code enabled} is false. */
  static Progress start(boolean enabled, PrintStream err, String label) {
    Progress p = new Progress(err, label);
    if (enabled) {
      p.thread.start();
    } else {
      p.stopped = true;
    }
    return p;
  }

  private void spin() {
    long start = System.nanoTime();
    for (int frame = 0; ; frame++) {
      synchronized (lock) {
        if (stopped) {
          return;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        err.printf("\r%c %s %.1fs", FRAMES.charAt(frame % FRAMES.length()), label, seconds);
        err.flush();
        try {
          lock.wait(FRAME_MS);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** Stops and erases the spinner; idempotent. */
  void stop() {
    synchronized (lock) {
      if (stopped) {
        return;
      }
      stopped = true;
      err.print("\r\033[2K");
      err.flush();
      lock.notifyAll();
    }
  }

  @Override
  public void close() {
    stop();
  }
}
