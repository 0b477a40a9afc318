package openrouter.gateway.server.models;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.time.Duration;
import openrouter.gateway.v1.CacheInfo;
import openrouter.gateway.v1.ListModelsResponse;

/**
 * ListModels pages, serialized once per catalogue snapshot and query rather than on every call
 * (a listing of the whole catalogue is tens of KB of protobuf). A page is everything in a
 * ListModelsResponse but its {@code cache} field, which differs per call; that field comes last
 * in the message, so the page's bytes followed by the field's bytes are the whole response,
 * byte for byte.
 *
 * <p>Pages are keyed by the snapshot's {@link CatalogSnapshot#serial() serial}, not its content
 * id: a refresh, or another key's catalogue, never reuses a page made from another snapshot.
 * The key also holds the validated query (filters, order, page size, page token, include_raw);
 * only pages that were built without error are kept, so a request that hits the cache is one
 * that would have been answered with that page. Bounded by bytes; pages of a replaced snapshot
 * are never asked for again and leave as the bound or their idle time pushes them out.
 */
public final class SerializedPages {
  /**
   * Room for the pages callers actually repeat; a page of OpenRouter's whole catalogue is
   * a few hundred KB, or a few MB with raw.
   */
  public static final long DEFAULT_MAX_BYTES = 16L * 1024 * 1024;
  private static final Duration IDLE = Duration.ofMinutes(10);

  static {
    // The bytes are only the whole message while `cache` is its last field.
    int last = ListModelsResponse.getDescriptor().getFields().stream().mapToInt(FieldDescriptor::getNumber).max().orElseThrow();
    if (last != ListModelsResponse.CACHE_FIELD_NUMBER) {
      throw new IllegalStateException("ListModelsResponse.cache is no longer its last field: SerializedPages must change");
    }
  }

  private final Cache<Key, byte[]> pages;

  public SerializedPages(long maxBytes) {
    this.pages = Caffeine.newBuilder()
        .maximumWeight(maxBytes)
        .weigher((Key key, byte[] page) -> page.length)
        .expireAfterAccess(IDLE)
        .build();
  }

  /**
   * The page of {@code snapshot} that {@code query} asks for, without its cache field,
   * serialized; fails like {@link ModelPager#page}.
   */
  public byte[] page(ModelPager.Query query, CatalogSnapshot snapshot) {
    Key key = new Key(snapshot.serial(), query);
    byte[] page = pages.getIfPresent(key);
    if (page == null) {
      // Built outside the cache's lock: two callers may both build a cold page, the same bytes.
      page = ModelPager.page(query, snapshot).build().toByteArray();
      pages.put(key, page);
    }
    return page;
  }

  /** The {@code cache} field of a ListModelsResponse alone, serialized: it follows a page's bytes. */
  public static byte[] cacheField(CacheInfo cache) {
    return ListModelsResponse.newBuilder().setCache(cache).build().toByteArray();
  }

  private record Key(long snapshotSerial, ModelPager.Query query) {}
}
