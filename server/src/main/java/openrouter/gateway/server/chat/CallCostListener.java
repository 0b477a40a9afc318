package openrouter.gateway.server.chat;

/**
 * Hears the cost of every chat generation the gateway started, whatever the call's outcome
 * (e.g. a budget ledger). Called once per generation whose cost became known: on the call's
 * worker when the usage arrived, later on a cost-lookup thread when it came from /generation.
 * Implementations must be quick and must not throw.
 */
@FunctionalInterface
public interface CallCostListener {
  void cost(CallCost cost);
}
