package openrouter.gateway.tools.cli;

import com.google.protobuf.util.Timestamps;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import openrouter.gateway.v1.GetKeyResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code key}: the label, limit and usage of the OpenRouter key the gateway spends. */
@Command(name = "key", mixinStandardHelpOptions = true, versionProvider = GatewayCli.Version.class,
    description = "Shows the OpenRouter key's label, spending limit and usage (USD).")
final class KeyCommand implements Callable<Integer> {
  @ParentCommand
  GatewayCli cli;

  @Option(names = "--refresh", description = "Read from OpenRouter now, not the gateway's cache.")
  boolean refresh;

  @Option(names = "--json", description = "Print the proto3 JSON response.")
  boolean json;

  @Override
  public Integer call() {
    GetKeyResponse r = cli.read(client -> client.getKey(refresh));
    if (json) {
      return cli.printJson(r);
    }
    List<String[]> fields = new ArrayList<>();
    fields.add(new String[] {"Label", r.getLabel()});
    fields.add(new String[] {"Limit", r.hasLimit()
        ? "$" + r.getLimit() + (r.getLimitReset().isEmpty() ? "" : ", resets " + r.getLimitReset())
        : "none"});
    if (r.hasLimitRemaining()) {
      fields.add(new String[] {"Limit remaining", "$" + r.getLimitRemaining()});
    }
    fields.add(new String[] {"Usage", "$" + r.getUsage() + " (today $" + r.getUsageDaily() + ", this week $"
        + r.getUsageWeekly() + ", this month $" + r.getUsageMonthly() + ")"});
    fields.add(new String[] {"Free tier", r.getIsFreeTier() ? "yes" : "no"});
    fields.add(new String[] {"Management key", r.getIsManagementKey() ? "yes" : "no"});
    if (r.hasExpiresAt()) {
      fields.add(new String[] {"Expires", Timestamps.toString(r.getExpiresAt())});
    }
    if (r.hasCache()) {
      fields.add(new String[] {"Cache", Freshness.describe(r.getCache())});
    }
    Table.printRecord(cli.context.out(), fields);
    return ExitCodes.OK;
  }
}
