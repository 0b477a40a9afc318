package openrouter.gateway.server.models;

import com.google.rpc.BadRequest.FieldViolation;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import openrouter.gateway.server.json.Decimals;
import openrouter.gateway.v1.ListModelsRequest;
import openrouter.gateway.v1.Model;
import openrouter.gateway.v1.ModelOrder;

/**
 * The filters and order of a ListModels request, validated and normalised. Filters combine: a
 * model is listed when it matches all of them. Text comparisons ignore case.
 *
 * <p>A model whose price is unknown or variable ({@code -1}, routers) never passes a price
 * filter and sorts after every priced model; a model without a context length never passes
 * {@code min_context_length} and sorts last by context length. Ties are broken by id, so every
 * order is total and pages are stable.
 */
public final class ModelFilter {
  static final int MAX_QUERY_CHARS = 256;
  static final int MAX_LIST_ENTRIES = 32;

  private final String authorPrefix;
  private final Set<String> inputModalities;
  private final Set<String> outputModalities;
  private final Set<String> supportedParameters;
  private final long minContextLength;
  private final BigDecimal maxPromptPrice;
  private final BigDecimal maxCompletionPrice;
  private final boolean freeOnly;
  private final String query;
  private final ModelOrder order;
  /** available_to_key: the listing of /models/user, not the whole catalogue. */
  private final boolean availableToKey;
  /** Hashed once: every ListModels call looks its page up by query. */
  private final int hash;

  private ModelFilter(ListModelsRequest r, BigDecimal maxPromptPrice, BigDecimal maxCompletionPrice) {
    this.authorPrefix = lower(r.getAuthorPrefix());
    this.inputModalities = normalised(r.getInputModalitiesList());
    this.outputModalities = normalised(r.getOutputModalitiesList());
    this.supportedParameters = normalised(r.getSupportedParametersList());
    this.minContextLength = r.getMinContextLength();
    this.maxPromptPrice = maxPromptPrice;
    this.maxCompletionPrice = maxCompletionPrice;
    this.freeOnly = r.getFreeOnly();
    this.query = lower(r.getQuery());
    this.order = r.getOrderBy() == ModelOrder.MODEL_ORDER_UNSPECIFIED ? ModelOrder.MODEL_ORDER_ID : r.getOrderBy();
    this.availableToKey = r.getAvailableToKey();
    this.hash = Objects.hash(authorPrefix, query, inputModalities, outputModalities, supportedParameters,
        minContextLength, maxPromptPrice, maxCompletionPrice, freeOnly, order, availableToKey);
  }

  /** The request's filters, or the violations (added to {@code violations}) that prevent them. */
  static Optional<ModelFilter> parse(ListModelsRequest r, List<FieldViolation> violations) {
    int before = violations.size();
    if (r.getOrderBy() == ModelOrder.UNRECOGNIZED) {
      violations.add(violation("order_by", "order_by " + r.getOrderByValue()
          + " is not a ModelOrder value; use MODEL_ORDER_ID, MODEL_ORDER_PRICE,"
          + " MODEL_ORDER_CONTEXT_LENGTH or MODEL_ORDER_NEWEST"));
    }
    if (r.getMinContextLength() < 0) {
      violations.add(violation("min_context_length",
          "min_context_length must be 0 or more tokens, got " + r.getMinContextLength()));
    }
    BigDecimal maxPrompt = price("max_prompt_price", r.getMaxPromptPrice(), violations);
    BigDecimal maxCompletion = price("max_completion_price", r.getMaxCompletionPrice(), violations);
    if (r.getQuery().length() > MAX_QUERY_CHARS) {
      violations.add(violation("query", "query must be at most " + MAX_QUERY_CHARS
          + " characters, got " + r.getQuery().length()));
    }
    list("input_modalities", r.getInputModalitiesList(), violations);
    list("output_modalities", r.getOutputModalitiesList(), violations);
    list("supported_parameters", r.getSupportedParametersList(), violations);
    if (violations.size() > before) {
      return Optional.empty();
    }
    return Optional.of(new ModelFilter(r, maxPrompt, maxCompletion));
  }

  private static BigDecimal price(String field, String text, List<FieldViolation> violations) {
    if (text.isEmpty()) {
      return null;
    }
    Optional<BigDecimal> value = Decimals.parse(text);
    if (value.isEmpty() || value.get().signum() < 0) {
      violations.add(violation(field, field + " must be a non-negative decimal string in USD per"
          + " token, such as \"0.000001\", got \"" + abbreviate(text) + "\""));
      return null;
    }
    return value.get();
  }

