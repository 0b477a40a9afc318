package openrouter.gateway.server.chat;

import openrouter.gateway.server.testing.Http2Upstream;
import org.junit.jupiter.api.AfterAll;

/**
 * {@link ChatServiceTest} with the gateway speaking cleartext HTTP/2 to the simulator
 * (OPENROUTER_HTTP2_PRIOR_KNOWLEDGE): streaming and unary chat, headers and request bodies.
 */
class ChatServiceHttp2Test extends ChatServiceTest {
  @Override
  String[] settings() {
    return Http2Upstream.SETTINGS;
  }

  @AfterAll
  void everyUpstreamCallWentOverHttp2() {
    Http2Upstream.assertEverythingWentOverHttp2(h.simulator);
  }
}
