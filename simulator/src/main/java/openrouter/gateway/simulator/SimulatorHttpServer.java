package openrouter.gateway.simulator;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The simulator's HTTP transport: Netty event loops that parse requests and write responses.
 * One port serves HTTP/1.1 (keep-alive, pipelining) and cleartext HTTP/2 with prior knowledge
 * (h2c: many streams on one connection, each a child channel whose frames are turned into the
 * same HTTP/1 objects, so the handlers below serve both alike). Each complete request becomes a
 * {@link SimulatorExchange} handed to the {@link RequestHandler} on the event loop; the handler
 * answers at once or moves the (blocking) rest of the work to a thread of its own. Binds to
 * 127.0.0.1 only.
 */
final class SimulatorHttpServer implements AutoCloseable {
  /** Larger request bodies get 413 (OpenRouter's own limit is far below this). */
  static final int MAX_REQUEST_BODY_BYTES = 32 * 1024 * 1024;
  /** Enough for thousands of connections opened at once (capped by net.core.somaxconn). */
  private static final int ACCEPT_BACKLOG = 4096;
  /** Two event loops are plenty on the two-core machines the benchmarks run on. */
  private static final int IO_THREADS = Math.min(2, Runtime.getRuntime().availableProcessors());
  /**
   * Request bytes a client may send on one stream, and on the whole connection, before the
   * simulator's WINDOW_UPDATE: larger than HTTP/2's 64 KiB default so big request bodies and
   * thousands of small ones do not wait for a round trip each. Bytes are acknowledged as the
   * stream reads them. (What the simulator may send is the client's window, not this.)
   */
  private static final int HTTP2_STREAM_WINDOW = 1024 * 1024;
  private static final int HTTP2_CONNECTION_WINDOW = 16 * 1024 * 1024;
  private static final int MAX_HEADER_BYTES = 64 * 1024;

  /** Receives every complete request, on the connection's event loop; must not block. */
  interface RequestHandler {
    void handle(SimulatorExchange exchange);
  }

  private final EventLoopGroup acceptor;
  private final EventLoopGroup io;
  private final Channel serverChannel;
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final int port;
  private final AtomicInteger acceptedConnections = new AtomicInteger();
  private final AtomicInteger http2Connections = new AtomicInteger();

  private SimulatorHttpServer(int port, int http2MaxConcurrentStreams, RequestHandler handler)
      throws IOException {
    // Native epoll on Linux saves syscalls and copies; NIO everywhere else.
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory ioHandlers = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    Class<? extends ServerChannel> channelType =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    this.acceptor = new MultiThreadIoEventLoopGroup(1,
        new DefaultThreadFactory("simulator-accept", true), ioHandlers);
    this.io = new MultiThreadIoEventLoopGroup(IO_THREADS,
        new DefaultThreadFactory("simulator-io", true), ioHandlers);

    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(acceptor, io)
        .channel(channelType)
        .option(ChannelOption.SO_BACKLOG, ACCEPT_BACKLOG)
        .option(ChannelOption.SO_REUSEADDR, true)
        // Small SSE events must leave at once, not wait for the previous segment's ACK.
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            connections.add(channel);
            acceptedConnections.incrementAndGet();
            channel.pipeline().addLast("protocol", new ProtocolSniffer(
                pipeline -> installHttp1(pipeline, handler),
                pipeline -> installHttp2(pipeline, http2MaxConcurrentStreams, handler)));
          }
        });
    ChannelFuture bound = bootstrap
        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
        .awaitUninterruptibly();
    if (!bound.isSuccess()) {
      shutDownEventLoops();
      throw new IOException("simulator cannot listen on 127.0.0.1:" + port + ": "
          + bound.cause().getMessage(), bound.cause());
    }
    this.serverChannel = bound.channel();
    this.port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  private static void installHttp1(ChannelPipeline pipeline, RequestHandler handler) {
    pipeline
        .addLast("http", new HttpServerCodec(new HttpDecoderConfig()
            .setMaxInitialLineLength(16 * 1024)
            .setMaxHeaderSize(MAX_HEADER_BYTES)))
        .addLast("body", new SimulatorBodyAggregator(MAX_REQUEST_BODY_BYTES))
        .addLast("exchange", new SimulatorConnection(handler, SimulatorConnection.HTTP_1_1));
  }

  /**
   * h2c: the frame codec and one child channel per stream. A child channel is active while its
   * stream is open and writable while the client's flow-control windows have room, so a client
   * that resets a stream or stops reading it looks to the handlers like an HTTP/1.1 client that
   * closed or stopped reading its connection.
   */
  private void installHttp2(ChannelPipeline pipeline, int maxConcurrentStreams,
      RequestHandler handler) {
    http2Connections.incrementAndGet();
    Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
        .initialSettings(Http2Settings.defaultSettings()
            .maxConcurrentStreams(maxConcurrentStreams)
            .initialWindowSize(HTTP2_STREAM_WINDOW)
            .maxHeaderListSize(MAX_HEADER_BYTES))
        // Netty's "rapid reset" guard (GOAWAY after 200 RST_STREAMs in 30 s) would close the
        // connection, and every stream on it, when a benchmark's deadlines cancel many calls.
        .decoderEnforceMaxRstFramesPerWindow(0, 0)
        .encoderEnforceMaxRstFramesPerWindow(0, 0)
        .build();
    pipeline
        .addLast("http2", codec)
        .addLast("streams", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
          @Override
          protected void initChannel(Http2StreamChannel stream) {
            stream.pipeline()
                .addLast("http", new Http2StreamFrameToHttpObjectCodec(true))
                .addLast("body", new SimulatorBodyAggregator(MAX_REQUEST_BODY_BYTES))
                .addLast("exchange", new SimulatorConnection(handler, SimulatorConnection.HTTP_2));
          }
        }));
    Http2Connection connection = codec.connection();
    try {
      connection.local().flowController().incrementWindowSize(connection.connectionStream(),
          HTTP2_CONNECTION_WINDOW - Http2CodecUtil.DEFAULT_WINDOW_SIZE);
    } catch (Http2Exception e) {
      throw new IllegalStateException("cannot widen the HTTP/2 connection window", e);
    }
  }

  /**
   * Listens on 127.0.0.1:{@code port} (0 picks a free port); an HTTP/2 connection carries up to
   * {@code http2MaxConcurrentStreams} streams at once.
   */
  static SimulatorHttpServer start(int port, int http2MaxConcurrentStreams, RequestHandler handler)
      throws IOException {
    return new SimulatorHttpServer(port, http2MaxConcurrentStreams, handler);
  }

  int port() {
    return port;
  }

  /** TCP connections accepted since start. */
  int acceptedConnections() {
    return acceptedConnections.get();
  }

  /** Of those, the ones that spoke HTTP/2. */
  int http2Connections() {
    return http2Connections.get();
  }

  /** TCP connections open now. */
  int openConnections() {
    return connections.size();
  }

  /** Stops accepting and closes every connection; open responses fail their next write. */
  void closeConnections() {
    serverChannel.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    connections.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    closeConnections();
    shutDownEventLoops();
  }

  private void shutDownEventLoops() {
    var acceptorDone = acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    var ioDone = io.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    acceptorDone.awaitUninterruptibly(2, TimeUnit.SECONDS);
    ioDone.awaitUninterruptibly(2, TimeUnit.SECONDS);
  }
}
