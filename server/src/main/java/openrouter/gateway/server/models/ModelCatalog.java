package openrouter.gateway.server.models;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import openrouter.gateway.server.cache.CachedRead;
import openrouter.gateway.server.cache.SnapshotCache;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.upstream.KeyFingerprint;
import openrouter.gateway.server.upstream.OpenRouterClient;
import openrouter.gateway.server.upstream.UpstreamGet;
import openrouter.gateway.server.upstream.wire.ModelEntry;
import openrouter.gateway.server.upstream.wire.ModelListing;
import openrouter.gateway.v1.Model;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenRouter's model catalogue, read from {@code GET /models?output_modalities=all} (OpenRouter
 * lists only text-output models unless asked for all) and held in a {@link SnapshotCache} per
 * upstream key.
 */
public final class ModelCatalog {
  static final String PATH = "/models?output_modalities=all";
  /** The models this key may use (account preferences, privacy, guardrails applied). */
  public static final String USER_PATH = "/models/user?output_modalities=all";
  /** Embedding models. */
  public static final String EMBEDDINGS_PATH = "/embeddings/models";
  /** A catalogue read shares one upstream call among its waiters; this bounds it. */
  static final Duration FETCH_TIMEOUT = Duration.ofSeconds(30);
  private static final Logger log = LoggerFactory.getLogger(ModelCatalog.class);

  private final OpenRouterClient client;
  private final String path;
  private final SnapshotCache<CatalogSnapshot> cache;
  /** The gateway key's fingerprint, hashed once: most reads use it. */
  private final String gatewayKeyIdentity;

  public ModelCatalog(OpenRouterClient client, SnapshotCache<CatalogSnapshot> cache) {
    this(client, cache, PATH);
  }

  /**
   * A listing of the same shape read from another path: {@code /models/user?output_modalities=all}
   * (the models the key may use) or {@code /embeddings/models}.
   */
  public ModelCatalog(OpenRouterClient client, SnapshotCache<CatalogSnapshot> cache, String path) {
    this.path = path;
    this.client = client;
    this.gatewayKeyIdentity = KeyFingerprint.of(Optional.empty(), client.target());
    this.cache = cache;
  }

  /**
   * The catalogue as seen with {@code callerKey} (or the gateway's key). Fails with a {@link
   * GatewayFailure} only when it cannot be read and no copy is young enough to serve.
   */
  public CompletableFuture<CachedRead<CatalogSnapshot>> snapshot(Optional<String> callerKey, boolean forceRefresh) {
    String identity = callerKey.isPresent() ? KeyFingerprint.of(callerKey, client.target()) : gatewayKeyIdentity;
    return cache.get(identity, forceRefresh, () -> fetch(callerKey));
  }

  /** The state of the gateway key's catalogue, for the health report; never calls upstream. */
  public Health health() {
    Optional<CachedRead<CatalogSnapshot>> held =
        cache.peek(gatewayKeyIdentity);
    return new Health(held.isPresent(), held.map(r -> r.value().size()).orElse(0),
        held.map(CachedRead::age), held.map(CachedRead::stale).orElse(false));
  }

  /**
   * What the health report needs to know about the catalogue.
   *
   * @param loaded whether a catalogue young enough to serve is held
   * @param count models in it (0 when none is loaded)
   * @param cacheAge its age, when loaded
   * @param stale true when it is past its TTL because refreshing it failed
   */
  public record Health(boolean loaded, int count, Optional<Duration> cacheAge, boolean stale) {}

  private CatalogSnapshot fetch(Optional<String> callerKey) {
    return fromListing(UpstreamGet.models(client, path, callerKey, FETCH_TIMEOUT));
  }

  /** A snapshot of the {@code data} array of {@code GET /models}; fails on anything else. */
  public static CatalogSnapshot fromListing(ModelListing listing) {
    List<Model> models = new ArrayList<>(listing.models().size());
    for (ModelEntry entry : listing.models()) {
      models.add(ModelMapper.toProto(entry));
    }
    if (listing.skipped() > 0) {
      log.warn("GET /models listed {} entries without an id; they were left out", listing.skipped());
    }
    return CatalogSnapshot.of(listing.contentId(), models);
  }
}
