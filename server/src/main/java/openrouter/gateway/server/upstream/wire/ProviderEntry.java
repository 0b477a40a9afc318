package openrouter.gateway.server.upstream.wire;

import java.util.List;

/** One object entry of {@code GET /providers}' data, read by {@link ModelListings}; "" when not text. */
public record ProviderEntry(String name, String slug, String privacyPolicyUrl, String termsOfServiceUrl,
    String statusPageUrl, String headquarters, List<String> datacenters) {
  public ProviderEntry {
    datacenters = List.copyOf(datacenters);
  }
}
