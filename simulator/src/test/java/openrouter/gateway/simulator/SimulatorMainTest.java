package openrouter.gateway.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import openrouter.gateway.simulator.testing.RawHttp2Client;
import org.junit.jupiter.api.Test;

/** The standalone entry point, run in-process. */
class SimulatorMainTest {
  @Test
  void startsOnAFreePortAndPrintsTheBaseUrl() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (OpenRouterSimulator sim = SimulatorMain.start(new String[] {"--port", "0"},
        new PrintStream(printed, true, StandardCharsets.UTF_8))) {
      String line = printed.toString(StandardCharsets.UTF_8);

      assertThat(line).isEqualTo("OpenRouter simulator listening on http://127.0.0.1:"
          + sim.port() + "/api/v1" + System.lineSeparator());
      assertThat(sim.port()).isPositive();
      assertThat(SimulatorTestSupport.get(sim, "/models", null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void helpPrintsUsageWithoutStarting() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();

    OpenRouterSimulator sim = SimulatorMain.start(new String[] {"--help"},
        new PrintStream(printed, true, StandardCharsets.UTF_8));

    assertThat(sim).isNull();
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("--port N");
  }

  @Test
  void rejectsBadArguments() {
    PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    assertThatThrownBy(() -> SimulatorMain.start(new String[] {"--port"}, out))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SimulatorMain.start(new String[] {"--port", "70000"}, out))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SimulatorMain.start(new String[] {"--verbose"}, out))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SimulatorMain.start(new String[] {"--h2-max-streams", "0"}, out))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void setsTheHttp2StreamLimit() throws Exception {
    PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    try (OpenRouterSimulator sim = SimulatorMain.start(new String[] {"--h2-max-streams", "256"}, out);
        RawHttp2Client raw = new RawHttp2Client(sim.port())) {
      raw.next(300); // reads the server's SETTINGS
      assertThat(raw.serverSettings()).containsEntry(0x3, 256L); // SETTINGS_MAX_CONCURRENT_STREAMS
    }
  }
}
