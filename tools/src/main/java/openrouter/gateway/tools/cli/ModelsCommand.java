package openrouter.gateway.tools.cli;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import openrouter.gateway.client.GatewayClient;
import openrouter.gateway.v1.ListModelsRequest;
import openrouter.gateway.v1.ListModelsResponse;
import openrouter.gateway.v1.Model;
import openrouter.gateway.v1.ModelOrder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code models}: the catalogue, filtered, as a table or JSON. */
@Command(name = "models", mixinStandardHelpOptions = true, versionProvider = GatewayCli.Version.class,
    description = "Lists the models that match every filter given. Prices are USD per million tokens.")
final class ModelsCommand implements Callable<Integer> {
  /** Pages followed by --all at most: 100 pages of 1000 is far beyond any catalogue. */
  static final int MAX_PAGES = 100;
  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

  enum Order { id, price, context, newest }

  @ParentCommand
  GatewayCli cli;

  @Option(names = "--author", paramLabel = "PREFIX", description = "Only ids starting with this, e.g. openai/.")
  String author = "";

  @Option(names = {"-q", "--query"}, paramLabel = "TEXT", description = "Only ids or names containing this text.")
  String query = "";

  @Option(names = "--input", paramLabel = "MODALITY", description = "Accepts this input (text, image, audio, file); repeatable.")
  List<String> input = new ArrayList<>();

  @Option(names = "--output", paramLabel = "MODALITY", description = "Produces this output (text, image, audio); repeatable.")
  List<String> output = new ArrayList<>();

  @Option(names = "--param", paramLabel = "NAME", description = "Supports this request parameter (tools, reasoning, ...); repeatable.")
  List<String> params = new ArrayList<>();

  @Option(names = "--min-context", paramLabel = "TOKENS", description = "At least this context length.")
  long minContext;

  @Option(names = "--max-prompt-price", paramLabel = "USD", description = "Prompt price at most this, USD per million tokens.")
  BigDecimal maxPromptPrice;

  @Option(names = "--max-completion-price", paramLabel = "USD", description = "Completion price at most this, USD per million tokens.")
  BigDecimal maxCompletionPrice;

  @Option(names = "--free", description = "Only free models.")
  boolean free;

  @Option(names = "--order", paramLabel = "ORDER", description = "id, price, context or newest (default: id).")
  Order order = Order.id;

  @Option(names = "--limit", paramLabel = "N", description = "Models per page (default: the gateway's, 50).")
  int limit;

  @Option(names = "--page-token", paramLabel = "TOKEN", description = "The page after a previous one.")
  String pageToken = "";

  @Option(names = "--all", description = "Follow every page.")
  boolean all;

  @Option(names = "--mine", description = "Only the models this key may use (its account's provider, privacy and guardrail settings applied).")
  boolean mine;

  @Option(names = "--refresh", description = "Read the catalogue from OpenRouter now, not the gateway's cache.")
  boolean refresh;

  @Option(names = "--json", description = "Print the proto3 JSON response instead of a table.")
  boolean json;

  @Override
  public Integer call() {
    ListModelsRequest first = request();
    ListModelsResponse response;
    try (GatewayClient client = cli.openClient(GatewayClient.DEFAULT_READ_TIMEOUT, false)) {
      response = client.listModels(first);
      if (all) {
        ListModelsResponse.Builder merged = response.toBuilder();
        for (int page = 1; page < MAX_PAGES && !merged.getNextPageToken().isEmpty(); page++) {
          ListModelsResponse next = client.listModels(first.toBuilder()
              .setPageToken(merged.getNextPageToken()).setForceRefresh(false).build());
          merged.addAllModels(next.getModelsList()).setNextPageToken(next.getNextPageToken());
        }
        response = merged.build();
      }
    }
    PrintStream out = cli.context.out();
    if (json) {
      out.println(ProtoJsonOutput.pretty(response));
    } else {
      printTable(out, response);
    }
    return ExitCodes.OK;
  }

  ListModelsRequest request() {
    ListModelsRequest.Builder b = ListModelsRequest.newBuilder()
        .setAuthorPrefix(author)
        .setQuery(query)
        .addAllInputModalities(input)
        .addAllOutputModalities(output)
        .addAllSupportedParameters(params)
        .setFreeOnly(free)
        .setOrderBy(switch (order) {
          case id -> ModelOrder.MODEL_ORDER_ID;
          case price -> ModelOrder.MODEL_ORDER_PRICE;
          case context -> ModelOrder.MODEL_ORDER_CONTEXT_LENGTH;
          case newest -> ModelOrder.MODEL_ORDER_NEWEST;
        })
        .setPageToken(pageToken)
        .setForceRefresh(refresh)
        .setAvailableToKey(mine);
    if (minContext < 0) {
      throw new GatewayCli.UsageException("--min-context must not be negative");
    }
    b.setMinContextLength(minContext);
    if (limit < 0) {
      throw new GatewayCli.UsageException("--limit must not be negative");
    }
    b.setPageSize(limit);
    if (maxPromptPrice != null) {
      b.setMaxPromptPrice(perToken(maxPromptPrice, "--max-prompt-price"));
    }
    if (maxCompletionPrice != null) {
      b.setMaxCompletionPrice(perToken(maxCompletionPrice, "--max-completion-price"));
    }
    return b.build();
  }

  /** The contract takes USD per token; people think in USD per million tokens. */
  private static String perToken(BigDecimal perMillion, String flag) {
    if (perMillion.signum() < 0) {
      throw new GatewayCli.UsageException(flag + " must not be negative");
    }
    return perMillion.divide(MILLION).stripTrailingZeros().toPlainString();
  }

  static void printTable(PrintStream out, ListModelsResponse response) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"ID", "CONTEXT", "PROMPT $/M", "COMPLETION $/M", "MODALITY"});
    for (Model m : response.getModelsList()) {
      rows.add(new String[] {
        m.getId(),
        m.hasContextLength() ? String.format(Locale.ROOT, "%,d", m.getContextLength()) : "-",
        perMillion(m.getPricing().getPrompt()),
        perMillion(m.getPricing().getCompletion()),
        m.getArchitecture().getModality().isEmpty() ? "-" : m.getArchitecture().getModality()
      });
    }
    Table.print(out, rows, 1, 2, 3);
    StringBuilder footer = new StringBuilder()
        .append(response.getModelsCount()).append(" of ").append(response.getTotalSize()).append(" models");
    if (response.hasCache() && response.getCache().getStale()) {
      footer.append(" (stale: the last catalogue refresh failed)");
    }
    if (!response.getNextPageToken().isEmpty()) {
      footer.append("; next page: --page-token ").append(response.getNextPageToken());
    }
    out.println(footer);
  }

  /** A per-token decimal as USD per million tokens: {@code 0.0000025} is {@code 2.5}. */
  static String perMillion(String perToken) {
    if (perToken.isEmpty()) {
      return "-";
    }
    BigDecimal price;
    try {
      price = new BigDecimal(perToken);
    } catch (NumberFormatException e) {
      return perToken;
    }
    if (price.signum() < 0) {
      return "variable";
    }
    if (price.signum() == 0) {
      return "free";
    }
    return price.multiply(MILLION).round(new MathContext(6)).stripTrailingZeros().toPlainString();
  }
}
