package openrouter.gateway.tools.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The same requests sent straight to the upstream's HTTP endpoint (the simulator), so that
 * "through the gateway minus direct" is the gateway's added latency, measured in the same run
 * on the same upstream.
 *
 * <p>A plain Netty HTTP/1.1 client, built to cost the generator as little as possible: the
 * request is encoded once and every send writes the same bytes; responses are decoded on the
 * connection's event loop and never aggregated (streams are timed line by line as the bytes
 * arrive, other bodies are drained); each event loop keeps its own pool of keep-alive
 * connections (one request at a time on each): a request takes an idle one, or the first one
 * that becomes free while a few new ones are opened. A closed loop therefore settles on one
 * connection per slot; an open loop on about as many as it has requests in flight, which
 * {@code --max-in-flight} bounds.
 */
final class DirectTarget implements Target {
  /** Connects in progress per event loop, at most (loopback connects take microseconds). */
  private static final int MAX_CONNECTS_UNDER_WAY = 4;

  private final Scenario scenario;
  private final long deadlineNanos;
  private final EventLoopGroup group;
  private final Bootstrap bootstrap;
  /** The whole request (head and body) in a direct buffer, freed on close. */
  private final ByteBuf encoded;
  /** What every send writes: a view of {@link #encoded} that writes cannot release. */
  private final ByteBuf request;
  private final Pool[] pools;
  private final AtomicInteger nextPool = new AtomicInteger();
  private final LongAdder connectionsOpened = new LongAdder();

  DirectTarget(String baseUrl, String apiKey, Scenario scenario, String unaryBody, String streamBody,
      long deadlineSeconds, int ioThreads) {
    if (scenario == Scenario.HEALTH) {
      throw new IllegalArgumentException("the health scenario is gRPC only");
    }
    URI base = URI.create(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl);
    if (!"http".equals(base.getScheme()) || base.getHost() == null) {
      throw new IllegalArgumentException("--direct takes an http:// base URL, not " + baseUrl);
    }
    int port = base.getPort() < 0 ? 80 : base.getPort();
    String path = base.getRawPath() == null ? "" : base.getRawPath();
    this.scenario = scenario;
    this.deadlineNanos = TimeUnit.SECONDS.toNanos(deadlineSeconds);
    this.encoded = encode(scenario, base.getHost() + ":" + port, path, apiKey, scenario == Scenario.STREAM ? streamBody : unaryBody);
    this.request = Unpooled.unreleasableBuffer(encoded);

    // Native epoll on Linux saves syscalls and copies; NIO everywhere else.
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory ioHandlers = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    this.group = new MultiThreadIoEventLoopGroup(ioThreads, new DefaultThreadFactory("loadgen-http", true), ioHandlers);
    this.bootstrap = new Bootstrap()
        .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
        .remoteAddress(new InetSocketAddress(base.getHost(), port))
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
    List<Pool> loops = new ArrayList<>();
    for (EventExecutor loop : group) {
      loops.add(new Pool((EventLoop) loop));
    }
    this.pools = loops.toArray(new Pool[0]);
  }

  /** The bytes the JDK client sent for the same request, minus its User-Agent. */
  private static ByteBuf encode(Scenario scenario, String host, String basePath, String apiKey, String body) {
    StringBuilder head = new StringBuilder(256);
    byte[] content = body.getBytes(StandardCharsets.UTF_8);
    if (scenario == Scenario.MODELS) {
      head.append("GET ").append(basePath).append("/models?output_modalities=all HTTP/1.1\r\n");
    } else if (scenario == Scenario.EMBED) {
      head.append("POST ").append(basePath).append("/embeddings HTTP/1.1\r\n");
    } else {
      head.append("POST ").append(basePath).append("/chat/completions HTTP/1.1\r\n");
    }
    head.append("Host: ").append(host).append("\r\n");
    head.append("Authorization: Bearer ").append(apiKey).append("\r\n");
    if (scenario == Scenario.STREAM) {
      head.append("Accept: text/event-stream\r\n");
    }
    if (scenario != Scenario.MODELS) {
      head.append("Content-Type: application/json\r\n");
      head.append("Content-Length: ").append(content.length).append("\r\n");
    }
    head.append("\r\n");
    byte[] headBytes = head.toString().getBytes(StandardCharsets.UTF_8);
    ByteBuf buf = Unpooled.directBuffer(headBytes.length + content.length);
    buf.writeBytes(headBytes);
    if (scenario != Scenario.MODELS) {
      buf.writeBytes(content);
    }
    return buf;
  }

