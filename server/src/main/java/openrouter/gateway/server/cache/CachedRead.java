package openrouter.gateway.server.cache;

import java.time.Duration;
import java.time.Instant;

/**
 * A value served by a {@link SnapshotCache}, with what the caller needs to judge its freshness.
 *
 * @param value the value
 * @param fetchedAt when it was read from the upstream
 * @param age how old it was when served
 * @param fromCache true when this read waited for no upstream call
 * @param stale true when the value is past its TTL and is served because refreshing it failed
 */
public record CachedRead<V>(
    V value, Instant fetchedAt, Duration age, boolean fromCache, boolean stale) {}
