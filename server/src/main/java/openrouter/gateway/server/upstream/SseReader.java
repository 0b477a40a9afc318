package openrouter.gateway.server.upstream;

import java.io.IOException;
import okio.Buffer;
import okio.BufferedSource;
import okio.ByteString;

/**
 * An incremental Server-Sent Events parser over a byte stream, per the WHATWG rules that
 * OpenRouter's own SDK follows: lines end in {@code \n}, {@code \r\n} or {@code \r}; lines
 * starting with {@code :} are comments (OpenRouter's {@code : OPENROUTER PROCESSING}
 * keep-alives) and are skipped; {@code data:} lines (with or without the space) are joined with
 * {@code \n}; a blank line ends an event. Reads block only until the next line is available,
 * so events are handed on as the bytes arrive; one network read may hold half an event or
 * several.
 *
 * <p>Nothing the upstream sends is buffered without bound: a line longer than the line limit,
 * or an event whose data lines together exceed the event limit, throws {@link UpstreamTooLarge}
 * having read at most the limit (and one network read) past the start of that line.
 */
public final class SseReader {
  private static final ByteString LINE_BREAKS = ByteString.encodeUtf8("\r\n");

  private final BufferedSource source;
  private final long maxLineBytes;
  private final long maxEventBytes;
  private final StringBuilder data = new StringBuilder();
  private boolean hasData;
  private long eventBytes;
  private long lastLineBytes;
  private boolean skipLeadingLf;
  private long comments;

  public SseReader(BufferedSource source) {
    this(source, UpstreamLimits.DEFAULTS);
  }

  public SseReader(BufferedSource source, UpstreamLimits limits) {
    this.source = source;
    this.maxLineBytes = limits.maxSseLineBytes();
    this.maxEventBytes = limits.maxSseEventBytes();
  }

  /**
   * The data of the next event, or null at the end of the stream. An event cut off by the end
   * of the stream (no blank line after it) is dropped, as the SSE rules say: a connection that
   * breaks mid-event must not yield half a JSON document.
   *
   * @throws UpstreamTooLarge if a line or the event is over its limit
   */
  public String next() throws IOException {
    while (true) {
      String line = readLine();
      if (line == null) {
        return null;
      }
      if (line.isEmpty()) {
        if (hasData) {
          String event = data.toString();
          data.setLength(0);
          hasData = false;
          eventBytes = 0;
          return event;
        }
        continue;
      }
      if (line.charAt(0) == ':') {
        comments++;
        continue;
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      if (!field.equals("data")) {
        continue; // event, id, retry: chat completions do not use them
      }
      int start = colon < 0 ? line.length() : colon + 1;
      if (start < line.length() && line.charAt(start) == ' ') {
        start++;
      }
      eventBytes += lastLineBytes + 1;
      if (eventBytes > maxEventBytes) {
        throw new UpstreamTooLarge("an event-stream event", maxEventBytes, UpstreamLimits.SSE_EVENT_SETTING);
      }
      if (hasData) {
        data.append('\n');
      }
      data.append(line, start, line.length());
      hasData = true;
    }
  }

  /** Comment lines seen so far (keep-alives): they never count as progress. */
  public long commentCount() {
    return comments;
  }

  private String readLine() throws IOException {
    if (skipLeadingLf) {
      // The previous line ended in a lone '\r' seen at the end of a read; a '\n' that follows
      // belongs to the same line break.
      skipLeadingLf = false;
      if (source.request(1) && source.getBuffer().getByte(0) == '\n') {
        source.skip(1);
      }
    }
    long index = nextLineBreak();
    if (index < 0) {
      return null; // end of stream; any partial line is an incomplete event
    }
    lastLineBytes = index;
    String line = source.readUtf8(index);
    byte terminator = source.readByte();
    if (terminator == '\r') {
      if (source.getBuffer().size() > 0) {
        if (source.getBuffer().getByte(0) == '\n') {
          source.skip(1);
        }
      } else {
        skipLeadingLf = true;
      }
    }
    return line;
  }

  /**
   * Where the next line break is, reading only as far as the line limit allows (plus what one
   * read brings); -1 when the stream ends first.
   */
  private long nextLineBreak() throws IOException {
    Buffer buffer = source.getBuffer();
    long scanned = 0;
    while (true) {
      long index = buffer.indexOfElement(LINE_BREAKS, scanned); // searches only what is buffered
      if (index >= 0 ? index > maxLineBytes : buffer.size() > maxLineBytes) {
        throw new UpstreamTooLarge("an event-stream line", maxLineBytes, UpstreamLimits.SSE_LINE_SETTING);
      }
      if (index >= 0) {
        return index;
      }
      scanned = buffer.size();
      if (!source.request(scanned + 1)) {
        return -1;
      }
    }
  }
}
