package openrouter.gateway.server.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import openrouter.gateway.server.errors.GatewayFailure;
import openrouter.gateway.server.errors.GatewayFailure.Kind;
import openrouter.gateway.server.errors.StatusMapper;

/**
 * GATEWAY_MAX_INBOUND_METADATA_BYTES: a call whose request metadata is larger fails alone with
 * RESOURCE_EXHAUSTED ({@code METADATA_TOO_LARGE}) naming the limit, and other calls on the same
 * HTTP/2 connection carry on.
 *
 * <p>The check is here, not in the transport, because the transport's answers are worse for a
 * client: over Netty's header-list limit the stream gets an HTTP 431 without grpc-status (the
 * client sees UNKNOWN), and over 1.25 times that limit the whole connection is torn down with
 * every stream on it. grpc-java's "soft" metadata limit refuses only a random share of the calls
 * between its soft and hard limits. So the transport is given a much higher ceiling ({@link
 * #transportCeiling}) that only a hostile peer reaches, and the configured limit is applied here,
 * the same way for every call. Sizes are counted as HTTP/2 counts a header list: name plus value
 * plus 32 bytes per entry (binary values as the base64 sent on the wire).
 */
public final class MetadataLimitInterceptor implements ServerInterceptor {
  /** The least ceiling given to the transport, whatever the configured limit. */
  static final int MIN_TRANSPORT_CEILING = 256 * 1024;

  private final int maxBytes;
  private final StatusMapper statusMapper;

  public MetadataLimitInterceptor(int maxBytes, StatusMapper statusMapper) {
    this.maxBytes = maxBytes;
    this.statusMapper = statusMapper;
  }

  /**
   * The header-list size the transport accepts before it answers 431 or tears the connection
   * down: four times the limit, at least {@value #MIN_TRANSPORT_CEILING} bytes. It bounds what
   * one connection buffers for a header block.
   */
  public static int transportCeiling(int maxBytes) {
    long ceiling = Math.max(MIN_TRANSPORT_CEILING, 4L * maxBytes);
    return (int) Math.min(ceiling, Integer.MAX_VALUE / 2); // Netty adds a quarter for its GOAWAY limit
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    long size = size(headers);
    if (size <= maxBytes) {
      return next.startCall(call, headers);
    }
    StatusRuntimeException e = statusMapper.toException(GatewayFailure.withReason(Kind.OVERLOADED, "METADATA_TOO_LARGE",
        "the request metadata (headers) is " + size + " bytes, over this gateway's limit of " + maxBytes
            + " bytes (GATEWAY_MAX_INBOUND_METADATA_BYTES); send fewer or smaller headers, or ask the operator to"
            + " raise the limit"));
    call.close(e.getStatus(), e.getTrailers() == null ? new Metadata() : e.getTrailers());
    return new ServerCall.Listener<>() {};
  }

  /** The header-list size of {@code headers} as HTTP/2 counts it (RFC 9113 §6.5.2). */
  static long size(Metadata headers) {
    long size = 0;
    for (String name : headers.keys()) {
      if (name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        for (byte[] value : headers.getAll(Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER))) {
          size += name.length() + (value.length * 4L + 2) / 3 + 32;
        }
      } else {
        for (String value : headers.getAll(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER))) {
          size += name.length() + value.length() + 32;
        }
      }
    }
    return size;
  }
}
