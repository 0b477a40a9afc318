package openrouter.gateway.server.models;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import openrouter.gateway.server.cache.CachedRead;
import openrouter.gateway.server.cache.SnapshotCache;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.upstream.KeyFingerprint;
import openrouter.gateway.server.upstream.OpenRouterClient;
import openrouter.gateway.server.upstream.UpstreamGet;
import openrouter.gateway.server.upstream.wire.EndpointList;
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

  public ModelEndpoints(OpenRouterClient client, SnapshotCache<ListModelEndpointsResponse> cache) {
    this.client = client;
    this.cache = cache;
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
      return toProto(UpstreamGet.endpoints(client, baseId, callerKey, FETCH_TIMEOUT));
    } catch (GatewayFailure f) {
      // A 404 names the model, so the status carries a ResourceInfo like GetModel's.
      throw f.withResource("model", baseId);
    }
  }

  /** The endpoints answer. */
  public static ListModelEndpointsResponse toProto(EndpointList data) {
    ListModelEndpointsResponse.Builder out = ListModelEndpointsResponse.newBuilder()
        .setModel(data.modelId())
        .setName(data.name());
    for (EndpointList.Endpoint e : data.endpoints()) {
      out.addEndpoints(endpoint(e));
    }
    return out.build();
  }

  static ModelEndpoint endpoint(EndpointList.Endpoint e) {
    ModelEndpoint.Builder b = ModelEndpoint.newBuilder()
        .setName(e.name())
        .setModelId(e.modelId())
        .setModelName(e.modelName())
        .setProviderName(e.providerName())
        .setTag(e.tag())
        .setQuantization(e.quantization())
        .setSupportsImplicitCaching(e.supportsImplicitCaching())
        .addAllSupportedParameters(e.supportedParameters());
    e.contextLength().ifPresent(b::setContextLength);
    e.maxCompletionTokens().ifPresent(b::setMaxCompletionTokens);
    e.maxPromptTokens().ifPresent(b::setMaxPromptTokens);
    e.pricing().ifPresent(p -> b.setPricing(ModelMapper.pricing(p)));
    e.status().ifPresent(code -> b.setStatusCode(code).setStatus(status(code)));
    e.uptimeLast5m().ifPresent(b::setUptimeLast5M);
    e.uptimeLast30m().ifPresent(b::setUptimeLast30M);
    e.uptimeLast1d().ifPresent(b::setUptimeLast1D);
    e.latencyLast30m().ifPresent(p -> b.setLatencyLast30M(percentiles(p)));
    e.throughputLast30m().ifPresent(p -> b.setThroughputLast30M(percentiles(p)));
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

  private static Percentiles percentiles(EndpointList.Percentiles p) {
    Percentiles.Builder b = Percentiles.newBuilder();
    p.p50().ifPresent(b::setP50);
    p.p75().ifPresent(b::setP75);
    p.p90().ifPresent(b::setP90);
    p.p99().ifPresent(b::setP99);
    return b.build();
  }
}
