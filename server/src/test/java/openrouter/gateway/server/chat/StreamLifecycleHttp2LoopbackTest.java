package openrouter.gateway.server.chat;

import openrouter.gateway.server.testing.Http2Upstream;
import org.junit.jupiter.api.AfterAll;

/**
 * {@link StreamLifecycleLoopbackTest} with the gateway speaking cleartext HTTP/2 to the simulator
 * (OPENROUTER_HTTP2_PRIOR_KNOWLEDGE): cancellation (RST_STREAM), deadlines, a slow reader held
 * back by the stream's flow-control window, failures mid-stream.
 */
class StreamLifecycleHttp2LoopbackTest extends StreamLifecycleLoopbackTest {
  @Override
  String[] settings() {
    return Http2Upstream.SETTINGS;
  }

  @AfterAll
  void everyUpstreamCallWentOverHttp2() {
    Http2Upstream.assertEverythingWentOverHttp2(h.simulator);
  }
}
