package openrouter.gateway.tools.cli;

import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import openrouter.gateway.v1.CacheInfo;

/** Words for a {@code CacheInfo}: where an answer came from and how old it is. */
final class Freshness {
  private Freshness() {}

  static String describe(CacheInfo cache) {
    StringBuilder s = new StringBuilder(cache.getFromCache() ? "cached" : "fresh");
    if (cache.hasAge()) {
      s.append(", ").append(Durations.toSeconds(cache.getAge())).append("s old");
    }
    if (cache.hasFetchedAt()) {
      s.append(", read ").append(Timestamps.toString(cache.getFetchedAt()));
    }
    if (cache.getStale()) {
      s.append(" (STALE: the last refresh failed)");
    }
    return s.toString();
  }
}
