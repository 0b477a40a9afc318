package openrouter.gateway.simulator;

/** How the simulator's handling of one request ended. */
public enum StreamEnd {
  /** The simulator wrote the whole response (or stopped on its own, e.g. on shutdown). */
  COMPLETED,
  /** A write failed: the client closed the connection before the response was finished. */
  CLIENT_DISCONNECTED
}
