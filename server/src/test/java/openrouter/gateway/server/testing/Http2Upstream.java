package openrouter.gateway.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import openrouter.gateway.simulator.OpenRouterSimulator;
import openrouter.gateway.simulator.RecordedRequest;

/** For the h2c variants of the gateway tests: the setting, and proof that it took effect. */
public final class Http2Upstream {
  public static final String[] SETTINGS = {"OPENROUTER_HTTP2_PRIOR_KNOWLEDGE", "true"};

  private Http2Upstream() {}

  /**
   * Every request the simulator saw came over cleartext HTTP/2 (a variant that silently fell
   * back to HTTP/1.1 would prove nothing), all on one connection: the calls of a test class run
   * one after another, and cancellations, deadlines and error answers reset a stream, not the
   * connection.
   */
  public static void assertEverythingWentOverHttp2(OpenRouterSimulator simulator) {
    assertThat(simulator.requests()).isNotEmpty()
        .extracting(RecordedRequest::protocol).containsOnly("HTTP/2");
    assertThat(simulator.connectionsAccepted()).isEqualTo(1);
    assertThat(simulator.http2ConnectionsAccepted()).isEqualTo(1);
  }
}
