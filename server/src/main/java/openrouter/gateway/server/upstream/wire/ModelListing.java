package openrouter.gateway.server.upstream.wire;

import java.util.List;

/**
 * The {@code data} array of {@code GET /models}, read by {@link ModelListings}.
 *
 * @param models the entries with a non-empty text {@code id}
 * @param skipped how many entries had none and were left out
 * @param contentId a short hash of the listing as OpenRouter sent it: same content, same id
 */
public record ModelListing(List<ModelEntry> models, int skipped, String contentId) {
  public ModelListing {
    models = List.copyOf(models);
  }
}
