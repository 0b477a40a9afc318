package openrouter.gateway.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.util.Timestamps;
import com.google.rpc.BadRequest;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import openrouter.gateway.client.testing.TestGateway;
import openrouter.gateway.simulator.RecordedRequest;
import openrouter.gateway.v1.ChatDelta;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.ChatResponse;
import openrouter.gateway.v1.ChatSummary;
import openrouter.gateway.v1.CheckResponse;
import openrouter.gateway.v1.GetSpendResponse;
import openrouter.gateway.v1.Message;
import openrouter.gateway.v1.OverallStatus;
import openrouter.gateway.v1.Role;
import openrouter.gateway.v1.StreamChatResponse;
import openrouter.gateway.v1.UpstreamMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The library against a real gateway in front of the simulator, over a real Netty channel. */
class GatewayClientTest {
  private static TestGateway gateway;
  private static GatewayClient client;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start();
    client = GatewayClient.connect(gateway.target());
  }

  @AfterAll
  static void stop() {
    client.close();
    gateway.close();
  }

  static ChatRequest chat(String model, String prompt) {
    return ChatRequest.newBuilder().setModel(model)
        .addMessages(Message.newBuilder().setRole(Role.ROLE_USER).setContent(prompt)).build();
  }

  /** sim/slow with 3 s between chunks: a stream that only a cancel ends within the test. */
  static ChatRequest slow(String prompt) {
    return chat("sim/slow", prompt).toBuilder().putMetadata("sim_chunk_delay_ms", "3000").build();
  }

  @Test
  void streamChatIteratesDeltasThenTheSummary() {
    List<StreamChatResponse> messages = new ArrayList<>();
    try (ChatStream stream = client.streamChat(chat("sim/echo", "the quick brown fox"))) {
      stream.forEachRemaining(messages::add);
      assertThat(stream.summary()).map(ChatSummary::getFinishReason).contains("stop");
    }
    StringBuilder text = new StringBuilder();
    messages.stream().filter(StreamChatResponse::hasDelta).forEach(m -> text.append(m.getDelta().getContent()));
    assertThat(text).hasToString("the quick brown fox");
    assertThat(messages.stream().filter(StreamChatResponse::hasDelta).count()).isEqualTo(4);
    assertThat(messages.get(messages.size() - 1).hasSummary()).isTrue();
  }

  @Test
  void anExhaustedStreamSaysSoAndStaysEnded() {
    ChatStream stream = client.streamChat(chat("sim/echo", "one"));
    while (stream.hasNext()) {
      stream.next();
    }
    assertThat(stream.hasNext()).isFalse();
    assertThatThrownBy(stream::next).isInstanceOf(NoSuchElementException.class);
  }

  @Test
  void unaryChatReturnsTheAssembledAnswer() {
    ChatResponse r = client.chat(chat("sim/echo", "hello unary world"));
    assertThat(r.getMessage().getContent()).isEqualTo("hello unary world");
    assertThat(r.getSummary().getFinishReason()).isEqualTo("stop");
    assertThat(r.getSummary().getModel()).isEqualTo("sim/echo");
  }

  @Test
  void aListenerGetsDeltasTheSummaryAndCompletion() throws Exception {
    StringBuilder text = new StringBuilder();
    CompletableFuture<ChatSummary> summary = new CompletableFuture<>();
    CountDownLatch completed = new CountDownLatch(1);
    client.streamChat(chat("sim/echo", "listen to this"), new ChatListener() {
      @Override
      public void onDelta(ChatDelta delta) {
        text.append(delta.getContent());
      }

      @Override
      public void onSummary(ChatSummary s) {
        summary.complete(s);
      }

      @Override
      public void onCompleted() {
        completed.countDown();
      }

      @Override
      public void onError(GatewayException error) {
        summary.completeExceptionally(error);
      }
    });
    assertThat(completed.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(summary.get().getFinishReason()).isEqualTo("stop");
    assertThat(text).hasToString("listen to this");
  }

  @Test
  void aFailureMidStreamComesAfterTheDeliveredDeltasWithItsReason() {
    List<String> deltas = new ArrayList<>();
    GatewayException e;
    try (ChatStream stream = client.streamChat(chat("sim/error-midstream", "x"))) {
      e = catchThrowableOfType(GatewayException.class, () -> stream.forEachRemaining(m -> deltas.add(m.getDelta().getContent())));
      // The failure sticks: asking again throws the same exception.
      assertThatThrownBy(stream::hasNext).isSameAs(e);
    }
    assertThat(deltas).hasSize(3);
    assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.reason()).isEqualTo("PROVIDER_UNAVAILABLE");
    assertThat(e.domain()).isEqualTo("openrouter.ai");
  }

  @Test
  void aFailureMidStreamNamesItsGenerationAndNoCostWhenNoUsageArrived() {
    GatewayException e;
    try (ChatStream stream = client.streamChat(chat("sim/error-midstream", "x"))) {
      e = catchThrowableOfType(GatewayException.class, () -> stream.forEachRemaining(m -> { }));
    }
    assertThat(e.generationId()).hasValueSatisfying(id -> assertThat(id).startsWith("gen-"));
    assertThat(e.costUsd()).isEmpty();
    assertThat(e.promptTokens()).isEmpty();
    assertThat(e.completionTokens()).isEmpty();
  }

  @Test
  void theCostOfAFailedCallDecodesFromItsErrorInfo() {
    com.google.rpc.Status details = com.google.rpc.Status.newBuilder()
        .setCode(Status.Code.DEADLINE_EXCEEDED.value()).setMessage("deadline")
        .addDetails(com.google.protobuf.Any.pack(com.google.rpc.ErrorInfo.newBuilder()
            .setReason("DEADLINE_EXCEEDED").setDomain("openrouter-grpc-gateway")
            .putMetadata("generationId", "gen-1").putMetadata("promptTokens", "12")
            .putMetadata("completionTokens", "34").putMetadata("costUsd", "0.000123").build()))
        .build();
    GatewayException e = GatewayException.from(io.grpc.protobuf.StatusProto.toStatusRuntimeException(details));
    assertThat(e.generationId()).hasValue("gen-1");
    assertThat(e.promptTokens()).hasValue(12);
    assertThat(e.completionTokens()).hasValue(34);
    assertThat(e.costUsd()).hasValue(new java.math.BigDecimal("0.000123"));
  }

  @Test
  void a429DecodesToResourceExhaustedWithTheRetryDelay() {
    GatewayException e = catchThrowableOfType(GatewayException.class, () -> client.chat(chat("sim/error-429", "x")));
    assertThat(e.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(e.reason()).isEqualTo("RATE_LIMIT_EXCEEDED");
    assertThat(e.domain()).isEqualTo("openrouter.ai");
    assertThat(e.retryDelay()).contains(Duration.ofSeconds(2));
    assertThat(e.metadata()).containsEntry("httpStatus", "429");
    assertThat(e.getMessage()).startsWith("RESOURCE_EXHAUSTED (RATE_LIMIT_EXCEEDED): ");
  }

  @Test
  void anInvalidRequestCarriesItsFieldViolations() {
    GatewayException e = catchThrowableOfType(GatewayException.class,
        () -> client.chat(ChatRequest.newBuilder().setModel("sim/echo").build()));
    assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.reason()).isEqualTo("INVALID_REQUEST");
    assertThat(e.domain()).isEqualTo("openrouter-grpc-gateway");
    assertThat(e.detail(BadRequest.class)).hasValueSatisfying(b ->
        assertThat(b.getFieldViolationsList()).anySatisfy(v -> assertThat(v.getField()).isEqualTo("messages")));
    assertThat(e.retryDelay()).isEmpty();
  }

  @Test
  void closingAStreamEarlyCancelsItAndTheUpstreamRequest() throws Exception {
    String marker = UUID.randomUUID().toString();
    // 3 s between chunks: the stream is still running when it is closed, however long the
    // machine takes from the first delta to the close (at 200 ms it could finish first).
    ChatStream stream = client.streamChat(slow(marker + " a b c d e f g h i j k l"));
    assertThat(stream.next().getDelta().getContent()).startsWith(marker);
    RecordedRequest upstream = gateway.upstreamRequestWith(marker);
    stream.close();
    upstream.closedAtNanos().get(30, TimeUnit.SECONDS);
    assertThat(upstream.clientDisconnected()).isTrue();
    GatewayException e = catchThrowableOfType(GatewayException.class, stream::hasNext);
    assertThat(e.code()).isEqualTo(Status.Code.CANCELLED);
  }

  @Test
  void cancellingAListenerCallEndsItCancelled() throws Exception {
    CountDownLatch firstDelta = new CountDownLatch(1);
    CompletableFuture<GatewayException> error = new CompletableFuture<>();
    // Still running when cancelled, however slow the machine (see slow()).
    ChatCall call = client.streamChat(slow("a b c d e f g h i j k l"), new ChatListener() {
      @Override
      public void onDelta(ChatDelta delta) {
        firstDelta.countDown();
      }

      @Override
      public void onError(GatewayException e) {
        error.complete(e);
      }

      @Override
      public void onCompleted() {
        error.completeExceptionally(new AssertionError("completed despite the cancel"));
      }
    });
    assertThat(firstDelta.await(30, TimeUnit.SECONDS)).isTrue();
    call.cancel();
    assertThat(error.get(30, TimeUnit.SECONDS).code()).isEqualTo(Status.Code.CANCELLED);
  }

  @Test
  void theChatTimeoutIsTheCallDeadline() {
    // sim/stall never ends by itself: only the chat timeout can end this stream.
    GatewayException e = catchThrowableOfType(GatewayException.class, () -> {
      try (ChatStream s = client.withChatTimeout(Duration.ofMillis(500)).streamChat(chat("sim/stall", "hang"))) {
        s.forEachRemaining(m -> { });
      }
    });
    assertThat(e.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
  }

  @Test
  void healthReportsServingFromTheSimulator() {
    CheckResponse health = client.health();
    assertThat(health.getStatus()).isEqualTo(OverallStatus.OVERALL_STATUS_SERVING);
    assertThat(health.getMode()).isEqualTo(UpstreamMode.UPSTREAM_MODE_SIMULATOR);
    assertThat(client.servingStatus("")).isEqualTo(ServingStatus.SERVING);
    assertThat(client.servingStatus("openrouter.gateway.v1.ChatService")).isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void anUnknownHealthServiceIsNotFound() {
    GatewayException e = catchThrowableOfType(GatewayException.class, () -> client.servingStatus("no.such.Service"));
    assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(e.reason()).isEmpty();
  }

  @Test
  void reflectionListsTheGatewayServices() {
    assertThat(client.listServices()).contains(
        "openrouter.gateway.v1.ChatService",
        "openrouter.gateway.v1.ModelsService",
        "openrouter.gateway.v1.CreditsService",
        "openrouter.gateway.v1.HealthService",
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection");
  }

  @Test
  void aClientOnAChannelItDoesNotOwnLeavesItOpen() {
    var channel = io.grpc.Grpc.newChannelBuilder(gateway.target(), io.grpc.InsecureChannelCredentials.create()).build();
    try {
      GatewayClient borrowed = GatewayClient.forChannel(channel);
      assertThat(borrowed.chat(chat("sim/echo", "borrowed")).getMessage().getContent()).isEqualTo("borrowed");
      borrowed.close();
      assertThat(channel.isShutdown()).isFalse();
      assertThat(borrowed.health().getStatus()).isEqualTo(OverallStatus.OVERALL_STATUS_SERVING);
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void aGatewayThatIsDownIsUnavailableWithoutErrorInfo() {
    try (GatewayClient down = GatewayClient.newBuilder("127.0.0.1:1").withoutRetries()
        .readTimeout(Duration.ofSeconds(5)).build()) {
      GatewayException e = catchThrowableOfType(GatewayException.class, down::health);
      assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(e.reason()).isEmpty();
      assertThat(e.metadata()).isEmpty();
      assertThat(e.retryDelay()).isEmpty();
    }
  }

  @Test
  void getSpendReportsWhatTheCallerSpentAgainstItsBudget() throws Exception {
    try (TestGateway budgeted = TestGateway.start("GATEWAY_BUDGET", "2.5/7d");
        GatewayClient c = GatewayClient.connect(budgeted.target())) {
      GetSpendResponse before = c.getSpend();
      assertThat(before.getCaller()).isEqualTo("anonymous");
      assertThat(before.getHasBudget()).isTrue();
      assertThat(before.getBudget()).isEqualTo("2.5");
      assertThat(before.getSpent()).isEqualTo("0");
      assertThat(before.getWindowDays()).isEqualTo(7);
      assertThat(Timestamps.toSeconds(before.getWindowEnd()) - Timestamps.toSeconds(before.getWindowStart()))
          .isEqualTo(7 * 86_400L);

      String cost = c.chat(chat("sim/echo", "what does this cost")).getSummary().getUsage().getCost();
      assertThat(new BigDecimal(cost)).isPositive();
      GetSpendResponse after = c.getSpend();
      assertThat(new BigDecimal(after.getSpent())).isEqualByComparingTo(cost);
      assertThat(new BigDecimal(after.getRemaining())).isEqualByComparingTo(new BigDecimal("2.5").subtract(new BigDecimal(cost)));
    }
  }
}
