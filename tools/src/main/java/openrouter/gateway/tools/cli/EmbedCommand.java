package openrouter.gateway.tools.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import openrouter.gateway.client.GatewayClient;
import openrouter.gateway.v1.EmbedRequest;
import openrouter.gateway.v1.EmbedResponse;
import openrouter.gateway.v1.Embedding;
import openrouter.gateway.v1.EmbeddingInput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code embed}: one embedding per text, as a table or JSON. */
@Command(name = "embed", mixinStandardHelpOptions = true,
    description = "Embeds each TEXT (or each line of stdin when none is given), in order.")
final class EmbedCommand implements Callable<Integer> {
  /** Values shown per embedding in the table; --json has them all. */
  static final int SHOWN_VALUES = 4;

  @ParentCommand
  GatewayCli cli;

  @Option(names = {"-m", "--model"}, paramLabel = "MODEL", description = "Embedding model (default: the gateway's).")
  String model = "";

  @Option(names = "--dimensions", paramLabel = "N", description = "Dimensions of each vector, for models that can shorten them.")
  int dimensions;

  @Option(names = "--input-type", paramLabel = "TYPE", description = "What the texts are for, e.g. search_query or search_document.")
  String inputType = "";

  @Option(names = "--json", description = "Print the proto3 JSON response (every value) instead of a table.")
  boolean json;

  @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to embed.")
  List<String> texts = new ArrayList<>();

  @Override
  public Integer call() {
    List<String> inputs = texts.isEmpty() ? stdinLines() : texts;
    EmbedRequest.Builder request = EmbedRequest.newBuilder().setModel(model).setDimensions(dimensions)
        .setInputType(inputType);
    inputs.forEach(t -> request.addInputs(EmbeddingInput.newBuilder().setText(t)));
    EmbedResponse r;
    try (GatewayClient client = cli.openClient(GatewayClient.DEFAULT_CHAT_TIMEOUT, false)) {
      r = client.embed(request.build());
    }
    if (json) {
      return cli.printJson(r);
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"INDEX", "DIMENSIONS", "VALUES", "TEXT"});
    for (Embedding e : r.getEmbeddingsList()) {
      rows.add(new String[] {Integer.toString(e.getIndex()), Integer.toString(e.getValuesCount()),
          values(e), shorten(inputs.get(e.getIndex()))});
    }
    Table.print(cli.context.out(), rows, 0, 1);
    cli.context.out().println("model " + r.getModel() + (r.getProvider().isEmpty() ? "" : " via " + r.getProvider())
        + ", " + r.getUsage().getPromptTokens() + " tokens"
        + (r.getUsage().getCost().isEmpty() ? "" : ", $" + r.getUsage().getCost()));
    return ExitCodes.OK;
  }

  private static String values(Embedding e) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < Math.min(SHOWN_VALUES, e.getValuesCount()); i++) {
      b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.6f", e.getValues(i)));
    }
    return b.append(e.getValuesCount() > SHOWN_VALUES ? ", ...]" : "]").toString();
  }

  private static String shorten(String text) {
    String oneLine = text.replaceAll("\\s+", " ");
    return oneLine.length() <= 40 ? oneLine : oneLine.substring(0, 37) + "...";
  }

  private List<String> stdinLines() {
    List<String> lines = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(cli.context.in(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (!line.isBlank()) {
          lines.add(line);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return lines;
  }
}
