package openrouter.gateway.server.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import openrouter.gateway.server.json.OpenRouterJson;
import openrouter.gateway.server.upstream.wire.AccountReads;
import openrouter.gateway.server.upstream.wire.CreditTotals;
import openrouter.gateway.server.upstream.wire.EndpointList;
import openrouter.gateway.server.upstream.wire.KeyInfo;
import openrouter.gateway.server.upstream.wire.ModelListing;
import openrouter.gateway.server.upstream.wire.ModelListings;
import openrouter.gateway.server.upstream.wire.ProviderEntry;

/**
 * One GET of an OpenRouter read endpoint ({@code /models}, {@code /credits}, {@code /key}) whose
 * answer is {@code {"data": ...}}, bounded by its own time limit: these reads feed caches
 * shared by many callers, so no single caller's deadline may cut them short.
 */
public final class UpstreamGet {
  private UpstreamGet() {}

  /** {@code GET /key}: the key's limit, usage and flags. */
  public static KeyInfo keyInfo(OpenRouterClient client, Optional<String> callerKey, Duration timeout) {
    return AccountReads.keyInfo(data(client, "/key", callerKey, timeout));
  }

  /** {@code GET /credits}: the account's totals (management keys only). */
  public static CreditTotals credits(OpenRouterClient client, Optional<String> callerKey, Duration timeout) {
    return AccountReads.credits(data(client, "/credits", callerKey, timeout));
  }

  /** {@code GET /models} ({@code pathAndQuery} carries the query). */
  public static ModelListing models(OpenRouterClient client, String pathAndQuery, Optional<String> callerKey,
      Duration timeout) {
    return ModelListings.listing(data(client, pathAndQuery, callerKey, timeout));
  }

  /** {@code GET /models/{baseId}/endpoints}. */
  public static EndpointList endpoints(OpenRouterClient client, String baseId, Optional<String> callerKey,
      Duration timeout) {
    return ModelListings.endpoints(data(client, "/models/" + baseId + "/endpoints", callerKey, timeout));
  }

  /** {@code GET /providers}. */
  public static List<ProviderEntry> providers(OpenRouterClient client, Optional<String> callerKey, Duration timeout) {
    return ModelListings.providers(data(client, "/providers", callerKey, timeout));
  }

  /**
   * The {@code data} member of the answer, read with OpenRouter's JSON configuration; a missing
   * one is UPSTREAM_MALFORMED.
   */
  private static JsonNode data(OpenRouterClient client, String pathAndQuery, Optional<String> callerKey,
      Duration timeout) {
    CallControl control = new CallControl(timeout, false);
    JsonCall.JsonResponse response;
    try {
      response = JsonCall.execute(client.newGetCall(pathAndQuery, callerKey), control, OpenRouterJson.mapper());
    } catch (GatewayFailure f) {
      if (f.kind() == Kind.UPSTREAM_TIMEOUT) {
        throw GatewayFailure.of(Kind.UPSTREAM_TIMEOUT, "OpenRouter did not answer GET "
            + path(pathAndQuery) + " within " + timeout.toMillis() + " ms");
      }
      throw f.withCallerKey(callerKey.isPresent());
    }
    JsonNode data = response.body().get("data");
    if (data == null || data.isNull()) {
      throw GatewayFailure.of(Kind.UPSTREAM_MALFORMED, "GET " + path(pathAndQuery) + " returned no data");
    }
    return data;
  }

  private static String path(String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
  }
}
