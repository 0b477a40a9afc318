package openrouter.gateway.server.errors;

import openrouter.gateway.server.testing.Http2Upstream;
import org.junit.jupiter.api.AfterAll;

/**
 * {@link ErrorMappingTest} with the gateway speaking cleartext HTTP/2 to the simulator
 * (OPENROUTER_HTTP2_PRIOR_KNOWLEDGE): every row of the error table, statuses and headers such
 * as Retry-After carried by HTTP/2 responses.
 */
class ErrorMappingHttp2Test extends ErrorMappingTest {
  @Override
  String[] settings() {
    return Http2Upstream.SETTINGS;
  }

  @AfterAll
  void everyUpstreamCallWentOverHttp2() {
    Http2Upstream.assertEverythingWentOverHttp2(h.simulator);
  }
}
