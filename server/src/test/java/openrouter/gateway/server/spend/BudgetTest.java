package openrouter.gateway.server.spend;

import static openrouter.gateway.server.testing.Requests.chat;
import static openrouter.gateway.server.testing.Requests.detail;
import static openrouter.gateway.server.testing.Requests.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import com.google.rpc.QuotaFailure;
import com.google.rpc.RetryInfo;
import io.grpc.Metadata;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import openrouter.gateway.server.security.CallerRegistry;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.server.testing.StreamCollector;
import openrouter.gateway.v1.ChatResponse;
import openrouter.gateway.v1.CreditsServiceGrpc;
import openrouter.gateway.v1.GetSpendRequest;
import openrouter.gateway.v1.GetSpendResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spend budgets and GetSpend through a real gateway, channel and simulator (in-memory ledger). */
class BudgetTest {
  private static final String ALICE_KEY = "gw-alice-0123456789";
  private static final String BOB_KEY = "gw-bob-9876543210";

  @TempDir
  Path dir;
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private GatewayHarness gateway(String keysFile, String... settings) throws Exception {
    List<String> all = new ArrayList<>(List.of(settings));
    if (keysFile != null) {
      Path f = dir.resolve("keys.txt");
      Files.writeString(f, keysFile);
      all.addAll(List.of("GATEWAY_API_KEYS_FILE", f.toString()));
    }
    GatewayHarness h = GatewayHarness.inProcess().withSimulator(all.toArray(String[]::new));
    open.add(h);
    return h;
  }

  private static String sha256(String key) {
    return HexFormat.of().formatHex(CallerRegistry.sha256(key));
  }

  private static <S extends AbstractStub<S>> S as(S stub, String key) {
    Metadata md = new Metadata();
    md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
  }

  private static GetSpendResponse spend(GatewayHarness h, String key) {
    var stub = CreditsServiceGrpc.newBlockingStub(h.channel);
    return (key == null ? stub : as(stub, key)).getSpend(GetSpendRequest.getDefaultInstance());
  }

  @Test
  void aCallerWhoseBudgetIsSpentIsRefusedBeforeTheUpstreamWithEveryDetail() throws Exception {
    // One picodollar: the first call may start, what it costs crosses the budget.
    GatewayHarness h = gateway("alice " + sha256(ALICE_KEY) + " budget=0.000000000001/1d\n"
        + "bob " + sha256(BOB_KEY) + " budget=none\n", "GATEWAY_BUDGET", "0/1d");

    ChatResponse first = as(h.chat(), ALICE_KEY).chat(chat("sim/echo", "what does this cost"));
    BigDecimal cost = new BigDecimal(first.getSummary().getUsage().getCost());
    assertThat(cost).isPositive();

    GetSpendResponse s = spend(h, ALICE_KEY);
    assertThat(s.getCaller()).isEqualTo("alice");
    assertThat(s.getHasBudget()).isTrue();
    assertThat(new BigDecimal(s.getSpent())).isEqualByComparingTo(cost);
    assertThat(s.getBudget()).isEqualTo("0.000000000001");
    assertThat(s.getRemaining()).isEqualTo("0");
    assertThat(s.getWindowDays()).isEqualTo(1);
    Instant end = Instant.ofEpochSecond(Timestamps.toSeconds(s.getWindowEnd()));
    assertThat(Instant.ofEpochSecond(Timestamps.toSeconds(s.getWindowStart())).getEpochSecond() % 86_400).isZero();

    int upstreamCalls = h.simulator.requestCount("/chat/completions");
    StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class,
        () -> as(h.chat(), ALICE_KEY).chat(chat("sim/echo", "again")));
    assertThat(refused.getStatus().getCode()).isEqualTo(Code.RESOURCE_EXHAUSTED);
    assertThat(refused.getStatus().getDescription()).contains("alice").contains("budget").contains("resets at " + end);
    var info = errorInfo(refused);
    assertThat(info.getReason()).isEqualTo("BUDGET_EXCEEDED");
    assertThat(info.getDomain()).isEqualTo("openrouter-grpc-gateway");
    assertThat(info.getMetadataMap()).containsEntry("caller", "alice").containsEntry("budget", "0.000000000001/1d")
        .containsEntry("windowReset", end.toString());
    assertThat(new BigDecimal(info.getMetadataOrThrow("spent"))).isEqualByComparingTo(cost);
    assertThat(detail(refused, QuotaFailure.class).getViolations(0).getSubject()).isEqualTo("caller:alice/budget");
    long retryMs = Durations.toMillis(detail(refused, RetryInfo.class).getRetryDelay());
    assertThat(retryMs).isPositive().isLessThanOrEqualTo(86_400_000L);

    // Streams are refused too, before any upstream request.
    StreamCollector stream = new StreamCollector();
    as(h.chatAsync(), ALICE_KEY).streamChat(chat("sim/echo", "stream"), stream);
    assertThat(stream.await().getCode()).isEqualTo(Code.RESOURCE_EXHAUSTED);
    assertThat(h.simulator.requestCount("/chat/completions")).isEqualTo(upstreamCalls);

    // Bob has budget=none, which overrides GATEWAY_BUDGET=0/1d; other callers are not affected.
    as(h.chat(), BOB_KEY).chat(chat("sim/echo", "bob is fine"));
    assertThat(spend(h, BOB_KEY).getHasBudget()).isFalse();
    assertThat(spend(h, BOB_KEY).getRemaining()).isEmpty();
    assertThat(h.scrape()).contains("gateway_budget_refusals_total 2.0").contains("gateway_spend_usd_total{caller=\"alice\"}");
  }

  @Test
  void aStreamIsChargedWhatTheUpstreamReportedAndGetSpendAnswersForTheAnonymousCaller() throws Exception {
    GatewayHarness h = gateway(null, "GATEWAY_BUDGET", "2.5/7d");
    GetSpendResponse before = spend(h, null);
    assertThat(before.getCaller()).isEqualTo("anonymous");
    assertThat(before.getHasBudget()).isTrue();
    assertThat(before.getSpent()).isEqualTo("0");
    assertThat(before.getWindowDays()).isEqualTo(7);

    StreamCollector stream = new StreamCollector();
    h.chatAsync().streamChat(chat("sim/echo", "one two three"), stream);
    assertThat(stream.await().isOk()).isTrue();
    String cost = stream.messages.get(stream.messages.size() - 1).getSummary().getUsage().getCost();
    GetSpendResponse after = spend(h, null);
    assertThat(new BigDecimal(after.getSpent())).isEqualByComparingTo(cost);
    assertThat(new BigDecimal(after.getRemaining())).isEqualByComparingTo(new BigDecimal("2.5").subtract(new BigDecimal(cost)));
    assertThat(h.scrape()).contains("gateway_spend_usd_total{caller=\"all\"}");
  }

  @Test
  void withNoBudgetGetSpendSaysSoAndCountsToday() throws Exception {
    GatewayHarness h = gateway(null);
    h.chat().chat(chat("sim/echo", "counted"));
    GetSpendResponse s = spend(h, null);
    assertThat(s.getHasBudget()).isFalse();
    assertThat(s.getBudget()).isEmpty();
    assertThat(s.getWindowDays()).isEqualTo(1);
    assertThat(new BigDecimal(s.getSpent())).isPositive();
  }
}
