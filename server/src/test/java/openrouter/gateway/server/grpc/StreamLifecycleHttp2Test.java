package openrouter.gateway.server.grpc;

import org.junit.jupiter.api.AfterAll;

/**
 * {@link StreamLifecycleTest} with the gateway speaking cleartext HTTP/2 to the simulator
 * (OPENROUTER_HTTP2_PRIOR_KNOWLEDGE): cancellation (RST_STREAM), deadlines, a slow reader held
 * back by the stream's flow-control window, failures mid-stream.
 */
class StreamLifecycleHttp2Test extends StreamLifecycleTest {
  @Override
  String[] settings() {
    return Http2Upstream.SETTINGS;
  }

  @AfterAll
  void everyUpstreamCallWentOverHttp2() {
    Http2Upstream.assertEverythingWentOverHttp2(h.simulator);
  }
}
