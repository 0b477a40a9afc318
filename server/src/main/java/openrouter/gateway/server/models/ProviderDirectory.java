package openrouter.gateway.server.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import openrouter.gateway.server.cache.CachedRead;
import openrouter.gateway.server.cache.SnapshotCache;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import openrouter.gateway.server.upstream.KeyFingerprint;
import openrouter.gateway.server.upstream.OpenRouterClient;
import openrouter.gateway.server.upstream.UpstreamGet;
import openrouter.gateway.v1.ListProvidersResponse;
import openrouter.gateway.v1.Provider;

/** OpenRouter's providers ({@code GET /providers}), cached per upstream key like the catalogue. */
public final class ProviderDirectory {
  static final Duration FETCH_TIMEOUT = Duration.ofSeconds(15);

  private final OpenRouterClient client;
  private final SnapshotCache<ListProvidersResponse> cache;
  private final ObjectMapper json;

  public ProviderDirectory(OpenRouterClient client, SnapshotCache<ListProvidersResponse> cache, ObjectMapper json) {
    this.client = client;
    this.cache = cache;
    this.json = json;
  }

  /** Every provider, without the cache info. */
  public CompletableFuture<CachedRead<ListProvidersResponse>> providers(Optional<String> callerKey, boolean forceRefresh) {
    return cache.get(KeyFingerprint.of(callerKey, client.target()), forceRefresh,
        () -> fromJson(UpstreamGet.data(client, "/providers", callerKey, json, FETCH_TIMEOUT)));
  }

  /** The {@code data} array of {@code GET /providers}. */
  public static ListProvidersResponse fromJson(JsonNode data) {
    if (!data.isArray()) {
      throw GatewayFailure.of(Kind.UPSTREAM_MALFORMED, "GET /providers returned no data array");
    }
    ListProvidersResponse.Builder out = ListProvidersResponse.newBuilder();
    for (JsonNode p : data) {
      if (!p.isObject()) {
        continue;
      }
      Provider.Builder b = Provider.newBuilder()
          .setName(text(p, "name"))
          .setSlug(text(p, "slug"))
          .setPrivacyPolicyUrl(text(p, "privacy_policy_url"))
          .setTermsOfServiceUrl(text(p, "terms_of_service_url"))
          .setStatusPageUrl(text(p, "status_page_url"))
          .setHeadquarters(text(p, "headquarters"));
      for (JsonNode country : p.path("datacenters")) {
        if (country.isTextual()) {
          b.addDatacenters(country.asText());
        }
      }
      out.addProviders(b);
    }
    return out.build();
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && v.isTextual() ? v.asText() : "";
  }
}
