package openrouter.gateway.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One request/response pair on a Netty connection: the {@link RecordedRequest} plus response
 * helpers. Responses are written through the {@link OutputStream} of {@link #start}, either from
 * a worker thread (blocking: it waits while the client does not read) or from the connection's
 * event loop (never blocking: answers that need no waiting, and streams paced by
 * {@link #schedule timers}). A write that finds the client gone, or the client closing while the
 * response is under way, records the disconnect (with its time) on the recorded request.
 */
final class SimulatorExchange {
  /** A chunked body sends what it has buffered once it reaches this size, flush or not. */
  private static final int MAX_BUFFERED_CHUNK = 64 * 1024;
  /** Pseudo-headers and stream ids of an HTTP/2 request, as Netty's conversion names them. */
  private static final String HTTP2_EXTENSION_HEADER = "x-http2-";

  private final SimulatorConnection connection;
  private final Channel channel;
  private final RecordedRequest recorded;
  private final String rawQuery;
  private final boolean keepAlive;
  /** False for a path outside /api/v1, which OpenRouter answers with its website's 404 page. */
  private final boolean underApi;
  private ResponseBody body;
  /** Set once the end of the response is handed to the channel: a close after it is normal. */
  private volatile boolean ended;
  /** The response goes on after its handler returned; whoever continues it calls finish(). */
  private boolean detached;
  /** Chunks are queued without a socket flush until {@link #flushSocket()} (event loop only). */
  private boolean batchFlushes;

  private SimulatorExchange(SimulatorConnection connection, RecordedRequest recorded,
      String rawQuery, boolean keepAlive, boolean underApi) {
    this.connection = connection;
    this.underApi = underApi;
    this.channel = connection.channel();
    this.recorded = recorded;
    this.rawQuery = rawQuery;
    this.keepAlive = keepAlive;
  }

  /**
   * Copies what the simulator needs out of a parsed request (which the caller then releases).
   *
   * @throws IllegalArgumentException if the request target is not a valid URI
   */
  static SimulatorExchange of(SimulatorConnection connection, FullHttpRequest request) {
    URI uri = URI.create(request.uri());
    String fullPath = uri.getPath() == null ? "" : uri.getPath();
    boolean underApi = fullPath.equals(OpenRouterSimulator.API_PREFIX)
        || fullPath.startsWith(OpenRouterSimulator.API_PREFIX + "/");
    // Paths below /api/v1 are named without the prefix; others by their full path.
    String path = underApi ? fullPath.substring(OpenRouterSimulator.API_PREFIX.length()) : fullPath;
    Map<String, String> headers = new LinkedHashMap<>();
    for (Map.Entry<String, String> header : request.headers()) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (name.startsWith(HTTP2_EXTENSION_HEADER)) {
        continue; // added by Netty's HTTP/2-to-HTTP/1 conversion, not sent by the client
      }
      headers.merge(name, header.getValue(), (a, b) -> a + ", " + b);
    }
    String body = request.content().toString(StandardCharsets.UTF_8);
    RecordedRequest recorded = new RecordedRequest(request.method().name(), path,
        uri.getRawQuery(), Map.copyOf(headers), body, System.nanoTime(),
        new CompletableFuture<>(), new CompletableFuture<>(), connection.protocol());
    return new SimulatorExchange(connection, recorded, uri.getRawQuery(),
        HttpUtil.isKeepAlive(request), underApi);
  }

  /** Whether the request's path lies below /api/v1, where OpenRouter's API lives. */
  boolean underApi() {
    return underApi;
  }

  RecordedRequest recorded() {
    return recorded;
  }

  String path() {
    return recorded.path();
  }

  String method() {
    return recorded.method();
  }

  String header(String name) {
    return recorded.header(name);
  }

  /** Query parameter value (first occurrence, URL-decoded), or null. */
  String queryParameter(String name) {
    if (rawQuery == null) {
      return null;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      if (key.equals(name)) {
        return eq < 0 ? "" : decode(pair.substring(eq + 1));
      }
    }
    return null;
  }

  /**
   * Starts the response. {@code length} 0 means a chunked (streamed) body, where every flush
   * sends what was written as one chunk; a positive length means a body of exactly that many
   * bytes, sent with the headers in one write once complete; -1 means no body.
   */
  OutputStream start(int status, long length, String contentType, Map<String, String> headers)
      throws IOException {
    if (body != null) {
      throw new IllegalStateException("response already started");
    }
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(status));
    HttpHeaders responseHeaders = head.headers();
    if (contentType != null) {
      responseHeaders.set(HttpHeaderNames.CONTENT_TYPE, contentType);
    }
    headers.forEach(responseHeaders::set);
    if (!keepAlive) {
      responseHeaders.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    if (length == 0) {
      responseHeaders.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      body = new ChunkedBody(head);
    } else {
      long fixed = Math.max(length, 0);
      if (fixed > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("body too large: " + length);
      }
      responseHeaders.setInt(HttpHeaderNames.CONTENT_LENGTH, (int) fixed);
      body = new FixedBody(head, (int) fixed);
    }
    body.sendHeadIfStreaming();
    return body;
  }

  /** A complete JSON response with a Content-Length. */
  void sendJson(int status, JsonNode json, Map<String, String> headers) throws IOException {
    byte[] bytes = JsonBodies.write(json).getBytes(StandardCharsets.UTF_8);
    OutputStream out = start(status, bytes.length, "application/json", headers);
    out.write(bytes);
    out.flush();
  }

  /** A complete HTML page with a Content-Length (what OpenRouter's website answers). */
  void sendHtml(int status, String html) throws IOException {
    byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
    OutputStream out = start(status, bytes.length, "text/html; charset=utf-8", Map.of());
    out.write(bytes);
    out.flush();
  }

  void sendError(SimulatorError error, Map<String, String> extraHeaders) throws IOException {
    Map<String, String> headers = new LinkedHashMap<>(extraHeaders);
    headers.putAll(error.headers());
    sendJson(error.status(), error.body(), headers);
  }

  /**
   * Ends the response and records how it ended (unless a disconnect was already recorded);
   * then the connection moves on to its next request.
   */
  void finish() {
    try {
      if (body != null) {
        body.end();
      } else {
        // Nothing was answered (a bug was already logged): the client must not wait forever.
        ended = true;
        channel.close();
      }
    } catch (IOException e) {
      // The disconnect is recorded.
    } finally {
      complete(StreamEnd.COMPLETED);
      connection.responseDone(this);
    }
  }

  /**
   * True once the client went away before the response was done. A closed channel counts before
   * channelInactive has run: a stream that finds its channel closed ends at once, and its stats
   * must not say it was finished.
   */
  boolean clientDisconnected() {
    if (!ended && !channel.isActive()) {
      connectionClosed();
    }
    return recorded.clientDisconnected();
  }

  // ---- for responses that go on from the event loop, without a thread ----

  /** Marks the response as continued elsewhere: the handler's return does not finish it. */
  void detach() {
    detached = true;
  }

  boolean detached() {
    return detached;
  }

  /** True while the client is connected. */
  boolean open() {
    return channel.isActive();
  }

  /** Runs {@code task} on this connection's event loop after {@code nanos}. */
  void schedule(Runnable task, long nanos) {
    channel.eventLoop().schedule(task, nanos, TimeUnit.NANOSECONDS);
  }

  /** Runs {@code task} on this connection's event loop, after what is already queued there. */
  void execute(Runnable task) {
    channel.eventLoop().execute(task);
  }

  /**
   * On the event loop: true if the outbound buffer has room. If not, flushes it and, if that is
   * not enough, arranges for {@code resume} to run once it has room (or the connection closed).
   */
  boolean writableOrResumeLater(Runnable resume) {
    if (channel.isWritable()) {
      return true;
    }
    channel.flush();
    if (channel.isWritable() || !channel.isActive()) {
      return true;
    }
    connection.whenWritable(resume);
    return false;
  }

  /**
   * On the event loop: queue chunks without flushing the socket after each one, so that events
   * produced together leave in one write; {@link #flushSocket()} sends them. HTTP chunk framing
   * is the same either way.
   */
  void batchFlushes(boolean batch) {
    this.batchFlushes = batch;
  }

  void flushSocket() {
    channel.flush();
  }

  /** The connection closed: a disconnect unless the whole response was already handed over. */
  void connectionClosed() {
    if (!ended) {
      complete(StreamEnd.CLIENT_DISCONNECTED);
    }
  }

  private IOException clientGone() {
    complete(StreamEnd.CLIENT_DISCONNECTED);
    return new IOException("the client closed the connection");
  }

  private void complete(StreamEnd end) {
    long now = System.nanoTime();
    if (recorded.end().complete(end)) {
      recorded.closedAtNanos().complete(now);
    }
  }

  /** Writes the last piece of the response, closing the connection after it if asked to. */
  private void writeEnd(Object last) {
    ended = true;
    ChannelFuture written = channel.writeAndFlush(last);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  private static String decode(String s) {
    return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** The body stream: buffers writes, and sends them on flush (chunked) or once complete. */
  private abstract class ResponseBody extends OutputStream {
    final HttpResponse head;
    byte[] buffer = new byte[256];
    int count;
    boolean closed;

    ResponseBody(HttpResponse head) {
      this.head = head;
    }

    abstract void sendHeadIfStreaming() throws IOException;

    /** Sends what is left and the end of the body. */
    abstract void end() throws IOException;

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      ensureOpen();
      if (count + len > buffer.length) {
        buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, count + len));
      }
      System.arraycopy(b, off, buffer, count, len);
      count += len;
    }

    @Override
    public void close() throws IOException {
      flush();
    }

    void ensureOpen() throws IOException {
      if (closed) {
        throw new IOException("response body already ended");
      }
      if (!channel.isActive()) {
        throw clientGone();
      }
    }

    /** Takes the buffered bytes as a buffer Netty owns. */
    ByteBuf takeBuffered() {
      ByteBuf bytes = Unpooled.wrappedBuffer(buffer, 0, count);
      buffer = new byte[Math.min(Math.max(256, count), MAX_BUFFERED_CHUNK)];
      count = 0;
      return bytes;
    }

    /** Hands a message to the channel, first waiting for room in its outbound buffer. */
    void send(Object message) throws IOException {
      connection.awaitWritable();
      if (!channel.isActive()) {
        throw clientGone();
      }
      if (batchFlushes) {
        channel.write(message, channel.voidPromise());
      } else {
        channel.writeAndFlush(message, channel.voidPromise());
      }
    }
  }

  /** {@code Transfer-Encoding: chunked}: every flush of buffered bytes becomes one chunk. */
  private final class ChunkedBody extends ResponseBody {
    ChunkedBody(HttpResponse head) {
      super(head);
    }

    @Override
    void sendHeadIfStreaming() throws IOException {
      send(head);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      super.write(b, off, len);
      if (count >= MAX_BUFFERED_CHUNK) {
        flush();
      }
    }

    @Override
    public void flush() throws IOException {
      ensureOpen();
      if (count > 0) {
        send(new DefaultHttpContent(takeBuffered()));
      }
    }

    @Override
    void end() throws IOException {
      if (closed) {
        return;
      }
      flush();
      closed = true;
      writeEnd(LastHttpContent.EMPTY_LAST_CONTENT);
    }
  }

  /**
   * {@code Content-Length}: the body is held until complete, then leaves with the headers as
   * one message (one write, one syscall). A body that ends short closes the connection, since
   * the client would otherwise wait for the missing bytes.
   */
  private final class FixedBody extends ResponseBody {
    private final int length;

    FixedBody(HttpResponse head, int length) {
      super(head);
      this.length = length;
    }

    @Override
    void sendHeadIfStreaming() {
      // Sent with the body.
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (count + len > length) {
        throw new IOException("too many bytes to write: " + (count + len) + " > " + length);
      }
      super.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      ensureOpen();
      if (count == length) {
        sendWhole();
      }
    }

    @Override
    void end() throws IOException {
      if (closed) {
        return;
      }
      if (count == length) {
        sendWhole();
        return;
      }
      closed = true;
      ended = true;
      channel.close();
      throw new IOException("response body ended after " + count + " of " + length + " bytes");
    }

    private void sendWhole() throws IOException {
      closed = true;
      DefaultFullHttpResponse whole = new DefaultFullHttpResponse(head.protocolVersion(),
          head.status(), Unpooled.wrappedBuffer(buffer, 0, count), head.headers(),
          io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
      connection.awaitWritable();
      if (!channel.isActive()) {
        throw clientGone();
      }
      writeEnd(whole);
    }
  }
}
