package openrouter.gateway.server.models;

import com.google.protobuf.Descriptors;
import openrouter.gateway.server.upstream.wire.ModelEntry;
import openrouter.gateway.v1.AliasTarget;
import openrouter.gateway.v1.Architecture;
import openrouter.gateway.v1.Model;
import openrouter.gateway.v1.ModelPricing;
import openrouter.gateway.v1.PerRequestLimits;
import openrouter.gateway.v1.ReasoningCapabilities;
import openrouter.gateway.v1.TopProvider;

/**
 * Maps one model of OpenRouter's {@code GET /models} ({@link ModelEntry}, read in
 * upstream/wire) to {@link Model}: a missing field is left unset, and every field, named or
 * not, is also in {@code raw}. Prices stay the decimal strings OpenRouter sent.
 */
public final class ModelMapper {
  private ModelMapper() {}

  public static Model toProto(ModelEntry m) {
    Model.Builder b = Model.newBuilder()
        .setId(m.id())
        .setCanonicalSlug(m.canonicalSlug())
        .setName(m.name())
        .setCreated(m.created())
        .setDescription(m.description())
        .setExpirationDate(m.expirationDate())
        .setKnowledgeCutoff(m.knowledgeCutoff())
        .setHuggingFaceId(m.huggingFaceId())
        .addAllSupportedParameters(m.supportedParameters())
        .addAllSupportedVoices(m.supportedVoices())
        .setRaw(m.raw());
    m.contextLength().ifPresent(b::setContextLength);
    m.architecture().ifPresent(arch -> b.setArchitecture(Architecture.newBuilder()
        .setModality(arch.modality())
        .addAllInputModalities(arch.inputModalities())
        .addAllOutputModalities(arch.outputModalities())
        .setTokenizer(arch.tokenizer())
        .setInstructType(arch.instructType())));
    m.pricing().ifPresent(p -> b.setPricing(pricing(p)));
    m.topProvider().ifPresent(top -> {
      TopProvider.Builder t = TopProvider.newBuilder().setIsModerated(top.isModerated());
      top.contextLength().ifPresent(t::setContextLength);
      top.maxCompletionTokens().ifPresent(t::setMaxCompletionTokens);
      b.setTopProvider(t);
    });
    m.perRequestLimits().ifPresent(limits -> b.setPerRequestLimits(PerRequestLimits.newBuilder()
        .setPromptTokens(limits.promptTokens())
        .setCompletionTokens(limits.completionTokens())));
    m.defaultParameters().ifPresent(b::setDefaultParameters);
    m.reasoning().ifPresent(r -> b.setReasoning(ReasoningCapabilities.newBuilder()
        .addAllSupportedEfforts(r.supportedEfforts())
        .setDefaultEffort(r.defaultEffort())
        .setDefaultEnabled(r.defaultEnabled())
        .setMandatory(r.mandatory())
        .setSupportsMaxTokens(r.supportsMaxTokens())));
    m.aliasTarget().ifPresent(alias -> b.setAliasTarget(AliasTarget.newBuilder()
        .setSlug(alias.slug())
        .setName(alias.name())));
    m.benchmarks().ifPresent(b::setBenchmarks);
    return b.build();
  }

  /** A pricing (a model's or an endpoint's): each price field under its own name. */
  public static ModelPricing pricing(ModelEntry.Pricing p) {
    ModelPricing.Builder b = ModelPricing.newBuilder();
    Descriptors.Descriptor descriptor = ModelPricing.getDescriptor();
    p.prices().forEach((field, value) -> b.setField(descriptor.findFieldByName(field), value));
    return b.addAllOverrides(p.overrides()).build();
  }
}
