package openrouter.gateway.server.models;

import static openrouter.gateway.server.models.ModelFilter.violation;

import com.google.rpc.BadRequest.FieldViolation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.v1.ListModelsRequest;
import openrouter.gateway.v1.ListModelsResponse;
import openrouter.gateway.v1.Model;

/**
 * Pages of ListModels, per AIP-158. A page token is opaque to callers; inside it names the
 * query (a fingerprint of the filters and order), the catalogue snapshot (its content id) and
 * the offset of the next model. A token is accepted only with the same filters and order and
 * while the catalogue has the same content, so a caller never skips or repeats a model; the
 * page size may change between pages.
 */
public final class ModelPager {
  public static final int DEFAULT_PAGE_SIZE = 50;
  public static final int MAX_PAGE_SIZE = 1000;
  private static final String TOKEN_VERSION = "m1";
  private static final int MAX_TOKEN_CHARS = 512;

  private ModelPager() {}

  /** A validated ListModels request. */
  public record Query(ModelFilter filter, int pageSize, Optional<Token> token, boolean includeRaw) {}

  /** Where the next page starts, and what it is bound to. */
  public record Token(String filterFingerprint, String snapshotId, int offset) {}

  /**
   * Validates the request before anything is read from the upstream: every violation (filters,
   * page size, a token that is malformed or from another query) in one INVALID_ARGUMENT.
   */
  public static Query parse(ListModelsRequest request) {
    List<FieldViolation> violations = new ArrayList<>();
    Optional<ModelFilter> filter = ModelFilter.parse(request, violations);
    int pageSize = request.getPageSize();
    if (pageSize < 0) {
      violations.add(violation("page_size", "page_size must be 0 (the default, "
          + DEFAULT_PAGE_SIZE + ") to " + MAX_PAGE_SIZE + ", got " + pageSize));
    }
    Optional<Token> token = Optional.empty();
    if (!request.getPageToken().isEmpty()) {
      token = decode(request.getPageToken());
      if (token.isEmpty()) {
        violations.add(violation("page_token", "page_token is not a next_page_token this gateway"
            + " issued; send the next_page_token of the previous ListModels response unchanged,"
            + " or leave page_token empty for the first page"));
      } else if (filter.isPresent() && !token.get().filterFingerprint().equals(filter.get().fingerprint())) {
        violations.add(violation("page_token", "page_token was issued for a different query:"
            + " the filters or order_by changed since the first page; send the same filters"
            + " and order_by with it, or leave page_token empty to start again"));
      }
    }
    if (!violations.isEmpty()) {
      throw GatewayFailure.invalid(violations);
    }
    int size = pageSize == 0 ? DEFAULT_PAGE_SIZE : Math.min(pageSize, MAX_PAGE_SIZE);
    return new Query(filter.orElseThrow(), size, token, request.getIncludeRaw());
  }

  /** The page of {@code snapshot} the query asks for; without the cache info. */
  public static ListModelsResponse.Builder page(Query query, CatalogSnapshot snapshot) {
    List<Model> matching = query.filter().apply(snapshot.models());
    int offset = 0;
    if (query.token().isPresent()) {
      Token token = query.token().get();
      if (!token.snapshotId().equals(snapshot.id())) {
        throw GatewayFailure.invalid(List.of(violation("page_token", "page_token belongs to an"
            + " earlier version of the model catalogue, which has changed since; leave"
            + " page_token empty to list from the first page again")));
      }
      if (token.offset() > matching.size()) {
        throw GatewayFailure.invalid(List.of(violation("page_token", "page_token points past the"
            + " end of the listing; leave page_token empty to list from the first page")));
      }
      offset = token.offset();
    }
    int end = Math.min(matching.size(), offset + query.pageSize());
    ListModelsResponse.Builder page = ListModelsResponse.newBuilder().setTotalSize(matching.size());
    for (Model m : matching.subList(offset, end)) {
      page.addModels(query.includeRaw() ? m : snapshot.lean(m));
    }
    if (end < matching.size()) {
      page.setNextPageToken(encode(new Token(query.filter().fingerprint(), snapshot.id(), end)));
    }
    return page;
  }

  static String encode(Token token) {
    String text = TOKEN_VERSION + "." + token.filterFingerprint() + "." + token.snapshotId() + "." + token.offset();
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  static Optional<Token> decode(String token) {
    if (token.length() > MAX_TOKEN_CHARS) {
      return Optional.empty();
    }
    try {
      String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      String[] parts = text.split("\\.", -1);
      if (parts.length != 4 || !parts[0].equals(TOKEN_VERSION)
          || parts[1].isEmpty() || parts[2].isEmpty()) {
        return Optional.empty();
      }
      int offset = Integer.parseInt(parts[3]);
      return offset <= 0 ? Optional.empty() : Optional.of(new Token(parts[1], parts[2], offset));
    } catch (IllegalArgumentException e) { // bad base64 or a bad number
      return Optional.empty();
    }
  }
}
