package openrouter.gateway.server.upstream.wire;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The {@code data} of {@code GET /models/{id}/endpoints}, read by {@link ModelListings}: the
 * model and its object entries of {@code endpoints}.
 */
public record EndpointList(String modelId, String name, List<Endpoint> endpoints) {
  public EndpointList {
    endpoints = List.copyOf(endpoints);
  }

  /**
   * One provider endpoint of a model.
   *
   * @param quantization "" when not text
   * @param status OpenRouter's numeric status (0 ok, negative worse), when sent
   * @param latencyLast30m {@code {p50,p75,p90,p99}}; empty for null (no data, or an
   *     unauthenticated read)
   */
  public record Endpoint(
      String name,
      String modelId,
      String modelName,
      String providerName,
      String tag,
      String quantization,
      boolean supportsImplicitCaching,
      OptionalLong contextLength,
      OptionalLong maxCompletionTokens,
      OptionalLong maxPromptTokens,
      Optional<ModelEntry.Pricing> pricing,
      List<String> supportedParameters,
      OptionalInt status,
      OptionalDouble uptimeLast5m,
      OptionalDouble uptimeLast30m,
      OptionalDouble uptimeLast1d,
      Optional<Percentiles> latencyLast30m,
      Optional<Percentiles> throughputLast30m) {}

  /** Percentiles; each empty when not a number. */
  public record Percentiles(OptionalDouble p50, OptionalDouble p75, OptionalDouble p90, OptionalDouble p99) {}
}
