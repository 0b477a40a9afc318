package openrouter.gateway.simulator.testing;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A bare HTTP/2 connection (prior knowledge, no TLS) that speaks only frames, to watch what the
 * gRPC server (or the simulator) does on the connection level: its SETTINGS, pings, GOAWAYs and
 * closes. It acknowledges the server's SETTINGS and nothing else.
 */
public final class RawHttp2Client implements AutoCloseable {
  public static final int PING = 6;
  public static final int GOAWAY = 7;
  public static final int ENHANCE_YOUR_CALM = 0xb;

  /** One frame; {@code closed} marks the end of the connection instead. */
  public record Frame(int type, int flags, int streamId, byte[] payload, boolean closed) {
    public boolean isPing() {
      return type == PING && (flags & 1) == 0;
    }

    public boolean isPingAck() {
      return type == PING && (flags & 1) == 1;
    }

    public int goAwayError() {
      return ((payload[4] & 0xff) << 24) | ((payload[5] & 0xff) << 16) | ((payload[6] & 0xff) << 8) | (payload[7] & 0xff);
    }

    public String goAwayDebug() {
      return new String(payload, 8, payload.length - 8, StandardCharsets.UTF_8);
    }
  }

  /** The server's SETTINGS, identifier to value, as far as read (the first frame sets them). */
  private final java.util.Map<Integer, Long> serverSettings = new java.util.concurrent.ConcurrentHashMap<>();
  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  public RawHttp2Client(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
    out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    frame(4, 0, new byte[0]); // empty SETTINGS
  }

  public synchronized void ping() throws IOException {
    frame(PING, 0, new byte[8]);
  }

  private synchronized void frame(int type, int flags, byte[] payload) throws IOException {
    out.write(frameBytes(type, flags, 0, payload));
    out.flush();
  }

  /** Writes bytes as they are (frames built with {@link #frameBytes} and the helpers below). */
  public synchronized void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** One frame: the 9-byte header and the payload. */
  public static byte[] frameBytes(int type, int flags, int streamId, byte[] payload) {
    byte[] f = new byte[9 + payload.length];
    f[0] = (byte) (payload.length >> 16);
    f[1] = (byte) (payload.length >> 8);
    f[2] = (byte) payload.length;
    f[3] = (byte) type;
    f[4] = (byte) flags;
    f[5] = (byte) (streamId >> 24 & 0x7f);
    f[6] = (byte) (streamId >> 16);
    f[7] = (byte) (streamId >> 8);
    f[8] = (byte) streamId;
    System.arraycopy(payload, 0, f, 9, payload.length);
    return f;
  }

  /**
   * A gRPC call opened and at once reset, as a rapid-reset attacker sends it: HEADERS (POST
   * {@code path}), DATA with one length-prefixed {@code message} and END_STREAM, RST_STREAM
   * CANCEL.
   */
  public static byte[] callThenReset(int streamId, String path, byte[] message) {
    byte[] data = new byte[5 + message.length];
    data[1] = (byte) (message.length >> 24);
    data[2] = (byte) (message.length >> 16);
    data[3] = (byte) (message.length >> 8);
    data[4] = (byte) message.length;
    System.arraycopy(message, 0, data, 5, message.length);
    java.io.ByteArrayOutputStream frames = new java.io.ByteArrayOutputStream();
    frames.writeBytes(headers(streamId, false, ":method", "POST", ":scheme", "http", ":path", path,
        ":authority", "127.0.0.1", "content-type", "application/grpc", "te", "trailers"));
    frames.writeBytes(frameBytes(0, 0x1, streamId, data)); // DATA, END_STREAM
    frames.writeBytes(frameBytes(3, 0, streamId, new byte[] {0, 0, 0, 8})); // RST_STREAM CANCEL
    return frames.toByteArray();
  }

  /** A HEADERS frame (END_HEADERS) with these names and values, sent as they are (no checks). */
  public static byte[] headers(int streamId, boolean endStream, String... namesAndValues) {
    java.io.ByteArrayOutputStream block = new java.io.ByteArrayOutputStream();
    for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
      block.write(0); // literal header field without indexing, new name, no Huffman coding
      hpackString(block, namesAndValues[i]);
      hpackString(block, namesAndValues[i + 1]);
    }
    return frameBytes(1, 0x4 | (endStream ? 0x1 : 0), streamId, block.toByteArray());
  }

  private static void hpackString(java.io.ByteArrayOutputStream out, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
    int n = bytes.length; // HPACK integer with a 7-bit prefix
    if (n < 127) {
      out.write(n);
    } else {
      out.write(127);
      n -= 127;
      while (n >= 128) {
        out.write((n & 0x7f) | 0x80);
        n >>>= 7;
      }
      out.write(n);
    }
    out.writeBytes(bytes);
  }

  /** The next frame other than SETTINGS and WINDOW_UPDATE, or null after {@code timeoutMs}. */
  public Frame next(int timeoutMs) throws IOException {
    long until = System.nanoTime() + timeoutMs * 1_000_000L;
    while (true) {
      long left = (until - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return null;
      }
      socket.setSoTimeout((int) left);
      byte[] header = new byte[9];
      try {
        in.readFully(header);
      } catch (SocketTimeoutException e) {
        return null;
      } catch (EOFException | java.net.SocketException e) {
        return new Frame(-1, 0, 0, new byte[0], true);
      }
      int length = ((header[0] & 0xff) << 16) | ((header[1] & 0xff) << 8) | (header[2] & 0xff);
      int type = header[3] & 0xff;
      int flags = header[4] & 0xff;
      int stream = ((header[5] & 0x7f) << 24) | ((header[6] & 0xff) << 16) | ((header[7] & 0xff) << 8) | (header[8] & 0xff);
      byte[] payload = new byte[length];
      in.readFully(payload);
      if (type == 4) {
        if ((flags & 1) == 0) {
          for (int i = 0; i + 6 <= payload.length; i += 6) {
            int id = ((payload[i] & 0xff) << 8) | (payload[i + 1] & 0xff);
            long value = ((payload[i + 2] & 0xffL) << 24) | ((payload[i + 3] & 0xff) << 16)
                | ((payload[i + 4] & 0xff) << 8) | (payload[i + 5] & 0xff);
            serverSettings.put(id, value);
          }
          try {
            frame(4, 1, new byte[0]); // SETTINGS ACK
          } catch (IOException closing) {
            // the server is closing the connection; the frames it sent are still to be read
          }
        }
        continue;
      }
      if (type == 8) {
        continue; // WINDOW_UPDATE
      }
      return new Frame(type, flags, stream, payload, false);
    }
  }

  /** The server's SETTINGS read so far (identifier to value): call {@link #next} first. */
  public java.util.Map<Integer, Long> serverSettings() {
    return java.util.Map.copyOf(serverSettings);
  }

  /** Reads until a frame matching {@code wanted} or the time is up; null if none. */
  public Frame await(java.util.function.Predicate<Frame> wanted, int timeoutMs) throws IOException {
    long until = System.nanoTime() + timeoutMs * 1_000_000L;
    while (true) {
      int left = (int) ((until - System.nanoTime()) / 1_000_000);
      if (left <= 0) {
        return null;
      }
      Frame f = next(left);
      if (f == null) {
        return null;
      }
      if (wanted.test(f)) {
        return f;
      }
      if (f.closed()) {
        return null;
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
