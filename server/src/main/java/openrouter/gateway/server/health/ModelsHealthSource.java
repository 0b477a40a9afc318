package openrouter.gateway.server.health;

import java.time.Duration;
import java.util.Optional;

/**
 * The model catalogue's state, for the detailed health report and the cache-age metric.
 *
 * <p>MERGE POINT: the models catalogue cache implements this and is passed to {@code
 * Gateway} in place of {@link #NOT_WIRED}. It must answer from memory, at once.
 */
public interface ModelsHealthSource {
  /** Until the catalogue cache is wired in: the report leaves the models section unset. */
  ModelsHealthSource NOT_WIRED = Optional::empty;

  /** The catalogue's state; empty when this gateway keeps no catalogue. */
  Optional<ModelsStatus> status();

  /**
   * @param loaded whether a catalogue is in memory
   * @param count models in it
   * @param cacheAge age of the cached catalogue; empty when none is loaded
   * @param stale true when the last refresh failed and the catalogue is served stale
   */
  record ModelsStatus(boolean loaded, int count, Optional<Duration> cacheAge, boolean stale) {}
}
