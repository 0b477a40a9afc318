package openrouter.gateway.server.grpc;

import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import openrouter.gateway.server.chat.CallCosts;
import openrouter.gateway.server.chat.ChatRequestValidator;
import openrouter.gateway.server.chat.ChatRunner;
import openrouter.gateway.server.chat.GenerationLookup;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import openrouter.gateway.server.errors.StatusMapper;
import openrouter.gateway.server.security.CallContext;
import openrouter.gateway.server.security.Caller;
import openrouter.gateway.server.security.ChatAdmission;
import openrouter.gateway.server.tracing.TracingServerInterceptor;
import openrouter.gateway.server.upstream.CallControl;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.ChatResponse;
import openrouter.gateway.v1.ChatServiceGrpc;
import openrouter.gateway.v1.ChatSummary;
import openrouter.gateway.v1.Generation;
import openrouter.gateway.v1.GetGenerationRequest;
import openrouter.gateway.v1.GetGenerationResponse;
import openrouter.gateway.v1.StreamChatResponse;
import org.slf4j.MDC;

/**
 * The gRPC edge of chat: validation, the concurrency bounds, deadline and cancellation wiring,
 * flow control. Each call runs on its own worker (a virtual thread where the JVM has them)
 * because OkHttp's response bodies are read with blocking I/O.
 */
public final class ChatGrpcService extends ChatServiceGrpc.ChatServiceImplBase {
  private final ChatRequestValidator validator;
  private final ChatRunner runner;
  private final GenerationLookup generations;
  private final CallCosts costs;
  private final StatusMapper statusMapper;
  private final Executor workers;
  private final ChatAdmission admission;
  private final Duration defaultTimeout;
  private final Set<InFlight> runningCalls = ConcurrentHashMap.newKeySet();

  public ChatGrpcService(
      ChatRequestValidator validator,
      ChatRunner runner,
      GenerationLookup generations,
      CallCosts costs,
      StatusMapper statusMapper,
      Executor workers,
      ChatAdmission admission,
      Duration defaultTimeout) {
    this.validator = validator;
    this.runner = runner;
    this.generations = generations;
    this.costs = costs;
    this.statusMapper = statusMapper;
    this.workers = workers;
    this.admission = admission;
    this.defaultTimeout = defaultTimeout;
  }

  @Override
  public void streamChat(ChatRequest request, StreamObserver<StreamChatResponse> observer) {
    var call = (ServerCallStreamObserver<StreamChatResponse>) observer;
    CallControl control = controlForCurrentCall(defaultTimeout);
    CallRecord record = CallRecord.current();
    ReadySink sink = new ReadySink(call, control);
    call.setOnReadyHandler(sink::signal);
    call.setOnCancelHandler(() -> {
      control.cancel();
      sink.signal();
    });
    Optional<String> callerKey = CallContext.callerOpenRouterKey();
    String callerId = CallContext.caller().id();
    run(call, control, record, validator.validate(request), true, chargeNow -> {
      try {
        ChatSummary summary = runner.stream(request, callerKey, control, sink, record.chat());
        chargeNow.run();
        call.onNext(StreamChatResponse.newBuilder().setSummary(summary).build());
        call.onCompleted();
      } finally {
        costs.settle(callerId, record.requestId(), record.chat(), callerKey);
      }
    });
  }

  @Override
  public void chat(ChatRequest request, StreamObserver<ChatResponse> observer) {
    var call = (ServerCallStreamObserver<ChatResponse>) observer;
    CallControl control = controlForCurrentCall(defaultTimeout);
    CallRecord record = CallRecord.current();
    call.setOnCancelHandler(control::cancel);
    Optional<String> callerKey = CallContext.callerOpenRouterKey();
    String callerId = CallContext.caller().id();
    run(call, control, record, validator.validate(request), true, chargeNow -> {
      try {
        ChatResponse response = runner.complete(request, callerKey, control, record.chat());
        chargeNow.run();
        call.onNext(response);
        call.onCompleted();
      } finally {
        costs.settle(callerId, record.requestId(), record.chat(), callerKey);
      }
    });
  }

