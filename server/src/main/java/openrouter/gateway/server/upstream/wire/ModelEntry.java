package openrouter.gateway.server.upstream.wire;

import com.google.protobuf.Struct;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One model object of {@code GET /models} (api reference §4.1), read by {@link ModelListings}.
 * Lenient: a missing or null text field is "", a field of an unexpected type is kept as its
 * text, a missing object is empty, and every field, named or not, is also in {@code raw}.
 */
public record ModelEntry(
    String id,
    String canonicalSlug,
    String name,
    long created,
    String description,
    String expirationDate,
    String knowledgeCutoff,
    String huggingFaceId,
    List<String> supportedParameters,
    List<String> supportedVoices,
    OptionalLong contextLength,
    Optional<Architecture> architecture,
    Optional<Pricing> pricing,
    Optional<TopProvider> topProvider,
    Optional<PerRequestLimits> perRequestLimits,
    Optional<Struct> defaultParameters,
    Optional<Reasoning> reasoning,
    Optional<AliasTarget> aliasTarget,
    Optional<Struct> benchmarks,
    Struct raw) {

  public record Architecture(String modality, List<String> inputModalities, List<String> outputModalities,
      String tokenizer, String instructType) {}

  /**
   * A {@code pricing} object (a model's or an endpoint's).
   *
   * @param prices every field of {@link ModelListings#PRICE_FIELDS}, as the decimal text
   *     OpenRouter sent ({@code "0.0000025"}, {@code "-1"}; a JSON number in plain notation), ""
   *     when missing
   * @param overrides the object entries of {@code overrides}, passed through
   */
  public record Pricing(Map<String, String> prices, List<Struct> overrides) {}

  public record TopProvider(boolean isModerated, OptionalLong contextLength, OptionalLong maxCompletionTokens) {}

  public record PerRequestLimits(long promptTokens, long completionTokens) {}

  public record Reasoning(List<String> supportedEfforts, String defaultEffort, boolean defaultEnabled,
      boolean mandatory, boolean supportsMaxTokens) {}

  public record AliasTarget(String slug, String name) {}
}
