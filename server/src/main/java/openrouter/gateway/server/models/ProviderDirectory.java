package openrouter.gateway.server.models;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import openrouter.gateway.server.cache.CachedRead;
import openrouter.gateway.server.cache.SnapshotCache;
import openrouter.gateway.server.upstream.KeyFingerprint;
import openrouter.gateway.server.upstream.OpenRouterClient;
import openrouter.gateway.server.upstream.UpstreamGet;
import openrouter.gateway.server.upstream.wire.ProviderEntry;
import openrouter.gateway.v1.ListProvidersResponse;
import openrouter.gateway.v1.Provider;

/** OpenRouter's providers ({@code GET /providers}), cached per upstream key like the catalogue. */
public final class ProviderDirectory {
  static final Duration FETCH_TIMEOUT = Duration.ofSeconds(15);

  private final OpenRouterClient client;
  private final SnapshotCache<ListProvidersResponse> cache;

  public ProviderDirectory(OpenRouterClient client, SnapshotCache<ListProvidersResponse> cache) {
    this.client = client;
    this.cache = cache;
  }

  /** Every provider, without the cache info. */
  public CompletableFuture<CachedRead<ListProvidersResponse>> providers(Optional<String> callerKey, boolean forceRefresh) {
    return cache.get(KeyFingerprint.of(callerKey, client.target()), forceRefresh,
        () -> toProto(UpstreamGet.providers(client, callerKey, FETCH_TIMEOUT)));
  }

  /** The providers of {@code GET /providers}. */
  public static ListProvidersResponse toProto(List<ProviderEntry> providers) {
    ListProvidersResponse.Builder out = ListProvidersResponse.newBuilder();
    for (ProviderEntry p : providers) {
      out.addProviders(Provider.newBuilder()
          .setName(p.name())
          .setSlug(p.slug())
          .setPrivacyPolicyUrl(p.privacyPolicyUrl())
          .setTermsOfServiceUrl(p.termsOfServiceUrl())
          .setStatusPageUrl(p.statusPageUrl())
          .setHeadquarters(p.headquarters())
          .addAllDatacenters(p.datacenters()));
    }
    return out.build();
  }
}
