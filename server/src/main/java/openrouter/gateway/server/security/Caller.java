package openrouter.gateway.server.security;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import openrouter.gateway.server.spend.Budget;

/**
 * Who is calling: a caller of the keys file, or {@link #ANONYMOUS} when authentication is off.
 * The id goes to logs, rate limits and usage accounting, never to metric labels.
 *
 * @param limits this caller's own limits; a family not listed uses the gateway default
 * @param maxStreams this caller's own bound on chat calls in flight, when set
 * @param budget this caller's own spend budget line ({@code budget=5/1d} or {@code budget=none}),
 *     when set; otherwise the gateway default applies
 */
public record Caller(String id, Map<MethodFamily, RateLimit> limits, OptionalInt maxStreams,
    Optional<BudgetOverride> budget) {
  /** Every call when no keys file is configured: no per-caller limits apply. */
  public static final Caller ANONYMOUS = new Caller("anonymous", Map.of(), OptionalInt.empty());

  public Caller {
    limits = Map.copyOf(limits);
  }

  public Caller(String id, Map<MethodFamily, RateLimit> limits, OptionalInt maxStreams) {
    this(id, limits, maxStreams, Optional.empty());
  }

  /** A caller's own budget: a budget, or explicitly none. */
  public record BudgetOverride(Optional<Budget> budget) {}

  public boolean anonymous() {
    return this == ANONYMOUS;
  }

  public Optional<RateLimit> limit(MethodFamily family) {
    return Optional.ofNullable(limits.get(family));
  }
}
