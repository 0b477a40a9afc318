package openrouter.gateway.tools.cli;

import com.google.protobuf.util.Timestamps;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import openrouter.gateway.v1.Generation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code generation ID}: OpenRouter's statistics of one finished generation. */
@Command(name = "generation", mixinStandardHelpOptions = true, versionProvider = GatewayCli.Version.class,
    description = "Shows the cost, tokens and latency of a generation (the id a chat summary names).")
final class GenerationCommand implements Callable<Integer> {
  @ParentCommand
  GatewayCli cli;

  @Parameters(paramLabel = "ID", description = "Generation id, e.g. gen-1739458867-kUKFjpDGCEBBvK6V46PX.")
  String id;

  @Option(names = "--json", description = "Print the proto3 JSON response.")
  boolean json;

  @Override
  public Integer call() {
    var response = cli.read(client -> client.getGeneration(id));
    if (json) {
      return cli.printJson(response);
    }
    Generation g = response.getGeneration();
    List<String[]> fields = new ArrayList<>();
    fields.add(new String[] {"Id", g.getId()});
    fields.add(new String[] {"Model", g.getModel() + (g.getProviderName().isEmpty() ? "" : " via " + g.getProviderName())});
    fields.add(new String[] {"Cost", "$" + g.getTotalCost()});
    fields.add(new String[] {"Tokens", g.getNativeTokensPrompt() + " prompt, " + g.getNativeTokensCompletion()
        + " completion, " + g.getNativeTokensReasoning() + " reasoning, " + g.getNativeTokensCached() + " cached"});
    fields.add(new String[] {"Latency", g.getLatencyMs() + " ms (generation " + g.getGenerationTimeMs() + " ms)"});
    fields.add(new String[] {"Finish", g.getFinishReason()
        + (g.getNativeFinishReason().isEmpty() ? "" : " (" + g.getNativeFinishReason() + ")")});
    if (g.hasCreatedAt()) {
      fields.add(new String[] {"Created", Timestamps.toString(g.getCreatedAt())});
    }
    Table.printRecord(cli.context.out(), fields);
    return ExitCodes.OK;
  }
}
