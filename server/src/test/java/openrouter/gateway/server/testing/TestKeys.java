package openrouter.gateway.server.testing;

import java.util.List;
import openrouter.gateway.simulator.SimulatorKeys;

/** OpenRouter-shaped fake keys the tests configure, recognisable if they ever leak into logs. */
public final class TestKeys {
  /** The gateway's own key in the tests (the simulator accepts any well-formed key). */
  public static final String GATEWAY = "sk-or-v1-" + "7e57ab1e".repeat(8);

  /** A caller's own OpenRouter key (x-openrouter-api-key) in the tests. */
  public static final String CALLER = "sk-or-v1-" + "ca11e4c0ffee0042".repeat(4);

  /** Every key the tests use, whose secret part must never be logged, with or without prefix. */
  public static final List<String> ALL =
      List.of(GATEWAY, CALLER, SimulatorKeys.DEFAULT, SimulatorKeys.MANAGEMENT, SimulatorKeys.REJECTED);

  private TestKeys() {}
}
