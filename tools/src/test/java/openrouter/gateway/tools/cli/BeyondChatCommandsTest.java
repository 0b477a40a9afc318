package openrouter.gateway.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import java.math.BigDecimal;
import openrouter.gateway.client.GatewayClient;
import openrouter.gateway.tools.testing.CliRun;
import openrouter.gateway.client.testing.TestGateway;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.EmbedResponse;
import openrouter.gateway.v1.GetSpendResponse;
import openrouter.gateway.v1.ListModelEndpointsResponse;
import openrouter.gateway.v1.ListProvidersResponse;
import openrouter.gateway.v1.Message;
import openrouter.gateway.v1.Role;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code embed}, {@code endpoints}, {@code providers} and {@code spend} against a real gateway and simulator. */
class BeyondChatCommandsTest {
  static TestGateway gateway;
  static String target;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start();
    target = gateway.target();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @Test
  void embedPrintsATableAndTheUsage() {
    CliRun r = CliRun.run("embed", "--target", target, "-m", "sim/embed", "--dimensions", "8", "first text", "second");
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.out).contains("INDEX", "DIMENSIONS").contains("first text").contains("second");
    assertThat(r.out.lines().filter(l -> l.matches("\\s*[01]\\s+8\\s+\\[.*"))).hasSize(2);
    assertThat(r.out).contains("model sim/embed", "3 tokens", "$0.00000006");
  }

  @Test
  void embedJsonHasEveryValueAndStdinLinesAreInputs() throws Exception {
    CliRun r = CliRun.builder().stdin("line one\n\nline two\n")
        .run("embed", "--target", target, "-m", "sim/embed", "--dimensions", "16", "--json");
    assertThat(r.exitCode).as(r.toString()).isZero();
    EmbedResponse.Builder parsed = EmbedResponse.newBuilder();
    JsonFormat.parser().merge(r.out, parsed);
    assertThat(parsed.getEmbeddingsCount()).isEqualTo(2);
    assertThat(parsed.getEmbeddings(1).getValuesCount()).isEqualTo(16);
    try (GatewayClient client = GatewayClient.connect(target)) {
      EmbedResponse direct = client.embed(openrouter.gateway.v1.EmbedRequest.newBuilder().setModel("sim/embed")
          .setDimensions(16).addInputs(openrouter.gateway.v1.EmbeddingInput.newBuilder().setText("line two")).build());
      assertThat(parsed.getEmbeddings(1).getValuesList()).isEqualTo(direct.getEmbeddings(0).getValuesList());
    }
  }

  @Test
  void endpointsShowStatusUptimeAndDashesForMissingFigures() throws Exception {
    CliRun r = CliRun.run("endpoints", "--target", target, "sim/echo");
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.out).contains("PROVIDER", "STATUS", "UPTIME 30M");
    assertThat(r.out.lines().filter(l -> l.startsWith("Simulator "))).singleElement().satisfies(l ->
        assertThat(l).contains("ok", "99.80%", "250", "120"));
    assertThat(r.out.lines().filter(l -> l.startsWith("Sim Edge "))).singleElement().satisfies(l ->
        assertThat(l).contains("disabled").endsWith("-"));
    CliRun json = CliRun.run("endpoints", "--target", target, "--json", "sim/echo");
    ListModelEndpointsResponse.Builder parsed = ListModelEndpointsResponse.newBuilder();
    JsonFormat.parser().merge(json.out, parsed);
    assertThat(parsed.getEndpointsCount()).isEqualTo(3);
    CliRun bad = CliRun.run("endpoints", "--target", target, "not-an-id");
    assertThat(bad.exitCode).isNotZero();
    assertThat(bad.err).contains("author/slug");
  }

  @Test
  void providersPrintATableAndJson() throws Exception {
    CliRun r = CliRun.run("providers", "--target", target);
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.out).contains("SLUG", "HQ").contains("simcloud").contains("IE,DE");
    CliRun json = CliRun.run("providers", "--target", target, "--json");
    ListProvidersResponse.Builder parsed = ListProvidersResponse.newBuilder();
    JsonFormat.parser().merge(json.out, parsed);
    assertThat(parsed.getProvidersCount()).isEqualTo(4);
  }

  @Test
  void modelsMineListsOnlyWhatTheKeyMayUse() {
    CliRun all = CliRun.run("models", "--target", target, "--all");
    CliRun mine = CliRun.run("models", "--target", target, "--all", "--mine");
    assertThat(mine.exitCode).as(mine.toString()).isZero();
    assertThat(all.out).contains("simlabs/tiny:free");
    assertThat(mine.out).doesNotContain("simlabs/tiny:free").contains("simlabs/tiny");
  }

  @Test
  void spendShowsWhatThisCallerSpentAgainstItsBudget() throws Exception {
    try (TestGateway budgeted = TestGateway.start("GATEWAY_BUDGET", "2.5/7d");
        GatewayClient client = GatewayClient.connect(budgeted.target())) {
      String cost = client.chat(ChatRequest.newBuilder().setModel("sim/echo")
          .addMessages(Message.newBuilder().setRole(Role.ROLE_USER).setContent("spend some")).build())
          .getSummary().getUsage().getCost();
      GetSpendResponse direct = client.getSpend();
      CliRun r = CliRun.run("spend", "--target", budgeted.target());
      assertThat(r.exitCode).as(r.toString()).isZero();
      assertThat(r.out).contains("Caller:", "anonymous").contains("$" + direct.getSpent())
          .contains("$2.5 per 7 days").contains("Remaining:").contains("$" + direct.getRemaining());
      assertThat(new BigDecimal(direct.getSpent())).isEqualByComparingTo(cost);
      CliRun json = CliRun.run("spend", "--target", budgeted.target(), "--json");
      GetSpendResponse.Builder parsed = GetSpendResponse.newBuilder();
      JsonFormat.parser().merge(json.out, parsed);
      assertThat(parsed.build()).isEqualTo(direct);
    }
    CliRun none = CliRun.run("spend", "--target", target);
    assertThat(none.exitCode).as(none.toString()).isZero();
    assertThat(none.out).contains("Budget:", "none").doesNotContain("Remaining:");
  }
}
