package openrouter.gateway.simulator;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Queue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/1.1 client connection, or one HTTP/2 stream (a child channel of its connection): hands
 * its requests to the handler one at a time (a pipelined request waits for the response before
 * it), and tells a running response when the client leaves (closes the connection, or resets
 * the stream) or when the channel can take more bytes (socket buffer, or HTTP/2 flow-control
 * window).
 */
final class SimulatorConnection extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(SimulatorConnection.class);
  /** Re-checks writability this often in case the client vanished without a close event. */
  private static final long WRITABILITY_RECHECK_MS = 100;

  static final String HTTP_1_1 = "HTTP/1.1";
  static final String HTTP_2 = "HTTP/2";

  private final SimulatorHttpServer.RequestHandler handler;
  private final String protocol;
  private final Object writability = new Object();
  // Touched on the event loop only.
  private final Queue<FullHttpRequest> pipelined = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private boolean responding;
  /** The response in progress; read by channelInactive to record a disconnect. */
  private volatile SimulatorExchange current;
  /** An event-loop writer waiting for room in the outbound buffer (event loop only). */
  private Runnable whenWritable;

  SimulatorConnection(SimulatorHttpServer.RequestHandler handler, String protocol) {
    this.handler = handler;
    this.protocol = protocol;
  }

  /** {@link #HTTP_1_1} or {@link #HTTP_2}. */
  String protocol() {
    return protocol;
  }

  Channel channel() {
    return ctx.channel();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (responding) {
      // HTTP/1.1 pipelining: answer in order. Stop reading until the queue drains, so it stays
      // as short as one read's worth of requests.
      pipelined.add(request);
      ctx.channel().config().setAutoRead(false);
      return;
    }
    serve(request);
  }

  private void serve(FullHttpRequest request) {
    SimulatorExchange exchange;
    try {
      if (request.decoderResult().isFailure()) {
        badRequest(request.decoderResult().cause());
        return;
      }
      exchange = SimulatorExchange.of(this, request);
    } catch (IllegalArgumentException e) {
      badRequest(e);
      return;
    } finally {
      request.release(); // the exchange keeps copies of what it needs
    }
    responding = true;
    current = exchange;
    handler.handle(exchange);
  }

  /** Called by the exchange, from any thread, once its response has been written. */
  void responseDone(SimulatorExchange exchange) {
    if (ctx.executor().inEventLoop()) {
      next(exchange);
    } else {
      ctx.executor().execute(() -> next(exchange));
    }
  }

  private void next(SimulatorExchange exchange) {
    if (current != exchange) {
      return;
    }
    current = null;
    responding = false;
    FullHttpRequest request = pipelined.poll();
    if (request == null) {
      ctx.channel().config().setAutoRead(true);
      return;
    }
    if (ctx.channel().isActive()) {
      serve(request);
    } else {
      request.release();
    }
  }

  /**
   * Blocks the calling (worker) thread until the socket's outbound buffer has room, so a client
   * that stops reading stops the response, as TCP backpressure would. Never waits on the event
   * loop itself (it would wait for itself).
   */
  void awaitWritable() throws IOException {
    Channel channel = ctx.channel();
    if (channel.isWritable() || ctx.executor().inEventLoop()) {
      return;
    }
    synchronized (writability) {
      while (!channel.isWritable() && channel.isActive()) {
        try {
          writability.wait(WRITABILITY_RECHECK_MS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("simulator is shutting down");
        }
      }
    }
  }

  /** On the event loop: runs {@code task} once the channel is writable again or closed. */
  void whenWritable(Runnable task) {
    whenWritable = task;
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    wakeWriters();
    if (ctx.channel().isWritable()) {
      resumeEventLoopWriter();
    }
    ctx.fireChannelWritabilityChanged();
  }

  private void resumeEventLoopWriter() {
    Runnable task = whenWritable;
    whenWritable = null;
    if (task != null) {
      task.run();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    SimulatorExchange exchange = current;
    if (exchange != null) {
      exchange.connectionClosed();
    }
    wakeWriters();
    resumeEventLoopWriter(); // it sees the closed connection and ends
    FullHttpRequest request;
    while ((request = pipelined.poll()) != null) {
      request.release();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Mostly "connection reset by peer": the client left. channelInactive records it.
    log.debug("simulator connection error: {}", cause.toString());
    ctx.close();
  }

  private void wakeWriters() {
    synchronized (writability) {
      writability.notifyAll();
    }
  }

  /** A request Netty could not parse: 400 and close, as the stream cannot be trusted. */
  private void badRequest(Throwable cause) {
    SimulatorError error = ErrorResponses.invalidRequest("Bad Request: " + cause.getMessage());
    byte[] body = JsonBodies.write(error.body()).getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.BAD_REQUEST, Unpooled.wrappedBuffer(body));
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }
}
