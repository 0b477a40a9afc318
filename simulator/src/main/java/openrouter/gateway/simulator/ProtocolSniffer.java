package openrouter.gateway.simulator;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;
import java.util.function.Consumer;

/**
 * First handler of every connection: a connection that opens with HTTP/2's preface
 * ({@code PRI * HTTP/2.0...}) speaks cleartext HTTP/2 with prior knowledge (h2c, as OkHttp's
 * {@code H2_PRIOR_KNOWLEDGE} does); anything else is HTTP/1.1. It installs the matching handlers
 * behind itself and leaves; the bytes it read go on to them.
 */
final class ProtocolSniffer extends ByteToMessageDecoder {
  private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();
  private static final int PREFACE_LENGTH = PREFACE.readableBytes();

  private final Consumer<ChannelPipeline> http1;
  private final Consumer<ChannelPipeline> http2;

  ProtocolSniffer(Consumer<ChannelPipeline> http1, Consumer<ChannelPipeline> http2) {
    this.http1 = http1;
    this.http2 = http2;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int seen = Math.min(in.readableBytes(), PREFACE_LENGTH);
    boolean prefaceSoFar = ByteBufUtil.equals(PREFACE, PREFACE.readerIndex(), in, in.readerIndex(), seen);
    if (prefaceSoFar && seen < PREFACE_LENGTH) {
      return; // could still be either: wait for more bytes
    }
    // Handlers added behind this one; removing it hands them what it has buffered.
    (prefaceSoFar ? http2 : http1).accept(ctx.pipeline());
    ctx.pipeline().remove(this);
  }
}
