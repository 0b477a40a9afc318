package openrouter.gateway.simulator;

import java.util.Arrays;

/**
 * The one content piece of {@code sim/huge} (and {@code sim/endless-line}), produced 64 KiB at a
 * time: the JSON around it is split at a marker, and the simulator never holds the piece whole,
 * so a test can send the gateway far more than either side's heap would take.
 */
final class BigContent {
  static final int PIECE_BYTES = 64 * 1024;
  private static final String MARKER = "\u0000sim-big-content\u0000";
  private static final byte[] PIECE = filled();

  final String before;
  final String after;
  private long left;

  /**
   * @param json the JSON document carrying {@link #marker()} as the content
   * @param bytes the piece's size; negative for a piece that never ends
   */
  BigContent(String json, long bytes) {
    String quoted = JsonBodies.write(JsonBodies.MAPPER.getNodeFactory().textNode(MARKER));
    String marker = quoted.substring(1, quoted.length() - 1);
    int at = json.indexOf(marker);
    if (at < 0) {
      throw new IllegalArgumentException("no marker in " + json);
    }
    this.before = json.substring(0, at);
    this.after = json.substring(at + marker.length());
    this.left = bytes;
  }

  static String marker() {
    return MARKER;
  }

  /** The next piece of content, or null when it is all written. */
  byte[] nextPiece() {
    if (left < 0) {
      return PIECE;
    }
    if (left == 0) {
      return null;
    }
    int n = (int) Math.min(PIECE_BYTES, left);
    left -= n;
    return n == PIECE_BYTES ? PIECE : Arrays.copyOf(PIECE, n);
  }

  private static byte[] filled() {
    byte[] piece = new byte[PIECE_BYTES];
    for (int i = 0; i < piece.length; i++) {
      piece[i] = (byte) (i % 64 == 63 ? ' ' : 'a'); // words, so usage counts stay sane
    }
    return piece;
  }
}
