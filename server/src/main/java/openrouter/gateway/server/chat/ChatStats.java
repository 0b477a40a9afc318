package openrouter.gateway.server.chat;

import java.util.ArrayList;
import java.util.List;
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
  private volatile String generationId = "";
  /** Generations the upstream started whose usage never arrived: their cost is still unknown. */
  private final List<String> unsettled = new ArrayList<>(2);

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

  /** The id of the last generation the upstream started ("" when none started). */
  public String generationId() {
    return generationId;
  }

  /**
   * Generations that started (the upstream answered 200) but whose usage never arrived, because
   * the call failed, timed out or was cancelled: their cost must be read from /generation.
   */
  public List<String> unsettledGenerations() {
    synchronized (unsettled) {
      return List.copyOf(unsettled);
    }
  }

  /** An upstream attempt answered 200 with this generation id: it may be billed from now on. */
  void generationStarted(String id) {
    if (id == null || id.isEmpty() || id.equals(generationId)) {
      return;
    }
    generationId = id;
    synchronized (unsettled) {
      unsettled.add(id); // at most one per attempt, and attempts are bounded
    }
  }

  /** The usage (with its cost) of this generation arrived: nothing left to look up. */
  void generationSettled(String id) {
    synchronized (unsettled) {
      unsettled.remove(id);
    }
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