  private static void list(String field, List<String> values, List<FieldViolation> violations) {
    if (values.size() > MAX_LIST_ENTRIES) {
      violations.add(violation(field, field + " takes at most " + MAX_LIST_ENTRIES
          + " entries, got " + values.size()));
      return;
    }
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i).isBlank()) {
        violations.add(violation(field + "[" + i + "]", field + "[" + i + "] is empty; remove it"));
      }
    }
  }

  static FieldViolation violation(String field, String description) {
    return FieldViolation.newBuilder().setField(field).setDescription(description).build();
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }

  /** Whether a model passes every filter. */
  public boolean matches(Model m) {
    String id = lower(m.getId());
    if (!authorPrefix.isEmpty() && !id.startsWith(authorPrefix)) {
      return false;
    }
    if (!query.isEmpty() && !id.contains(query) && !lower(m.getName()).contains(query)) {
      return false;
    }
    if (!hasAll(m.getArchitecture().getInputModalitiesList(), inputModalities)
        || !hasAll(m.getArchitecture().getOutputModalitiesList(), outputModalities)
        || !hasAll(m.getSupportedParametersList(), supportedParameters)) {
      return false;
    }
    if (minContextLength > 0 && (!m.hasContextLength() || m.getContextLength() < minContextLength)) {
      return false;
    }
    Optional<BigDecimal> prompt = knownPrice(m.getPricing().getPrompt());
    Optional<BigDecimal> completion = knownPrice(m.getPricing().getCompletion());
    if (maxPromptPrice != null && (prompt.isEmpty() || prompt.get().compareTo(maxPromptPrice) > 0)) {
      return false;
    }
    if (maxCompletionPrice != null
        && (completion.isEmpty() || completion.get().compareTo(maxCompletionPrice) > 0)) {
      return false;
    }
    if (freeOnly && !(prompt.map(p -> p.signum() == 0).orElse(false)
        && completion.map(c -> c.signum() == 0).orElse(false))) {
      return false;
    }
    return true;
  }

  private static boolean hasAll(List<String> modelValues, Set<String> wanted) {
    return wanted.isEmpty() || normalised(modelValues).containsAll(wanted);
  }

  /** The matching models, in the requested order. */
  public List<Model> apply(List<Model> models) {
    List<Ranked> matching = new ArrayList<>();
    for (Model m : models) {
      if (matches(m)) {
        matching.add(new Ranked(m));
      }
    }
    matching.sort(comparator());
    return matching.stream().map(Ranked::model).collect(Collectors.toList());
  }

  private Comparator<Ranked> comparator() {
    Comparator<Ranked> byId = Comparator.comparing(r -> r.model.getId());
    return switch (order) {
      case MODEL_ORDER_PRICE -> Comparator
          .comparing((Function<Ranked, BigDecimal>) Ranked::prompt, Comparator.nullsLast(Comparator.naturalOrder()))
          .thenComparing(Ranked::completion, Comparator.nullsLast(Comparator.naturalOrder()))
          .thenComparing(byId);
      case MODEL_ORDER_CONTEXT_LENGTH -> Comparator
          .comparing((Ranked r) -> r.model.hasContextLength() ? -r.model.getContextLength() : Long.MAX_VALUE)
          .thenComparing(byId);
      case MODEL_ORDER_NEWEST -> Comparator
          .comparing((Ranked r) -> -r.model.getCreated())
          .thenComparing(byId);
      default -> byId;
    };
  }

  /**
   * Identifies the filters and order (not the page size), so that a page token can only be
   * used with the query that produced it.
   */
  public String fingerprint() {
    // Every part is length-prefixed, so no value can imitate a separator: ["a,b"] and
    // ["a", "b"], or a query containing "\nfree=true", hash differently.
    StringBuilder canonical = new StringBuilder();
    part(canonical, authorPrefix);
    list(canonical, inputModalities);
    list(canonical, outputModalities);
    list(canonical, supportedParameters);
    part(canonical, Long.toString(minContextLength));
    part(canonical, plain(maxPromptPrice));
    part(canonical, plain(maxCompletionPrice));
    part(canonical, Boolean.toString(freeOnly));
    part(canonical, query);
    part(canonical, Integer.toString(order.getNumber()));
    if (availableToKey) {
      // Only when set, so tokens of whole-catalogue listings keep their fingerprint.
      part(canonical, "available_to_key");
    }
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static void part(StringBuilder out, String value) {
    out.append(value.length()).append(':').append(value);
  }

  private static void list(StringBuilder out, java.util.Collection<String> values) {
    out.append('[').append(values.size()).append(']');
    for (String v : values) {
      part(out, v);
    }
  }

  /**
   * Equal filters list the same models in the same order (the fields are the normalised
   * request), so a filter can key a cache of pages.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof ModelFilter f
        && minContextLength == f.minContextLength
        && freeOnly == f.freeOnly
        && availableToKey == f.availableToKey
        && order == f.order
        && authorPrefix.equals(f.authorPrefix)
        && query.equals(f.query)
        && inputModalities.equals(f.inputModalities)
        && outputModalities.equals(f.outputModalities)
        && supportedParameters.equals(f.supportedParameters)
        && Objects.equals(maxPromptPrice, f.maxPromptPrice)
        && Objects.equals(maxCompletionPrice, f.maxCompletionPrice);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  private static String plain(BigDecimal d) {
    return d == null ? "" : d.stripTrailingZeros().toPlainString();
  }

  /** A price that is a number and not negative ({@code -1} means variable). */
  private static Optional<BigDecimal> knownPrice(String text) {
    return Decimals.parse(text).filter(p -> p.signum() >= 0);
  }

  private static String lower(String s) {
    return s.trim().toLowerCase(Locale.ROOT);
  }

  private static Set<String> normalised(List<String> values) {
    Set<String> out = new TreeSet<>();
    for (String v : values) {
      if (!v.isBlank()) {
        out.add(lower(v));
      }
    }
    return out;
  }

  /** A model with its prices parsed once, for sorting. */
  private record Ranked(Model model, BigDecimal prompt, BigDecimal completion) {
    Ranked(Model model) {
      this(model, knownPrice(model.getPricing().getPrompt()).orElse(null),
          knownPrice(model.getPricing().getCompletion()).orElse(null));
    }
  }
}
