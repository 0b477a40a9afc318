package openrouter.gateway.tools.cli;

import com.google.protobuf.util.Timestamps;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import openrouter.gateway.v1.GetCreditsResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code credits}: the balance of the OpenRouter key the gateway spends. */
@Command(name = "credits", mixinStandardHelpOptions = true, versionProvider = GatewayCli.Version.class,
    description = "Shows the balance of the OpenRouter key (USD).")
final class CreditsCommand implements Callable<Integer> {
  @ParentCommand
  GatewayCli cli;

  @Option(names = "--refresh", description = "Read from OpenRouter now, not the gateway's cache.")
  boolean refresh;

  @Option(names = "--json", description = "Print the proto3 JSON response.")
  boolean json;

  @Override
  public Integer call() {
    GetCreditsResponse r = cli.read(client -> client.getCredits(refresh));
    if (json) {
      return cli.printJson(r);
    }
    List<String[]> fields = new ArrayList<>();
    fields.add(new String[] {"Remaining", r.getRemaining().isEmpty() ? "unlimited" : "$" + r.getRemaining()});
    fields.add(new String[] {"Total credits", r.getTotalCredits().isEmpty() ? "-" : "$" + r.getTotalCredits()});
    fields.add(new String[] {"Total usage", "$" + r.getTotalUsage()});
    if (r.getLowBalance()) {
      fields.add(new String[] {"Low balance", "yes (threshold $" + r.getLowBalanceThreshold() + ")"});
    }
    fields.add(new String[] {"Source", r.getSource().name()});
    if (r.hasAsOf()) {
      fields.add(new String[] {"As of", Timestamps.toString(r.getAsOf())});
    }
    if (r.hasCache()) {
      fields.add(new String[] {"Cache", Freshness.describe(r.getCache())});
    }
    if (!r.getNote().isEmpty()) {
      fields.add(new String[] {"Note", r.getNote()});
    }
    Table.printRecord(cli.context.out(), fields);
    return ExitCodes.OK;
  }
}
