package openrouter.gateway.tools.cli;

import com.google.protobuf.util.Timestamps;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import openrouter.gateway.v1.GetSpendResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code spend}: what this caller spent through the gateway in its budget window. */
@Command(name = "spend", mixinStandardHelpOptions = true, versionProvider = GatewayCli.Version.class,
    description = "Shows what this caller spent in its current budget window, its budget and what is left (USD).")
final class SpendCommand implements Callable<Integer> {
  @ParentCommand
  GatewayCli cli;

  @Option(names = "--json", description = "Print the proto3 JSON response.")
  boolean json;

  @Override
  public Integer call() {
    GetSpendResponse r = cli.read(client -> client.getSpend());
    if (json) {
      return cli.printJson(r);
    }
    List<String[]> fields = new ArrayList<>();
    fields.add(new String[] {"Caller", r.getCaller()});
    fields.add(new String[] {"Spent", "$" + r.getSpent()});
    fields.add(new String[] {"Budget", r.getHasBudget() ? "$" + r.getBudget() + " per " + days(r.getWindowDays()) : "none"});
    if (r.getHasBudget()) {
      fields.add(new String[] {"Remaining", "$" + r.getRemaining()});
    }
    fields.add(new String[] {"Window", Timestamps.toString(r.getWindowStart()) + " to " + Timestamps.toString(r.getWindowEnd())});
    Table.printRecord(cli.context.out(), fields);
    return ExitCodes.OK;
  }

  private static String days(int n) {
    return n == 1 ? "day" : n + " days";
  }
}
