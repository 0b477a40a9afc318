package openrouter.gateway.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.Timestamps;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import openrouter.gateway.tools.testing.CliRun;
import openrouter.gateway.v1.Architecture;
import openrouter.gateway.v1.CacheInfo;
import openrouter.gateway.v1.CreditsServiceGrpc;
import openrouter.gateway.v1.CreditsSource;
import openrouter.gateway.v1.GetCreditsRequest;
import openrouter.gateway.v1.GetCreditsResponse;
import openrouter.gateway.v1.GetKeyRequest;
import openrouter.gateway.v1.GetKeyResponse;
import openrouter.gateway.v1.ListModelsRequest;
import openrouter.gateway.v1.ListModelsResponse;
import openrouter.gateway.v1.Model;
import openrouter.gateway.v1.ModelOrder;
import openrouter.gateway.v1.ModelPricing;
import openrouter.gateway.v1.ModelsServiceGrpc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code models}, {@code credits} and {@code key} against a server that answers by the
 * contract with a fixed catalogue and records the requests it got: what the CLI sends for its
 * flags, and how it shows the answers. (A server without these services checks the
 * UNIMPLEMENTED path, in {@link ConnectionOptionsTest}.)
 */
class CatalogCommandsTest {
  static final Model GPT = Model.newBuilder().setId("openai/gpt-4o").setName("GPT-4o").setContextLength(128_000)
      .setArchitecture(Architecture.newBuilder().setModality("text+image->text"))
      .setPricing(ModelPricing.newBuilder().setPrompt("0.0000025").setCompletion("0.00001")).build();
  static final Model FREE = Model.newBuilder().setId("simlabs/free-mini").setName("Free mini")
      .setArchitecture(Architecture.newBuilder().setModality("text->text"))
      .setPricing(ModelPricing.newBuilder().setPrompt("0").setCompletion("0")).build();

  private static final List<ListModelsRequest> modelRequests = new CopyOnWriteArrayList<>();
  private static final List<Object> accountRequests = new CopyOnWriteArrayList<>();
  private static Server server;
  private static String target;