  /**
   * The stats of one generation. OpenRouter answers 404 for a moment after a completion; the
   * lookup retries that within the call's deadline ({@link GenerationLookup#DEFAULT_TIMEOUT}
   * without one). It holds a worker while it waits, so it counts against the same bound.
   */
  @Override
  public void getGeneration(GetGenerationRequest request, StreamObserver<GetGenerationResponse> observer) {
    var call = (ServerCallStreamObserver<GetGenerationResponse>) observer;
    CallControl control = controlForCurrentCall(GenerationLookup.DEFAULT_TIMEOUT);
    CallRecord record = CallRecord.current();
    call.setOnCancelHandler(control::cancel);
    String id = request.getId().trim();
    Optional<String> callerKey = CallContext.callerOpenRouterKey();
    run(call, control, record, GenerationLookup.validate(id), false, chargeNow -> {
      Generation generation = generations.find(id, callerKey, control);
      call.onNext(GetGenerationResponse.newBuilder().setGeneration(generation).build());
      call.onCompleted();
    });
  }

  /**
   * Refuses invalid requests, admits the call ({@link ChatAdmission}: rate limit, budget when it
   * {@code spends}, slots) and runs {@code work} on a worker; every failure is a status. A chat
   * call is charged what it cost and gives back its caller's slot when it ends, however it ends,
   * before its caller sees the end (so a caller's next call sees the spend and a free slot):
   * {@code work} runs that end before completing.
   */
  @SuppressWarnings("try") // the MDC entry lives exactly as long as the try block
  private void run(ServerCallStreamObserver<?> call, CallControl control, CallRecord record,
      List<com.google.rpc.BadRequest.FieldViolation> violations, boolean spends, Consumer<Runnable> work) {
    Caller caller = CallContext.caller();
    ChatAdmission.Admitted admitted;
    try {
      if (!violations.isEmpty()) {
        if (spends) {
          admission.countInvalid(caller);
        }
        throw GatewayFailure.invalid(violations);
      }
      admitted = admission.admit(caller, spends);
    } catch (GatewayFailure refused) {
      call.onError(statusMapper.toException(refused));
      return;
    }
    boolean callerKey = CallContext.callerOpenRouterKey().isPresent();
    InFlight running = new InFlight(control);
    runningCalls.add(running);
    // Charges the call's cost and gives back its caller's slot, once, before the caller sees the end.
    Runnable end = () -> admitted.end(spends ? record.chat().usage() : null);
    // The call's span (when tracing is on) stays current on the worker, and names its log lines.
    io.opentelemetry.context.Context trace = io.opentelemetry.context.Context.current();
    try {
      workers.execute(() -> {
        try (admitted) { // closed after the failure below is reported: the end is charged first
          try (var mdc = MDC.putCloseable("request_id", record.requestId());
              var scope = trace.makeCurrent();
              var ids = TracingServerInterceptor.Ids.put(io.opentelemetry.api.trace.Span.fromContext(trace))) {
            if (call.isCancelled()) {
              control.cancel(); // reset while it waited for this worker: the work sends nothing upstream
            }
            work.accept(end);
          } catch (Throwable t) {
            end.run();
            Throwable failure = t instanceof GatewayFailure f ? f.withCallerKey(callerKey) : t;
            if (!call.isCancelled()) {
              call.onError(statusMapper.toException(running.endedByShutdown
                  ? GatewayFailure.of(Kind.SHUTTING_DOWN, "the gateway is shutting down and ended this call at the"
                      + " end of its drain window (GATEWAY_SHUTDOWN_GRACE_MS); retry on another instance")
                  : failure));
            }
          }
        } finally {
          runningCalls.remove(running);
        }
      });
    } catch (RuntimeException rejected) {
      runningCalls.remove(running);
      admitted.close();
      call.onError(statusMapper.toException(rejected));
    }
  }

  /**
   * Ends every chat call still running, with their upstream requests: they fail UNAVAILABLE
   * ({@code GATEWAY_SHUTTING_DOWN}), a status callers retry on another instance. Returns how
   * many there were.
   */
  public int endForShutdown() {
    int n = 0;
    for (InFlight running : runningCalls) {
      running.endedByShutdown = true;
      running.control.cancel();
      n++;
    }
    return n;
  }

  /** A call holding a worker. */
  private static final class InFlight {
    final CallControl control;
    volatile boolean endedByShutdown;

    InFlight(CallControl control) {
      this.control = control;
    }
  }

  /**
   * The call's total time: the caller's deadline, or the given default. The gRPC context is
   * cancelled on client cancel and on deadline; both cancel the upstream request at once.
   */
  private static CallControl controlForCurrentCall(Duration defaultTimeout) {
    Context context = Context.current();
    Deadline deadline = context.getDeadline();
    CallControl control = deadline != null
        ? new CallControl(Duration.ofNanos(Math.max(0, deadline.timeRemaining(TimeUnit.NANOSECONDS))), true)
        : new CallControl(defaultTimeout, false);
    context.addListener(c -> control.cancel(), MoreExecutors.directExecutor());
    return control;
  }
}
