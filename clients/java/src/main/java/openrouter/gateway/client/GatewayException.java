package openrouter.gateway.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Every failed gateway call, decoded once: the gRPC code and message, and the
 * {@code google.rpc.Status} details the gateway sends in the {@code grpc-status-details-bin}
 * trailer (one {@code ErrorInfo}; {@code RetryInfo}, {@code BadRequest}, {@code QuotaFailure},
 * {@code Help}, ... where they apply). A status without details (e.g. from a proxy, or a
 * connection failure) still gives its code; {@link #reason()} is then empty.
 */
public final class GatewayException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Status.Code code;
  private final String description;
  private final transient com.google.rpc.Status details;
  private final transient ErrorInfo errorInfo;
  private final transient Metadata trailers;

  private GatewayException(Status status, Metadata trailers, com.google.rpc.Status details, Throwable cause) {
    super(summary(status, details), cause);
    this.code = status.getCode();
    this.description = status.getDescription() == null ? "" : status.getDescription();
    this.details = details;
    this.errorInfo = details == null ? null : unpack(details, ErrorInfo.class).orElse(null);
    this.trailers = trailers == null ? new Metadata() : trailers;
  }

  /** Decodes a failure of a gRPC call (any throwable; non-gRPC ones become UNKNOWN). */
  public static GatewayException from(Throwable t) {
    if (t instanceof GatewayException g) {
      return g;
    }
    Status status = Status.fromThrowable(t);
    Metadata trailers = Status.trailersFromThrowable(t);
    return new GatewayException(status, trailers, StatusProto.fromStatusAndTrailers(status, trailers), t);
  }

  /** Decodes a status and trailers as a {@code ClientCall.Listener#onClose} receives them. */
  public static GatewayException from(Status status, Metadata trailers) {
    return new GatewayException(status, trailers, StatusProto.fromStatusAndTrailers(status, trailers),
        status.getCause());
  }

  /** The gRPC status code. */
  public Status.Code code() {
    return code;
  }

  /** The status message the gateway wrote (what went wrong and what to change). */
  public String description() {
    return description;
  }

  /** The {@code ErrorInfo} reason in UPPER_SNAKE (e.g. {@code RATE_LIMIT_EXCEEDED}); empty when none. */
  public String reason() {
    return errorInfo == null ? "" : errorInfo.getReason();
  }

  /** {@code openrouter.ai} for errors OpenRouter reported, {@code openrouter-grpc-gateway} for the gateway's own. */
  public String domain() {
    return errorInfo == null ? "" : errorInfo.getDomain();
  }

  /** The {@code ErrorInfo} metadata (lowerCamel keys such as {@code httpStatus}, {@code model}). */
  public Map<String, String> metadata() {
    return errorInfo == null ? Map.of() : errorInfo.getMetadataMap();
  }

  /**
   * The OpenRouter generation id of a chat call that failed after the upstream had started
   * (OpenRouter may bill it; look it up with GetGeneration), when there was one.
   */
  public Optional<String> generationId() {
    return Optional.ofNullable(metadata().get("generationId"));
  }

  /** Input tokens of a failed chat call, when its usage had arrived before it failed. */
  public OptionalInt promptTokens() {
    return integer("promptTokens");
  }

  /** Output tokens of a failed chat call, when its usage had arrived before it failed. */
  public OptionalInt completionTokens() {
    return integer("completionTokens");
  }

  /** What a failed chat call cost in USD, when its usage had arrived before it failed. */
  public Optional<BigDecimal> costUsd() {
    try {
      return Optional.ofNullable(metadata().get("costUsd")).map(BigDecimal::new);
    } catch (NumberFormatException notANumber) {
      return Optional.empty();
    }
  }

  private OptionalInt integer(String key) {
    try {
      String v = metadata().get(key);
      return v == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(v));
    } catch (NumberFormatException notANumber) {
      return OptionalInt.empty();
    }
  }

  /** How long the gateway asks the caller to wait before retrying, when it says so. */
  public Optional<Duration> retryDelay() {
    return detail(RetryInfo.class)
        .filter(RetryInfo::hasRetryDelay)
        .map(r -> Duration.ofSeconds(r.getRetryDelay().getSeconds(), r.getRetryDelay().getNanos()));
  }

  /** The first detail of the given type ({@code BadRequest.class}, {@code QuotaFailure.class}, ...). */
  public <T extends Message> Optional<T> detail(Class<T> type) {
    return details == null ? Optional.empty() : unpack(details, type);
  }

  /**
   * The whole {@code google.rpc.Status}: the one the gateway sent, or one made of the code and
   * message (with no details) when the trailers had none.
   */
  public com.google.rpc.Status status() {
    return details;
  }

  /** The raw trailers, for headers this class does not decode. */
  public Metadata trailers() {
    return trailers;
  }

  private static <T extends Message> Optional<T> unpack(com.google.rpc.Status status, Class<T> type) {
    for (Any any : status.getDetailsList()) {
      if (any.is(type)) {
        try {
          return Optional.of(any.unpack(type));
        } catch (InvalidProtocolBufferException e) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  private static String summary(Status status, com.google.rpc.Status details) {
    StringBuilder s = new StringBuilder(status.getCode().name());
    if (details != null) {
      unpack(details, ErrorInfo.class).ifPresent(info -> s.append(" (").append(info.getReason()).append(')'));
    }
    if (status.getDescription() != null) {
      s.append(": ").append(status.getDescription());
    }
    return s.toString();
  }

  /** For callers that want grpc-java's own types back. */
  public StatusRuntimeException toStatusRuntimeException() {
    return Status.fromCode(code).withDescription(description).asRuntimeException(trailers);
  }
}
