package openrouter.gateway.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import openrouter.gateway.simulator.testing.Eventually;
import openrouter.gateway.server.upstream.CallControl;
import openrouter.gateway.v1.ChatDelta;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.ChatServiceGrpc;
import openrouter.gateway.v1.StreamChatResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sink between the upstream reader and a streaming call, on a real gRPC call over the
 * in-process transport, whose server side is ready exactly while the client has asked for more
 * messages than it received: the client's {@code request(n)} is the test's flow-control knob.
 * The handler wires the sink the way ChatGrpcService does (onReady and cancel wake it).
 */
class ReadySinkTest {
  /** What the handler of one call hands to the test. */
  private record Opened(ServerCallStreamObserver<StreamChatResponse> call, CallControl control, ReadySink sink) {}

  private final BlockingQueue<Opened> opened = new LinkedBlockingQueue<>();
  private volatile CallControl nextControl;
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name)
        .addService(new ChatServiceGrpc.ChatServiceImplBase() {
          @Override
          public void streamChat(ChatRequest request, StreamObserver<StreamChatResponse> observer) {
            var call = (ServerCallStreamObserver<StreamChatResponse>) observer;
            CallControl control = nextControl;
            ReadySink sink = new ReadySink(call, control);
            call.setOnReadyHandler(sink::signal);
            call.setOnCancelHandler(() -> {
              control.cancel();
              sink.signal();
            });
            opened.add(new Opened(call, control, sink));
          }
        })
        .build()
        .start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
  }

  @Test
  void deltasGoOutWhileTheCallerAsksForThem() throws Exception {
    Client client = open(new CallControl(Duration.ofMinutes(1), false), 2);
    Opened call = next();

    call.sink().send(delta("Hel"));
    call.sink().send(delta("lo"));
    call.call().onCompleted();

    assertThat(client.done.get(30, TimeUnit.SECONDS)).isNull();
    assertThat(client.contents()).containsExactly("Hel", "lo");
  }

  @Test
  void aSendWaitsUntilTheCallerAsksForMore() throws Exception {
    Client client = open(new CallControl(Duration.ofMinutes(1), false), 1);
    Opened call = next();
    call.sink().send(delta("first")); // uses the one message the client asked for
    Eventually.await("the client has the first delta", () -> client.received.size() == 1);

    AtomicReference<Throwable> failed = new AtomicReference<>();
    Thread reader = new Thread(() -> {
      try {
        call.sink().send(delta("second"));
      } catch (Throwable t) {
        failed.set(t);
      }
    }, "upstream-reader");
    reader.start();
    Eventually.await("the reader waits in send for the slow client",
        () -> reader.getState() == Thread.State.TIMED_WAITING);
    assertThat(reader.isAlive()).isTrue();
    assertThat(client.contents()).containsExactly("first");

    client.requests.get().request(1);
    reader.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(reader.isAlive()).isFalse();
    assertThat(failed.get()).isNull();
    call.call().onCompleted();
    assertThat(client.done.get(30, TimeUnit.SECONDS)).isNull();
    assertThat(client.contents()).containsExactly("first", "second");
  }

  @Test
  void aCancelWhileWaitingEndsTheSendAsCallerCancelled() throws Exception {
    CallControl control = new CallControl(Duration.ofMinutes(1), false);
    Client client = open(control, 0);
    Opened call = next();

    AtomicReference<Throwable> failed = new AtomicReference<>();
    Thread reader = new Thread(() -> {
      try {
        call.sink().send(delta("never read"));
      } catch (Throwable t) {
        failed.set(t);
      }
    }, "upstream-reader");
    reader.start();
    Eventually.await("the reader waits in send", () -> reader.getState() == Thread.State.TIMED_WAITING);

    client.requests.get().cancel("the user closed the tab", null);
    reader.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(reader.isAlive()).isFalse();
    assertThat(failed.get()).isInstanceOfSatisfying(GatewayFailure.class,
        f -> assertThat(f.kind()).isEqualTo(Kind.CALLER_CANCELLED));
    assertThat(control.cancelled()).isTrue();
    assertThat(Status.fromThrowable(client.done.get(30, TimeUnit.SECONDS)).getCode()).isEqualTo(Status.Code.CANCELLED);
    assertThat(client.contents()).isEmpty();
  }

  @Test
  void aDeadlinePassedWhileTheCallerIsNotReadingSaysWhoseDeadlineItWas() throws Exception {
    open(new CallControl(Duration.ZERO, true), 0);
    GatewayFailure callers = catchThrowableOfType(GatewayFailure.class, () -> next().sink().send(delta("late")));
    assertThat(callers.kind()).isEqualTo(Kind.CALLER_DEADLINE);

    open(new CallControl(Duration.ZERO, false), 0);
    GatewayFailure gateways = catchThrowableOfType(GatewayFailure.class, () -> next().sink().send(delta("late")));
    assertThat(gateways.kind()).isEqualTo(Kind.UPSTREAM_TIMEOUT);
  }

  @Test
  void aCancelledCallSendsNothingEvenToAReadyCaller() throws Exception {
    CallControl control = new CallControl(Duration.ofMinutes(1), false);
    Client client = open(control, 5);
    Opened call = next();
    control.cancel();

    GatewayFailure f = catchThrowableOfType(GatewayFailure.class, () -> call.sink().send(delta("too late")));
    assertThat(f.kind()).isEqualTo(Kind.CALLER_CANCELLED);
    call.call().onCompleted();
    assertThat(client.done.get(30, TimeUnit.SECONDS)).isNull();
    assertThat(client.contents()).isEmpty();
  }

  private Opened next() throws InterruptedException {
    Opened call = opened.poll(Eventually.DEADLINE.toSeconds(), TimeUnit.SECONDS);
    assertThat(call).as("the server handler ran").isNotNull();
    return call;
  }

  private static ChatDelta delta(String content) {
    return ChatDelta.newBuilder().setContent(content).build();
  }

  /** Starts a StreamChat whose client asks for {@code initial} messages, then only when told to. */
  private Client open(CallControl control, int initial) {
    nextControl = control;
    Client client = new Client(initial);
    ChatServiceGrpc.newStub(channel).streamChat(ChatRequest.newBuilder().setModel("any/model").build(), client);
    return client;
  }

  /** A client with manual flow control that records what it received and how the call ended. */
  private static final class Client implements ClientResponseObserver<ChatRequest, StreamChatResponse> {
    final int initial;
    final CompletableFuture<ClientCallStreamObserver<ChatRequest>> requests = new CompletableFuture<>();
    final List<StreamChatResponse> received = new CopyOnWriteArrayList<>();
    /** Completes with null when the call ends OK, with the error otherwise. */
    final CompletableFuture<Throwable> done = new CompletableFuture<>();

    Client(int initial) {
      this.initial = initial;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ChatRequest> stream) {
      stream.disableAutoRequestWithInitial(initial);
      requests.complete(stream);
    }

    @Override
    public void onNext(StreamChatResponse value) {
      received.add(value);
    }

    @Override
    public void onError(Throwable t) {
      done.complete(t);
    }

    @Override
    public void onCompleted() {
      done.complete(null);
    }

    List<String> contents() {
      return received.stream().map(r -> r.getDelta().getContent()).toList();
    }
  }
}
