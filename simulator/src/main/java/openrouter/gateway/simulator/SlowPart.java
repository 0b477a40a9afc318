package openrouter.gateway.simulator;

import java.io.IOException;

/**
 * The part of a response that may block (sleeps between chunks, waits for a slow reader): the
 * server runs it on a worker thread, never on the event loop that parsed the request.
 */
@FunctionalInterface
interface SlowPart {
  void run() throws IOException;
}
