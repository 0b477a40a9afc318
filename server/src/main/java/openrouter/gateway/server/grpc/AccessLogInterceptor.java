package openrouter.gateway.server.grpc;

import static net.logstash.logback.argument.StructuredArguments.keyValue;

import com.google.rpc.ErrorInfo;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.StatusProto;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import openrouter.gateway.server.chat.ChatStats;
import openrouter.gateway.server.errors.Redactor;
import openrouter.gateway.v1.Usage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Gives each call a request id and writes one access line when it ends.
 *
 * <p>The id is the caller's {@code x-request-id} when it is a sane token (1 to 128 characters of
 * {@code [A-Za-z0-9._:/+=@-]}, and not key-like), otherwise a new UUID. It is echoed in the
 * response headers (or in the trailers of a trailers-only response) and set as the {@code
 * request_id} MDC entry on the handler thread.
 *
 * <p>The access line (logger {@value #LOGGER}) carries method, model, provider, code, reason
 * (the ErrorInfo reason), duration, time to first chunk, tokens, cost, attempts and request id
 * as key=value pairs (top-level fields in JSON). Standard health checks, which probes send every
 * few seconds, are logged at DEBUG; everything else at INFO. {@code GATEWAY_ACCESS_LOG} keeps
 * only the lines of calls that did not end OK, or none: building and writing the line costs
 * about a third of a cached ListModels call (docs/BENCHMARKS.md).
 */
public final class AccessLogInterceptor implements ServerInterceptor {
  /** Which calls get an access line. */
  public enum Lines {
    ALL,
    ERRORS,
    OFF;

    public static Lines parse(String setting) {
      return valueOf(setting.toUpperCase(java.util.Locale.ROOT));
    }
  }

  public static final String LOGGER = "openrouter.gateway.access";
  public static final Metadata.Key<String> REQUEST_ID =
      Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
  private static final Logger log = LoggerFactory.getLogger(LOGGER);
  private static final long DEADLINE_SLACK_MS = 100;
  private static final Pattern SANE_ID = Pattern.compile("[A-Za-z0-9._:/+=@-]{1,128}");

  private final Lines lines;

  public AccessLogInterceptor(Lines lines) {
    this.lines = lines;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String requestId = requestId(headers.get(REQUEST_ID));
    CallRecord record = new CallRecord(requestId);
    String method = call.getMethodDescriptor().getFullMethodName();
    Level level = method.startsWith(HealthGrpc.SERVICE_NAME + "/") ? Level.DEBUG : Level.INFO;
    Context context = Context.current().withValue(CallRecord.KEY, record);
    // The call's span when tracing is on: its ids go on the access line like on every other line.
    io.opentelemetry.api.trace.Span span = io.opentelemetry.api.trace.Span.current();
    Deadline deadline = context.getDeadline();
    AtomicBoolean logged = new AtomicBoolean();

    ServerCall<ReqT, RespT> echoing = new SimpleForwardingServerCall<>(call) {
      private volatile boolean headersSent;

      @Override
      public void sendHeaders(Metadata responseHeaders) {
        responseHeaders.put(REQUEST_ID, requestId);
        headersSent = true;
        super.sendHeaders(responseHeaders);
      }

      @Override
      public void close(Status status, Metadata trailers) {
        if (!headersSent) {
          trailers.put(REQUEST_ID, requestId); // a trailers-only response: these are its headers
        }
        if (logged.compareAndSet(false, true)) {
          write(level, method, record, status.getCode().name(), reason(status, trailers), span);
        }
        super.close(status, trailers);
      }
    };
    ServerCall.Listener<ReqT> listener = Contexts.interceptCall(context, echoing, headers, next);
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      @SuppressWarnings("try") // the MDC entry lives exactly as long as the try block
      public void onHalfClose() {
        try (var mdc = org.slf4j.MDC.putCloseable("request_id", requestId)) {
          super.onHalfClose();
        }
      }

      @Override
      public void onCancel() {
        // The caller went away or the deadline passed: no close() will come, log here.
        if (logged.compareAndSet(false, true)) {
          // A client whose deadline passes cancels its side a moment before the server's timer
          // fires: a cancel within DEADLINE_SLACK_MS of the deadline is the deadline.
          boolean deadlinePassed = context.cancellationCause() instanceof TimeoutException
              || (deadline != null && deadline.timeRemaining(TimeUnit.MILLISECONDS) <= DEADLINE_SLACK_MS);
          write(level, method, record, deadlinePassed ? "DEADLINE_EXCEEDED" : "CANCELLED", "", span);
        }
        super.onCancel();
      }
    };
  }

  static String requestId(String fromCaller) {
    if (fromCaller != null && SANE_ID.matcher(fromCaller).matches() && !Redactor.containsSecret(fromCaller)) {
      return fromCaller;
    }
    return randomUuid().toString();
  }

  /**
   * A random (version 4) UUID, like {@link UUID#randomUUID()} but from {@link
   * ThreadLocalRandom}: a request id only has to be unique, not unguessable (callers may choose
   * their own), and SecureRandom behind one lock showed up on the event loops of a busy gateway.
   */
  static UUID randomUuid() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
    long low = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48); // IETF variant
    return new UUID(high, low);
  }

  /** The ErrorInfo reason of a failed call's status ("" when none). */
  public static String reason(Status status, Metadata trailers) {
    if (status.isOk()) {
      return "";
    }
    com.google.rpc.Status details = StatusProto.fromStatusAndTrailers(status, trailers);
    if (details != null) {
      for (var any : details.getDetailsList()) {
        if (any.is(ErrorInfo.class)) {
          try {
            return any.unpack(ErrorInfo.class).getReason();
          } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return "";
          }
        }
      }
    }
    return "";
  }

  @SuppressWarnings("try") // the MDC entries live exactly as long as the try block
  private void write(Level level, String method, CallRecord record, String code, String reason,
      io.opentelemetry.api.trace.Span span) {
    if (lines == Lines.OFF || (lines == Lines.ERRORS && code.equals("OK")) || !log.isEnabledForLevel(level)) {
      return;
    }
    try (var ids = openrouter.gateway.server.tracing.TracingServerInterceptor.Ids.put(span)) {
      write(level, method, record, code, reason);
    }
  }

  private void write(Level level, String method, CallRecord record, String code, String reason) {
    ChatStats chat = record.chat();
    long durationMs = (System.nanoTime() - chat.startNanos()) / 1_000_000;
    long ttft = chat.timeToFirstChunkNanos();
    Usage usage = chat.usage();
    log.atLevel(level).log("{} {} {} {} {} {} {} {} {} {} {} {} {}",
        keyValue("method", method),
        keyValue("code", code),
        keyValue("reason", reason),
        keyValue("duration_ms", durationMs),
        keyValue("model", Redactor.redact(chat.model())),
        keyValue("provider", Redactor.redact(chat.provider())),
        keyValue("ttft_ms", ttft < 0 ? null : ttft / 1_000_000),
        keyValue("prompt_tokens", usage == null ? null : usage.getPromptTokens()),
        keyValue("completion_tokens", usage == null ? null : usage.getCompletionTokens()),
        keyValue("cost_usd", usage == null || usage.getCost().isEmpty() ? null : usage.getCost()),
        keyValue("attempts", chat.attempts()),
        keyValue("generation_id", chat.generationId().isEmpty() ? null : Redactor.redact(chat.generationId())),
        keyValue("request_id", record.requestId()));
  }
}
