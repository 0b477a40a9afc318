package openrouter.gateway.tools.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import openrouter.gateway.v1.EndpointStatus;
import openrouter.gateway.v1.ListModelEndpointsResponse;
import openrouter.gateway.v1.ModelEndpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code endpoints}: the providers serving a model, with status, uptime and latency. */
@Command(name = "endpoints", mixinStandardHelpOptions = true,
    description = "Lists every provider endpoint of MODEL: status, uptime, latency (time to first token,"
        + " ms) and throughput (tokens/s) over the last 30 minutes; - where OpenRouter has no figure.")
final class EndpointsCommand implements Callable<Integer> {
  @ParentCommand
  GatewayCli cli;

  @Parameters(paramLabel = "MODEL", description = "Model id author/slug, e.g. openai/gpt-4o.")
  String model;

  @Option(names = "--refresh", description = "Read from OpenRouter now, not the gateway's cache.")
  boolean refresh;

  @Option(names = "--json", description = "Print the proto3 JSON response instead of a table.")
  boolean json;

  @Override
  public Integer call() {
    ListModelEndpointsResponse r = cli.read(client -> client.listModelEndpoints(model, refresh));
    if (json) {
      return cli.printJson(r);
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"PROVIDER", "TAG", "STATUS", "QUANT", "CONTEXT", "UPTIME 30M", "P50 MS", "P50 TOK/S"});
    for (ModelEndpoint e : r.getEndpointsList()) {
      rows.add(new String[] {
          e.getProviderName(), e.getTag(), status(e), e.getQuantization().isEmpty() ? "-" : e.getQuantization(),
          e.hasContextLength() ? Long.toString(e.getContextLength()) : "-",
          e.hasUptimeLast30M() ? String.format(Locale.ROOT, "%.2f%%", e.getUptimeLast30M()) : "-",
          e.hasLatencyLast30M() && e.getLatencyLast30M().hasP50() ? number(e.getLatencyLast30M().getP50()) : "-",
          e.hasThroughputLast30M() && e.getThroughputLast30M().hasP50() ? number(e.getThroughputLast30M().getP50()) : "-"});
    }
    Table.print(cli.context.out(), rows, 4, 5, 6, 7);
    if (r.hasCache()) {
      cli.context.out().println(r.getModel() + ": " + r.getEndpointsCount() + " endpoints; "
          + Freshness.describe(r.getCache()));
    }
    return ExitCodes.OK;
  }

  private static String status(ModelEndpoint e) {
    return e.getStatus() == EndpointStatus.ENDPOINT_STATUS_UNSPECIFIED
        ? "status " + e.getStatusCode()
        : e.getStatus().name().substring("ENDPOINT_STATUS_".length()).toLowerCase(Locale.ROOT);
  }

  private static String number(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : String.format(Locale.ROOT, "%.1f", d);
  }
}
