package openrouter.gateway.server.simulator;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
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
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The simulator's HTTP/1.1 transport: Netty event loops that parse requests and write responses,
 * keep-alive included. Each complete request becomes a {@link SimulatorExchange} handed to the
 * {@link RequestHandler} on the event loop; the handler answers at once or moves the (blocking)
 * rest of the work to a thread of its own. Binds to 127.0.0.1 only.
 */
final class SimulatorHttpServer implements AutoCloseable {
  /** Larger request bodies get 413 (OpenRouter's own limit is far below this). */
  static final int MAX_REQUEST_BODY_BYTES = 32 * 1024 * 1024;
  /** Enough for thousands of connections opened at once (capped by net.core.somaxconn). */
  private static final int ACCEPT_BACKLOG = 4096;
  /** Two event loops are plenty on the two-core machines the benchmarks run on. */
  private static final int IO_THREADS = Math.min(2, Runtime.getRuntime().availableProcessors());

  /** Receives every complete request, on the connection's event loop; must not block. */
  interface RequestHandler {
    void handle(SimulatorExchange exchange);
  }

  private final EventLoopGroup acceptor;
  private final EventLoopGroup io;
  private final Channel serverChannel;
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final int port;

  private SimulatorHttpServer(int port, RequestHandler handler) throws IOException {
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
            channel.pipeline()
                .addLast("http", new HttpServerCodec(new HttpDecoderConfig()
                    .setMaxInitialLineLength(16 * 1024)
                    .setMaxHeaderSize(64 * 1024)))
                .addLast("body", new SimulatorBodyAggregator(MAX_REQUEST_BODY_BYTES))
                .addLast("exchange", new SimulatorConnection(handler));
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

  /** Listens on 127.0.0.1:{@code port} (0 picks a free port). */
  static SimulatorHttpServer start(int port, RequestHandler handler) throws IOException {
    return new SimulatorHttpServer(port, handler);
  }

  int port() {
    return port;
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
