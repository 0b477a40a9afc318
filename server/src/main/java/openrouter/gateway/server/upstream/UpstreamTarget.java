package openrouter.gateway.server.upstream;

import java.net.URI;
import java.util.Optional;

/**
 * Where upstream calls go and with which key: OpenRouter, another URL set by
 * OPENROUTER_BASE_URL, or the embedded simulator.
 */
public record UpstreamTarget(URI baseUrl, Optional<String> apiKey, boolean simulator) {

  /** OpenRouter's API, the default base URL. */
  public static final String OPENROUTER_API = "https://openrouter.ai/api/v1";

  /** Never prints the key. */
  @Override
  public String toString() {
    return "UpstreamTarget[" + baseUrl + (simulator ? ", simulator" : "") + "]";
  }
}
