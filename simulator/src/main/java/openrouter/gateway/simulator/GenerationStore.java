package openrouter.gateway.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stats of the generations this simulator produced, for {@code GET /generation}. Bounded to
 * the newest {@value #CAPACITY}. Like OpenRouter's, the stats are eventually consistent: a
 * generation is invisible (404) for {@code generationStatsDelay} after it finished.
 */
final class GenerationStore {
  static final int CAPACITY = 10_000;

  private final Duration visibilityDelay;
  private final Map<String, Stored> byId =
      new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Stored> eldest) {
          return size() > CAPACITY;
        }
      };

  GenerationStore(Duration visibilityDelay) {
    this.visibilityDelay = visibilityDelay;
  }

  /** Stores the stats of a generation that has just finished. */
  synchronized void put(String id, ObjectNode stats) {
    byId.put(id, new Stored(stats, System.nanoTime() + visibilityDelay.toNanos()));
  }

  /** The stats, or null if unknown or not visible yet. */
  synchronized ObjectNode get(String id) {
    Stored stored = byId.get(id);
    if (stored == null || System.nanoTime() - stored.visibleAtNanos < 0) {
      return null;
    }
    return stored.stats.deepCopy();
  }

  private record Stored(ObjectNode stats, long visibleAtNanos) {}
}
