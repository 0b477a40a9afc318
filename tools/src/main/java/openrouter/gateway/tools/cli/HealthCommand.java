package openrouter.gateway.tools.cli;

import com.google.protobuf.util.Durations;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import openrouter.gateway.client.GatewayClient;
import openrouter.gateway.v1.CheckResponse;
import openrouter.gateway.v1.OverallStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code health}: the detailed report and the standard grpc.health.v1 status. */
@Command(name = "health", mixinStandardHelpOptions = true, versionProvider = GatewayCli.Version.class,
    description = {"Shows the gateway's health report.",
      "Exits 0 when it is SERVING or DEGRADED, 3 when it is NOT_SERVING."})
final class HealthCommand implements Callable<Integer> {
  @ParentCommand
  GatewayCli cli;

  @Option(names = "--json", description = "Print the proto3 JSON report.")
  boolean json;

  @Override
  public Integer call() {
    CheckResponse r;
    ServingStatus standard;
    try (GatewayClient client = cli.openClient(GatewayClient.DEFAULT_READ_TIMEOUT, false)) {
      r = client.health();
      standard = client.servingStatus("");
    }
    if (json) {
      cli.context.out().println(ProtoJsonOutput.pretty(r));
    } else {
      List<String[]> fields = new ArrayList<>();
      fields.add(new String[] {"Status", r.getStatus().name().replace("OVERALL_STATUS_", "")});
      fields.add(new String[] {"grpc.health.v1", standard.name()});
      fields.add(new String[] {"Upstream", r.getMode().name().replace("UPSTREAM_MODE_", "").toLowerCase(java.util.Locale.ROOT)
          + " " + r.getUpstreamBaseUrl()});
      fields.add(new String[] {"Key", r.getKeyState().name().replace("KEY_STATE_", "")});
      fields.add(new String[] {"Version", r.getVersion()});
      if (r.hasUptime()) {
        fields.add(new String[] {"Uptime", Durations.toSeconds(r.getUptime()) + "s"});
      }
      for (String problem : r.getProblemsList()) {
        fields.add(new String[] {"Problem", problem});
      }
      Table.printRecord(cli.context.out(), fields);
    }
    return r.getStatus() == OverallStatus.OVERALL_STATUS_NOT_SERVING || standard != ServingStatus.SERVING
        ? ExitCodes.UNAVAILABLE
        : ExitCodes.OK;
  }
}
