package openrouter.gateway.server.chat;

import openrouter.gateway.v1.Usage;

/**
 * What one chat (or Embed) call did, for its access log line: filled by {@link ChatRunner} (or
 * {@code EmbedRunner}) while it runs, read once when the call ends. Fields are volatile because the runner's worker thread writes
 * them and the gRPC thread that closes the call reads them.
 */
public final class ChatStats {
  private final long startNanos = System.nanoTime();
  private volatile long firstChunkNanos = -1;
  private volatile int attempts;
  private volatile String model = "";
  private volatile String provider = "";
  private volatile Usage usage;

  public long startNanos() {
    return startNanos;
  }

  /** Time to the first chunk, or -1 when none was sent (unary calls, failures). */
  public long timeToFirstChunkNanos() {
    long first = firstChunkNanos;
    return first < 0 ? -1 : first - startNanos;
  }

  public int attempts() {
    return attempts;
  }

  /** The model that served, or the one requested until that is known. */
  public String model() {
    return model;
  }

  public String provider() {
    return provider;
  }

  /** Null until the upstream reported usage. */
  public Usage usage() {
    return usage;
  }

  void firstChunkAt(long nanos) {
    firstChunkNanos = nanos;
  }

  public void attempts(int n) {
    attempts = n;
  }

  public void model(String m) {
    if (m != null && !m.isEmpty()) {
      model = m;
    }
  }

  public void provider(String p) {
    if (p != null && !p.isEmpty()) {
      provider = p;
    }
  }

  public void usage(Usage u) {
    usage = u;
  }
}