  @Override
  public void start(long intendedStartNanos, Stats stats, Runnable done) {
    // A request started from a response callback stays on that event loop, with no hop.
    for (Pool pool : pools) {
      if (pool.loop.inEventLoop()) {
        pool.send(intendedStartNanos, stats, done);
        return;
      }
    }
    Pool pool = pools[Math.floorMod(nextPool.getAndIncrement(), pools.length)];
    pool.loop.execute(() -> pool.send(intendedStartNanos, stats, done));
  }

  @Override
  public long connectionsOpened() {
    return connectionsOpened.sum();
  }

  @Override
  public void close() {
    // Closes every connection too.
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    if (group.isTerminated()) {
      encoded.release(); // no write can be reading it any more
    }
  }

  /**
   * One event loop's connections; used on that loop only, so nothing here is locked. A request
   * that finds no idle connection waits for the first one that becomes free: one that finishes
   * its request or a new one. New ones are opened while fewer are on their way than requests
   * wait, a few at a time, so a burst does not turn into a storm of connects that each cost
   * more than waiting a few microseconds for a busy connection.
   */
  private final class Pool {
    final EventLoop loop;
    final ArrayDeque<Connection> idle = new ArrayDeque<>();
    final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    final List<Connection> open = new ArrayList<>();
    final Bootstrap connector;
    int connecting;

    Pool(EventLoop loop) {
      this.loop = loop;
      this.connector = bootstrap.clone(loop);
      // One sweep a second enforces the deadline, instead of a timer per request.
      loop.scheduleAtFixedRate(this::expire, 1, 1, TimeUnit.SECONDS);
    }

    void send(long start, Stats stats, Runnable done) {
      Connection c;
      // Most recently used first: in a closed loop each slot keeps its own connection.
      while ((c = idle.pollLast()) != null) {
        if (c.channel.isActive()) {
          c.send(start, stats, done);
          return;
        }
      }
      waiting.addLast(new Waiting(start, stats, done));
      connectMore();
    }

    /** A connection with no request: the longest waiting request gets it, else it idles. */
    void release(Connection c) {
      Waiting w = waiting.pollFirst();
      if (w != null) {
        c.send(w.start, w.stats, w.done);
      } else {
        idle.addLast(c);
      }
    }

