package openrouter.gateway.simulator;

/**
 * How one simulated model answers a chat request. Returns the answer, or throws a
 * {@link SimulatorError} to fail before any output (which lets a {@code models} fallback list
 * move on to its next entry).
 */
@FunctionalInterface
interface ChatScenario {
  ChatAnswer answer(CompletionRequestBody request, String model, SimulatorOptions options);
}
