package openrouter.gateway.tools.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import openrouter.gateway.v1.ListProvidersResponse;
import openrouter.gateway.v1.Provider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code providers}: OpenRouter's providers, where they are based and where they run. */
@Command(name = "providers", mixinStandardHelpOptions = true,
    description = "Lists OpenRouter's providers: slug (for provider preferences), headquarters and datacenter countries.")
final class ProvidersCommand implements Callable<Integer> {
  @ParentCommand
  GatewayCli cli;

  @Option(names = "--refresh", description = "Read from OpenRouter now, not the gateway's cache.")
  boolean refresh;

  @Option(names = "--json", description = "Print the proto3 JSON response instead of a table.")
  boolean json;

  @Override
  public Integer call() {
    ListProvidersResponse r = cli.read(client -> client.listProviders(refresh));
    if (json) {
      return cli.printJson(r);
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"SLUG", "NAME", "HQ", "DATACENTERS", "STATUS PAGE"});
    for (Provider p : r.getProvidersList()) {
      rows.add(new String[] {p.getSlug(), p.getName(), p.getHeadquarters().isEmpty() ? "-" : p.getHeadquarters(),
          p.getDatacentersCount() == 0 ? "-" : String.join(",", p.getDatacentersList()),
          p.getStatusPageUrl().isEmpty() ? "-" : p.getStatusPageUrl()});
    }
    Table.print(cli.context.out(), rows);
    return ExitCodes.OK;
  }
}
