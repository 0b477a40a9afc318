package openrouter.gateway.server.security;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Who is calling: a caller of the keys file, or {@link #ANONYMOUS} when authentication is off.
 * The id goes to logs, rate limits and usage accounting, never to metric labels.
 *
 * @param limits this caller's own limits; a family not listed uses the gateway default
 * @param maxStreams this caller's own bound on chat calls in flight, when set
 */
public record Caller(String id, Map<MethodFamily, RateLimit> limits, OptionalInt maxStreams) {
  /** Every call when no keys file is configured: no per-caller limits apply. */
  public static final Caller ANONYMOUS = new Caller("anonymous", Map.of(), OptionalInt.empty());

  public Caller {
    limits = Map.copyOf(limits);
  }

  public boolean anonymous() {
    return this == ANONYMOUS;
  }

  public Optional<RateLimit> limit(MethodFamily family) {
    return Optional.ofNullable(limits.get(family));
  }
}