  @BeforeAll
  static void start() throws Exception {
    var models = new ModelsServiceGrpc.ModelsServiceImplBase() {
      @Override
      public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> observer) {
        modelRequests.add(request);
        // Pages of one when asked for one: GPT first, then FREE.
        boolean second = request.getPageToken().equals("page-2");
        ListModelsResponse.Builder r = ListModelsResponse.newBuilder().setTotalSize(2)
            .setCache(CacheInfo.newBuilder().setFromCache(true));
        if (request.getPageSize() == 1) {
          r.addModels(second ? FREE : GPT).setNextPageToken(second ? "" : "page-2");
        } else {
          r.addModels(GPT).addModels(FREE);
        }
        observer.onNext(r.build());
        observer.onCompleted();
      }
    };
    var credits = new CreditsServiceGrpc.CreditsServiceImplBase() {
      @Override
      public void getCredits(GetCreditsRequest request, StreamObserver<GetCreditsResponse> observer) {
        accountRequests.add(request);
        observer.onNext(GetCreditsResponse.newBuilder().setTotalCredits("100").setTotalUsage("12.5")
            .setRemaining("87.5").setSource(CreditsSource.CREDITS_SOURCE_CREDITS_ENDPOINT)
            .setAsOf(Timestamps.fromSeconds(1_800_000_000L))
            .setCache(CacheInfo.newBuilder().setFromCache(true).setStale(true)).build());
        observer.onCompleted();
      }

      @Override
      public void getKey(GetKeyRequest request, StreamObserver<GetKeyResponse> observer) {
        accountRequests.add(request);
        observer.onNext(GetKeyResponse.newBuilder().setLabel("sk-or-v1-abc...xyz").setLimit("50")
            .setLimitRemaining("20").setLimitReset("monthly").setUsage("30").setUsageDaily("1")
            .setUsageWeekly("5").setUsageMonthly("30").build());
        observer.onCompleted();
      }
    };
    server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
        .addService(models).addService(credits).build().start();
    target = "127.0.0.1:" + server.getPort();
  }

  @AfterAll
  static void stop() throws Exception {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @BeforeEach
  void clear() {
    modelRequests.clear();
    accountRequests.clear();
  }

  @Test
  void modelsPrintsAReadableTable() {
    CliRun r = CliRun.run("models", "--target", target);
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.out).isEqualTo(String.join("\n",
        "ID                 CONTEXT  PROMPT $/M  COMPLETION $/M  MODALITY",
        "openai/gpt-4o      128,000         2.5              10  text+image->text",
        "simlabs/free-mini        -        free            free  text->text",
        "2 of 2 models",
        ""));
  }

  @Test
  void everyFilterFlagReachesTheRequest() {
    CliRun r = CliRun.run("models", "--target", target, "--author", "openai/", "-q", "gpt", "--input", "image",
        "--input", "text", "--output", "text", "--param", "tools", "--min-context", "100000",
        "--max-prompt-price", "5", "--max-completion-price", "0.5", "--free", "--order", "price", "--refresh");
    assertThat(r.exitCode).as(r.toString()).isZero();
    ListModelsRequest sent = modelRequests.get(0);
    assertThat(sent.getAuthorPrefix()).isEqualTo("openai/");
    assertThat(sent.getQuery()).isEqualTo("gpt");
    assertThat(sent.getInputModalitiesList()).containsExactly("image", "text");
    assertThat(sent.getOutputModalitiesList()).containsExactly("text");
    assertThat(sent.getSupportedParametersList()).containsExactly("tools");
    assertThat(sent.getMinContextLength()).isEqualTo(100_000);
    // People give USD per million tokens; the contract takes USD per token.
    assertThat(sent.getMaxPromptPrice()).isEqualTo("0.000005");
    assertThat(sent.getMaxCompletionPrice()).isEqualTo("0.0000005");
    assertThat(sent.getFreeOnly()).isTrue();
    assertThat(sent.getOrderBy()).isEqualTo(ModelOrder.MODEL_ORDER_PRICE);
    assertThat(sent.getForceRefresh()).isTrue();
  }

  @Test
  void allFollowsThePagesAndJsonPrintsTheMergedResponse() throws Exception {
    CliRun r = CliRun.run("models", "--target", target, "--limit", "1", "--all", "--json");
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(modelRequests).extracting(ListModelsRequest::getPageToken).containsExactly("", "page-2");
    ListModelsResponse.Builder merged = ListModelsResponse.newBuilder();
    JsonFormat.parser().merge(r.out, merged);
    assertThat(merged.getModelsList()).containsExactly(GPT, FREE);
    assertThat(merged.getNextPageToken()).isEmpty();
  }

  @Test
  void onePageSaysHowToGetTheNext() {
    CliRun r = CliRun.run("models", "--target", target, "--limit", "1");
    assertThat(r.out).contains("openai/gpt-4o").doesNotContain("free-mini")
        .endsWith("1 of 2 models; next page: --page-token page-2\n");
  }

  @Test
  void aNegativeLimitIsAUsageErrorBeforeAnyCall() {
    CliRun r = CliRun.run("models", "--target", target, "--limit", "-1");
    assertThat(r.exitCode).isEqualTo(2);
    assertThat(r.err).isEqualTo("error: --limit must not be negative\n");
    assertThat(modelRequests).isEmpty();
  }

  @Test
  void creditsShowsTheBalanceAndItsFreshness() throws Exception {
    CliRun r = CliRun.run("credits", "--target", target, "--refresh");
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.out).contains("Remaining:     $87.5\n").contains("Total credits: $100\n")
        .contains("Total usage:   $12.5\n").contains("Source:        CREDITS_SOURCE_CREDITS_ENDPOINT\n")
        .contains("As of:         2027-01-15T08:00:00Z\n").contains("STALE");
    assertThat(((GetCreditsRequest) accountRequests.get(0)).getForceRefresh()).isTrue();

    CliRun json = CliRun.run("credits", "--target", target, "--json");
    GetCreditsResponse.Builder b = GetCreditsResponse.newBuilder();
    JsonFormat.parser().merge(json.out, b);
    assertThat(b.getRemaining()).isEqualTo("87.5");
  }

  @Test
  void keyShowsTheLimitAndUsage() {
    CliRun r = CliRun.run("key", "--target", target);
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.out).contains("Label:           sk-or-v1-abc...xyz\n")
        .contains("Limit:           $50, resets monthly\n")
        .contains("Limit remaining: $20\n")
        .contains("Usage:           $30 (today $1, this week $5, this month $30)\n");
    assertThat(((GetKeyRequest) accountRequests.get(0)).getForceRefresh()).isFalse();
  }
}