    private void connectMore() {
      while (connecting < waiting.size() && connecting < MAX_CONNECTS_UNDER_WAY) {
        connecting++;
        Connection fresh = new Connection(this);
        connector.clone().handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpResponseDecoder(), fresh);
          }
        }).connect().addListener(f -> {
          connecting--;
          if (f.isSuccess()) {
            connectionsOpened.increment();
            release(fresh);
          } else {
            // The request that this connection was for fails, as it would have on it.
            Waiting w = waiting.pollFirst();
            if (w != null) {
              w.stats.outcome("IO_ERROR");
              w.done.run();
            }
          }
          connectMore();
        });
      }
    }

    void expire() {
      long now = System.nanoTime();
      for (Connection c : new ArrayList<>(open)) {
        if (c.done != null && now - c.deadline > 0) {
          c.fail();
        }
      }
    }
  }

  /** A request waiting for a connection. */
  private record Waiting(long start, Stats stats, Runnable done) {}

  /** One keep-alive connection and the request on it (at most one at a time). */
  private final class Connection extends ChannelInboundHandlerAdapter {
    final Pool pool;
    Channel channel;
    // The request under way; done is null between requests.
    Runnable done;
    Stats stats;
    long start;
    long deadline;
    int status;
    boolean keepAlive;
    final SseTimer sse = new SseTimer();

    Connection(Pool pool) {
      this.pool = pool;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      // Before the connect completes (channelActive comes after the connect listeners).
      channel = ctx.channel();
      pool.open.add(this);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      pool.open.remove(this);
      pool.idle.remove(this);
    }

    void send(long start, Stats stats, Runnable done) {
      this.start = start;
      this.stats = stats;
      this.done = done;
      this.deadline = System.nanoTime() + deadlineNanos;
      this.status = 0;
      sse.reset(start, stats);
      // A failed write closes the channel (void promise), which fails the request.
      channel.writeAndFlush(request.duplicate(), channel.voidPromise());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (done == null) {
          return; // nothing asked: ignore (the server will not send anything unasked)
        }
        if (msg instanceof HttpResponse response) {
          if (response.decoderResult().isFailure()) {
            fail();
            return;
          }
          status = response.status().code();
          keepAlive = HttpUtil.isKeepAlive(response);
        }
        if (msg instanceof HttpContent content) {
          if (content.decoderResult().isFailure()) {
            fail();
            return;
          }
          ByteBuf bytes = content.content();
          stats.bytes.add(bytes.readableBytes());
          if (scenario == Scenario.STREAM && status == 200) {
            sse.feed(bytes);
          }
          if (msg instanceof LastHttpContent) {
            succeed();
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void succeed() {
      Runnable finished = done;
      done = null;
      if (status == 200) {
        Stats.record(stats.latency, System.nanoTime() - start);
        stats.outcome("OK");
      } else {
        stats.outcome("HTTP_" + status);
      }
      // Back in the pool before the next request is started, so that one picks it up.
      if (keepAlive) {
        pool.release(this);
      } else {
        channel.close();
      }
      finished.run();
    }

    /** Ends the request under way as IO_ERROR and drops the connection. */
    void fail() {
      Runnable finished = done;
      done = null;
      channel.close();
      if (finished != null) {
        stats.outcome("IO_ERROR");
        finished.run();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      fail();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      fail();
    }
  }

  /**
   * Times SSE data lines as they arrive: first chunk and gaps, like the gRPC side. Only lines
   * that carry content count (as deltas do there): a {@code data:} line with a non-empty
   * {@code "content":"..."}. Lines are found in the raw bytes; one split across reads is kept.
   */
  static final class SseTimer {
    private static final byte[] DATA = "data:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT = "\"content\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EMPTY_CONTENT = "\"content\":\"\"".getBytes(StandardCharsets.US_ASCII);

    private byte[] line = new byte[512];
    private int length;
    private long start;
    private long last;
    private Stats stats;

    void reset(long start, Stats stats) {
      this.start = start;
      this.stats = stats;
      this.last = 0;
      this.length = 0;
    }

    void feed(ByteBuf buf) {
      int i = buf.readerIndex();
      int end = buf.writerIndex();
      while (i < end) {
        int newline = buf.indexOf(i, end, (byte) '\n');
        int stop = newline < 0 ? end : newline;
        append(buf, i, stop - i);
        if (newline < 0) {
          return;
        }
        lineEnded();
        i = newline + 1;
      }
    }

    private void append(ByteBuf buf, int from, int count) {
      if (length + count > line.length) {
        byte[] bigger = new byte[Math.max(line.length * 2, length + count)];
        System.arraycopy(line, 0, bigger, 0, length);
        line = bigger;
      }
      buf.getBytes(from, line, length, count);
      length += count;
    }

    private void lineEnded() {
      int n = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
      length = 0;
      if (!startsWith(line, n, DATA) || indexOf(line, n, CONTENT) < 0 || indexOf(line, n, EMPTY_CONTENT) >= 0) {
        return;
      }
      last = stats.chunkArrived(start, last);
    }

    private static boolean startsWith(byte[] a, int n, byte[] prefix) {
      if (n < prefix.length) {
        return false;
      }
      for (int i = 0; i < prefix.length; i++) {
        if (a[i] != prefix[i]) {
          return false;
        }
      }
      return true;
    }

    private static int indexOf(byte[] a, int n, byte[] pattern) {
      outer:
      for (int i = 0; i + pattern.length <= n; i++) {
        for (int j = 0; j < pattern.length; j++) {
          if (a[i + j] != pattern[j]) {
            continue outer;
          }
        }
        return i;
      }
      return -1;
    }
  }
}
