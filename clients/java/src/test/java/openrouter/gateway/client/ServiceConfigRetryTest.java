package openrouter.gateway.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.ChatResponse;
import openrouter.gateway.v1.ChatServiceGrpc;
import openrouter.gateway.v1.CheckRequest;
import openrouter.gateway.v1.CheckResponse;
import openrouter.gateway.v1.GetCreditsRequest;
import openrouter.gateway.v1.GetCreditsResponse;
import openrouter.gateway.v1.CreditsServiceGrpc;
import openrouter.gateway.v1.HealthServiceGrpc;
import openrouter.gateway.v1.OverallStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The published retry policy, against a scripted server that fails the first calls it gets:
 * reads are retried on UNAVAILABLE only; chat never, since a chat that reached the gateway may
 * already have been billed.
 */
class ServiceConfigRetryTest {
  private final AtomicInteger healthCalls = new AtomicInteger();
  private final AtomicInteger creditsCalls = new AtomicInteger();
  private final AtomicInteger chatCalls = new AtomicInteger();
  private final ConcurrentLinkedQueue<String> authorizations = new ConcurrentLinkedQueue<>();
  private volatile int failFirst;
  private volatile Status failWith = Status.UNAVAILABLE;
  private Server server;

  @BeforeEach
  void start() throws Exception {
    var health = new HealthServiceGrpc.HealthServiceImplBase() {
      @Override
      public void check(CheckRequest request, StreamObserver<CheckResponse> observer) {
        if (healthCalls.incrementAndGet() <= failFirst) {
          observer.onError(failWith.withDescription("scripted failure").asRuntimeException());
          return;
        }
        observer.onNext(CheckResponse.newBuilder().setStatus(OverallStatus.OVERALL_STATUS_SERVING).build());
        observer.onCompleted();
      }
    };
    var credits = new CreditsServiceGrpc.CreditsServiceImplBase() {
      @Override
      public void getCredits(GetCreditsRequest request, StreamObserver<GetCreditsResponse> observer) {
        if (creditsCalls.incrementAndGet() <= failFirst) {
          observer.onError(failWith.withDescription("scripted failure").asRuntimeException());
          return;
        }
        observer.onNext(GetCreditsResponse.newBuilder().setRemaining("12.5").build());
        observer.onCompleted();
      }
    };
    var chat = new ChatServiceGrpc.ChatServiceImplBase() {
      @Override
      public void chat(ChatRequest request, StreamObserver<ChatResponse> observer) {
        chatCalls.incrementAndGet();
        observer.onError(Status.UNAVAILABLE.withDescription("scripted failure").asRuntimeException());
      }
    };
    io.grpc.ServerInterceptor recordAuthorization = new io.grpc.ServerInterceptor() {
      @Override
      public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(
          io.grpc.ServerCall<Q, R> call, Metadata headers, io.grpc.ServerCallHandler<Q, R> next) {
        String value = headers.get(BearerTokenInterceptor.AUTHORIZATION);
        authorizations.add(value == null ? "<none>" : value);
        return next.startCall(call, headers);
      }
    };
    server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
        .addService(ServerInterceptors.intercept(health, recordAuthorization))
        .addService(credits)
        .addService(chat)
        .build().start();
  }

  @AfterEach
  void stop() throws Exception {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private GatewayClient client() {
    // Bound to 127.0.0.1 by the target: the server listens on the wildcard port 0.
    return GatewayClient.connect("127.0.0.1:" + server.getPort());
  }

  @Test
  void theServiceConfigParsesIntoTheFormGrpcTakes() {
    Map<String, ?> config = ServiceConfig.asMap();
    @SuppressWarnings("unchecked")
    var methodConfig = (List<Map<String, ?>>) config.get("methodConfig");
    @SuppressWarnings("unchecked")
    var policy = (Map<String, ?>) methodConfig.get(0).get("retryPolicy");
    assertThat(policy.get("retryableStatusCodes")).isEqualTo(List.of("UNAVAILABLE"));
    assertThat(policy.get("maxAttempts")).isEqualTo(4.0);
    assertThat(ServiceConfig.json()).doesNotContain("StreamChat").doesNotContain("\"Chat\"");
  }

  @Test
  void readsAreRetriedOnUnavailable() {
    failFirst = 2;
    try (GatewayClient client = client()) {
      assertThat(client.health().getStatus()).isEqualTo(OverallStatus.OVERALL_STATUS_SERVING);
      assertThat(client.getCredits(false).getRemaining()).isEqualTo("12.5");
    }
    assertThat(healthCalls).hasValue(3);
    assertThat(creditsCalls).hasValue(3);
  }

  @Test
  void readsGiveUpAfterFourAttempts() {
    failFirst = 100;
    try (GatewayClient client = client()) {
      GatewayException e = catchThrowableOfType(GatewayException.class, client::health);
      assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
    }
    assertThat(healthCalls).hasValue(4);
  }

  @Test
  void otherCodesAreNotRetried() {
    failFirst = 1;
    failWith = Status.INTERNAL;
    try (GatewayClient client = client()) {
      assertThat(catchThrowableOfType(GatewayException.class, client::health).code()).isEqualTo(Status.Code.INTERNAL);
    }
    assertThat(healthCalls).hasValue(1);
  }

  @Test
  void chatIsNeverRetried() {
    try (GatewayClient client = client()) {
      GatewayException e = catchThrowableOfType(GatewayException.class,
          () -> client.chat(ChatRequest.getDefaultInstance()));
      assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
    }
    assertThat(chatCalls).hasValue(1);
  }

  @Test
  void withoutRetriesAReadIsTriedOnce() {
    failFirst = 1;
    try (GatewayClient client = GatewayClient.newBuilder("127.0.0.1:" + server.getPort()).withoutRetries().build()) {
      assertThat(catchThrowableOfType(GatewayException.class, client::health).code()).isEqualTo(Status.Code.UNAVAILABLE);
    }
    assertThat(healthCalls).hasValue(1);
  }

  @Test
  void theApiKeyTravelsAsABearerToken() {
    try (GatewayClient client = GatewayClient.newBuilder("127.0.0.1:" + server.getPort()).apiKey("sk-or-v1-caller").build()) {
      client.health();
      client.withApiKey("sk-or-v1-other").health();
    }
    try (GatewayClient anonymous = client()) {
      anonymous.health();
    }
    assertThat(authorizations).containsExactly("Bearer sk-or-v1-caller", "Bearer sk-or-v1-other", "<none>");
  }
}
