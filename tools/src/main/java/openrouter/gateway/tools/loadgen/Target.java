package openrouter.gateway.tools.loadgen;

/**
 * One kind of request against one endpoint (the gateway over gRPC, or the upstream directly
 * over HTTP). {@link #start} must not block: it records into {@code stats} and calls
 * {@code done} exactly once when the request ended.
 */
interface Target extends AutoCloseable {
  /**
   * @param intendedStartNanos when the request should have started (open loop: the schedule,
   *     so latency includes any time the generator itself fell behind)
   */
  void start(long intendedStartNanos, Stats stats, Runnable done);

  /** Connections opened so far (warm-up included). */
  long connectionsOpened();

  @Override
  void close();
}
