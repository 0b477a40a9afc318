package openrouter.gateway.server.security;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/** Callers' slots in this replica's memory: a semaphore per caller and limit. */
public final class LocalCallerSlots implements CallerSlots {
  private final ConcurrentHashMap<String, Semaphore> perCaller = new ConcurrentHashMap<>();

  @Override
  public Optional<Held> tryAcquire(String callerId, int limit) {
    Semaphore own = perCaller.computeIfAbsent(callerId + "#" + limit, k -> new Semaphore(limit));
    return own.tryAcquire() ? Optional.of(own::release) : Optional.empty();
  }
}
