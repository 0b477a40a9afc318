package openrouter.gateway.server.models;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import openrouter.gateway.v1.Model;

/**
 * One read of OpenRouter's model catalogue, immutable.
 *
 * @param id identifies the catalogue's content (a hash of the listing as OpenRouter sent it):
 *     two reads of an unchanged catalogue have the same id, so page tokens survive a refresh
 *     that changed nothing, and only that
 * @param models every model, in OpenRouter's order
 * @param serial identifies this snapshot object: every read of the catalogue, for any key,
 *     makes a new one, so what is derived from a snapshot and cached by its serial (serialized
 *     pages) is never served from another read or another key's catalogue
 */
public record CatalogSnapshot(String id, List<Model> models, Map<String, Model> byId, Map<Model, Model> withoutRaw,
    long serial) {
  private static final AtomicLong SERIALS = new AtomicLong();

  public static CatalogSnapshot of(String id, List<Model> models) {
    Map<String, Model> byId = new LinkedHashMap<>();
    // Listings leave out `raw` unless asked: made once per snapshot, not per request.
    Map<Model, Model> lean = new java.util.IdentityHashMap<>();
    for (Model m : models) {
      byId.putIfAbsent(m.getId(), m);
      lean.put(m, m.toBuilder().clearRaw().build());
    }
    return new CatalogSnapshot(id, List.copyOf(models), Map.copyOf(byId), java.util.Collections.unmodifiableMap(lean),
        SERIALS.incrementAndGet());
  }

  /** The model without its {@code raw} field (the same instance's lean copy). */
  public Model lean(Model m) {
    Model l = withoutRaw.get(m);
    return l == null ? m.toBuilder().clearRaw().build() : l;
  }

  public int size() {
    return models.size();
  }

  /**
   * The model for an id. An id with a variant suffix ({@code :free}, {@code :nitro}, ...) that
   * is not listed under its own id resolves to its base model's entry.
   */
  public Optional<Resolved> resolve(String id) {
    int colon = id.indexOf(':');
    String variant = colon < 0 ? "" : id.substring(colon + 1);
    Model exact = byId.get(id);
    if (exact != null) {
      return Optional.of(new Resolved(exact, variant));
    }
    if (colon < 0) {
      return Optional.empty();
    }
    return Optional.ofNullable(byId.get(id.substring(0, colon))).map(m -> new Resolved(m, variant));
  }

  /** A model found for a requested id, and the requested id's variant suffix ("" if none). */
  public record Resolved(Model model, String variant) {}
}
