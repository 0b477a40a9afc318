package openrouter.gateway.server.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import openrouter.gateway.server.cache.CachedRead;
import openrouter.gateway.server.cache.SnapshotCache;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import openrouter.gateway.server.upstream.KeyFingerprint;
import openrouter.gateway.server.upstream.OpenRouterClient;
import openrouter.gateway.server.upstream.UpstreamGet;
import openrouter.gateway.v1.EndpointStatus;
import openrouter.gateway.v1.ListModelEndpointsResponse;
import openrouter.gateway.v1.ModelEndpoint;
import openrouter.gateway.v1.Percentiles;

/**
 * The provider endpoints of a model ({@code GET /models/{author}/{slug}/endpoints}), held in a
 * {@link SnapshotCache} per upstream key and model for a short TTL: uptime and latency move.
 * The cache gives single flight and stale-on-error like the catalogue; its keys start with
 * the key's fingerprint, so a caller's own key never sees figures read with another key
 * (latency and throughput are only sent to authenticated reads).
 */
public final class ModelEndpoints {
  static final Duration FETCH_TIMEOUT = Duration.ofSeconds(15);
  /** {@code author/slug}: the characters OpenRouter's ids use, so the id is safe in a URL path. */
  private static final Pattern MODEL_ID = Pattern.compile("~?[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");

  private final OpenRouterClient client;
  private final SnapshotCache<ListModelEndpointsResponse> cache;
  private final ObjectMapper json;

  public ModelEndpoints(OpenRouterClient client, SnapshotCache<ListModelEndpointsResponse> cache, ObjectMapper json) {
    this.client = client;
    this.cache = cache;
    this.json = json;
  }

  /**
   * The model id to list, without a variant suffix; empty when {@code model} is not an
   * {@code author/slug} id.
   */
  public static Optional<String> baseId(String model) {
    String id = model.trim();
    int colon = id.indexOf(':');
    if (colon >= 0) {
      id = id.substring(0, colon);
    }
    return MODEL_ID.matcher(id).matches() ? Optional.of(id) : Optional.empty();
  }

  /** The endpoints of {@code baseId} (from {@link #baseId}), without the cache info. */
  public CompletableFuture<CachedRead<ListModelEndpointsResponse>> endpoints(
      String baseId, Optional<String> callerKey, boolean forceRefresh) {
    String key = KeyFingerprint.of(callerKey, client.target()) + " " + baseId;
    return cache.get(key, forceRefresh, () -> fetch(baseId, callerKey));
  }

  private ListModelEndpointsResponse fetch(String baseId, Optional<String> callerKey) {
    try {
      return fromJson(UpstreamGet.data(client, "/models/" + baseId + "/endpoints", callerKey, json, FETCH_TIMEOUT));
    } catch (GatewayFailure f) {
      // A 404 names the model, so the status carries a ResourceInfo like GetModel's.
      throw f.withResource("model", baseId);
    }
  }

  /** The {@code data} of the endpoints answer. */
  public static ListModelEndpointsResponse fromJson(JsonNode data) {
    JsonNode endpoints = data.get("endpoints");
    if (!data.isObject() || endpoints == null || !endpoints.isArray()) {
      throw GatewayFailure.of(Kind.UPSTREAM_MALFORMED, "GET /models/{id}/endpoints returned no endpoints array");
    }
    ListModelEndpointsResponse.Builder out = ListModelEndpointsResponse.newBuilder()
        .setModel(data.path("id").asText(""))
        .setName(data.path("name").asText(""));
    for (JsonNode e : endpoints) {
      if (e.isObject()) {
        out.addEndpoints(endpoint(e));
      }
    }
    return out.build();
  }

  static ModelEndpoint endpoint(JsonNode e) {
    ModelEndpoint.Builder b = ModelEndpoint.newBuilder()
        .setName(e.path("name").asText(""))
        .setModelId(e.path("model_id").asText(""))
        .setModelName(e.path("model_name").asText(""))
        .setProviderName(e.path("provider_name").asText(""))
        .setTag(e.path("tag").asText(""))
        .setQuantization(e.path("quantization").isTextual() ? e.path("quantization").asText() : "")
        .setSupportsImplicitCaching(e.path("supports_implicit_caching").asBoolean(false));
    if (e.path("context_length").canConvertToLong()) {
      b.setContextLength(e.path("context_length").asLong());
    }
    if (e.path("max_completion_tokens").canConvertToLong()) {
      b.setMaxCompletionTokens(e.path("max_completion_tokens").asLong());
    }
    if (e.path("max_prompt_tokens").canConvertToLong()) {
      b.setMaxPromptTokens(e.path("max_prompt_tokens").asLong());
    }
    if (e.path("pricing").isObject()) {
      b.setPricing(ModelJson.pricing(e.path("pricing")));
    }
    for (JsonNode p : e.path("supported_parameters")) {
      if (p.isTextual()) {
        b.addSupportedParameters(p.asText());
      }
    }
    JsonNode status = e.get("status");
    if (status != null && status.canConvertToInt()) {
      b.setStatusCode(status.asInt()).setStatus(status(status.asInt()));
    }
    if (e.path("uptime_last_5m").isNumber()) {
      b.setUptimeLast5M(e.path("uptime_last_5m").asDouble());
    }
    if (e.path("uptime_last_30m").isNumber()) {
      b.setUptimeLast30M(e.path("uptime_last_30m").asDouble());
    }
    if (e.path("uptime_last_1d").isNumber()) {
      b.setUptimeLast1D(e.path("uptime_last_1d").asDouble());
    }
    percentiles(e.get("latency_last_30m")).ifPresent(b::setLatencyLast30M);
    percentiles(e.get("throughput_last_30m")).ifPresent(b::setThroughputLast30M);
    return b.build();
  }

  /** OpenRouter's numeric status as the enum; values it may add later are UNSPECIFIED. */
  public static EndpointStatus status(int code) {
    return switch (code) {
      case 0 -> EndpointStatus.ENDPOINT_STATUS_OK;
      case -1 -> EndpointStatus.ENDPOINT_STATUS_DEGRADED;
      case -2 -> EndpointStatus.ENDPOINT_STATUS_UNSTABLE;
      case -3 -> EndpointStatus.ENDPOINT_STATUS_DOWN;
      case -5 -> EndpointStatus.ENDPOINT_STATUS_DERANKED;
      case -10 -> EndpointStatus.ENDPOINT_STATUS_DISABLED;
      default -> EndpointStatus.ENDPOINT_STATUS_UNSPECIFIED;
    };
  }

  /** {@code {p50,p75,p90,p99}}; empty for null (no data, or an unauthenticated read). */
  private static Optional<Percentiles> percentiles(JsonNode p) {
    if (p == null || !p.isObject()) {
      return Optional.empty();
    }
    Percentiles.Builder b = Percentiles.newBuilder();
    if (p.path("p50").isNumber()) b.setP50(p.path("p50").asDouble());
    if (p.path("p75").isNumber()) b.setP75(p.path("p75").asDouble());
    if (p.path("p90").isNumber()) b.setP90(p.path("p90").asDouble());
    if (p.path("p99").isNumber()) b.setP99(p.path("p99").asDouble());
    return Optional.of(b.build());
  }
}
