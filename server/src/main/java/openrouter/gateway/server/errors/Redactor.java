package openrouter.gateway.server.errors;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one redactor for text from outside (OpenRouter's answers, callers' input, exception
 * messages) on its way into a status, a status detail, a log line or a metric label.
 *
 * <p>It removes, case-insensitively and also where JSON {@code \\uXXXX} escapes spell them:
 * <ul>
 *   <li>anything shaped like an OpenRouter key: {@code sk-or-} and the key characters after it,
 *       replaced by {@code sk-or-<redacted>};
 *   <li>the secret part of every key this process was given (the configured key, and callers'
 *       own keys as they are used), with or without its {@code sk-or-v1-} prefix (the bare
 *       64 hex characters), replaced by {@code <redacted>}.
 * </ul>
 * Known keys are held in memory only as their secret parts, at most {@value #MAX_CALLER_KEYS}
 * callers' keys (the least recently used go first); the configured key stays.
 */
public final class Redactor {
  static final int MAX_CALLER_KEYS = 10_000;
  /** Shorter alphanumeric pieces of a key are not matched on their own (a key's piece is random). */
  static final int MIN_PIECE_CHARS = 12;
  private static final String PREFIX = "sk-or-";
  private static final String REDACTED = "<redacted>";

  private static final Map<String, Boolean> pinned = new ConcurrentHashMap<>();
  private static final Map<String, Long> callerPieces = new ConcurrentHashMap<>();
  private static final AtomicLong uses = new AtomicLong();
  /** The distinct lengths of the known pieces, for the sliding match. */
  private static volatile int[] pieceLengths = new int[0];
  /** The first {@value #START_CHARS} characters of every known piece, packed: a cheap first test. */
  private static final Map<Long, Integer> pieceStarts = new ConcurrentHashMap<>(); // start -> pieces
  private static final int START_CHARS = 10;

  private Redactor() {}

  /** Redacts the configured OpenRouter key from everything from now on. */
  public static synchronized void addConfiguredKey(String key) {
    for (String piece : pieces(key)) {
      if (pinned.put(piece, Boolean.TRUE) == null) {
        pieceStarts.merge(packedStart(piece), 1, Integer::sum);
      }
      noteLength(piece.length());
    }
  }

  /** Redacts a caller's own OpenRouter key (call it each time the key is used). */
  public static synchronized void addCallerKey(String key) {
    for (String piece : pieces(key)) {
      if (pinned.containsKey(piece)) {
        continue;
      }
      if (callerPieces.put(piece, uses.incrementAndGet()) == null) {
        pieceStarts.merge(packedStart(piece), 1, Integer::sum);
      }
      noteLength(piece.length());
    }
    while (callerPieces.size() > MAX_CALLER_KEYS) {
      forgetLeastRecentlyUsed();
    }
  }

  /** Whether {@code text} holds anything {@link #redact} would remove. */
  public static boolean containsSecret(String text) {
    return text != null && !redact(text).equals(text);
  }

  /**
   * The redacted text, cut to at most {@code maxChars} (then ending in {@code ...}). Text is
   * always redacted whole before it is cut: cut first, a key at the cut would lose the characters
   * that let it be recognised, and its first half would go out (it is no less a secret).
   * Text that is itself the first part of something longer (a body read only so far) must
   * reach past {@code maxChars} by at least a key's length, escapes included, for the same reason.
   */
  public static String redactAndCut(String text, int maxChars) {
    String redacted = redact(text);
    if (redacted == null || redacted.length() <= maxChars) {
      return redacted;
    }
    return redacted.substring(0, maxChars) + "...";
  }

  public static String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    Normalized n = Normalized.of(text);
    List<int[]> spans = new ArrayList<>(); // normalized [start, end)
    findPrefixed(n.chars, spans);
    findKnownPieces(n.chars, spans);
    if (spans.isEmpty()) {
      return text;
    }
    spans.sort((a, b) -> Integer.compare(a[0], b[0]));
    StringBuilder out = new StringBuilder(text.length());
    int copiedTo = 0; // in the original text
    int i = 0;
    while (i < spans.size()) {
      int start = spans.get(i)[0];
      int end = spans.get(i)[1];
      for (i++; i < spans.size() && spans.get(i)[0] <= end; i++) {
        end = Math.max(end, spans.get(i)[1]);
      }
      out.append(text, copiedTo, n.from[start]);
      out.append(startsWith(n.chars, start, PREFIX) ? PREFIX + REDACTED : REDACTED);
      copiedTo = n.to[end - 1];
    }
    return out.append(text, copiedTo, text.length()).toString();
  }

  /** {@code sk-or-} followed by at least one key character. */
  private static void findPrefixed(char[] s, List<int[]> spans) {
    for (int at = indexOf(s, PREFIX, 0); at >= 0; at = indexOf(s, PREFIX, at + 1)) {
      int end = at + PREFIX.length();
      while (end < s.length && keyChar(s[end])) {
        end++;
      }
      if (end > at + PREFIX.length()) {
        spans.add(new int[] {at, end});
      }
    }
  }

  /** Every known piece, wherever it sits in a run of letters and digits. */
  private static void findKnownPieces(char[] s, List<int[]> spans) {
    int[] lengths = pieceLengths;
    if (lengths.length == 0) {
      return;
    }
    int i = 0;
    while (i < s.length) {
      if (!alnum(s[i])) {
        i++;
        continue;
      }
      int runStart = i;
      while (i < s.length && alnum(s[i])) {
        i++;
      }
      if (i - runStart < MIN_PIECE_CHARS) {
        continue;
      }
      long code = 0;
      for (int end = runStart; end < i; end++) {
        code = ((code << 6) | code(s[end])) & START_MASK; // the START_CHARS characters up to end
        int at = end - START_CHARS + 1;
        if (at < runStart || !pieceStarts.containsKey(code)) {
          continue;
        }
        for (int length : lengths) {
          if (at + length <= i) {
            String window = new String(s, at, length);
            if (pinned.containsKey(window) || callerPieces.containsKey(window)) {
              callerPieces.computeIfPresent(window, (k, v) -> uses.incrementAndGet());
              spans.add(new int[] {at, at + length});
            }
          }
        }
      }
    }
  }

  /** The secret part's alphanumeric pieces long enough to match, lower-cased. */
  private static List<String> pieces(String key) {
    List<String> out = new ArrayList<>();
    if (key == null) {
      return out;
    }
    String k = key.strip().toLowerCase(Locale.ROOT);
    String secret = k.startsWith(PREFIX + "v1-") ? k.substring(PREFIX.length() + 3)
        : k.startsWith(PREFIX) ? k.substring(PREFIX.length()) : k;
    for (String piece : secret.split("[^a-z0-9]+")) {
      if (piece.length() >= MIN_PIECE_CHARS) {
        out.add(piece);
      }
    }
    return out;
  }

  private static synchronized void noteLength(int length) {
    int[] lengths = pieceLengths;
    for (int l : lengths) {
      if (l == length) {
        return;
      }
    }
    int[] more = java.util.Arrays.copyOf(lengths, lengths.length + 1);
    more[lengths.length] = length;
    pieceLengths = more;
  }

  private static synchronized void forgetLeastRecentlyUsed() {
    String oldest = null;
    long oldestUse = Long.MAX_VALUE;
    for (Map.Entry<String, Long> e : callerPieces.entrySet()) {
      if (e.getValue() < oldestUse) {
        oldestUse = e.getValue();
        oldest = e.getKey();
      }
    }
    if (oldest != null) {
      callerPieces.remove(oldest);
      pieceStarts.computeIfPresent(packedStart(oldest), (start, n) -> n == 1 ? null : n - 1);
    }
  }

  private static final long START_MASK = (1L << (6 * START_CHARS)) - 1;

  private static long packedStart(String piece) {
    long code = 0;
    for (int j = 0; j < START_CHARS; j++) {
      code = (code << 6) | code(piece.charAt(j));
    }
    return code;
  }

  /** 0-9 and a-z as 6-bit numbers. */
  private static int code(char c) {
    return c <= '9' ? c - '0' : c - 'a' + 10;
  }

  private static boolean keyChar(char c) {
    return alnum(c) || c == '_' || c == '-' || c == '.';
  }

  private static boolean alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }

  private static boolean startsWith(char[] s, int at, String prefix) {
    if (at + prefix.length() > s.length) {
      return false;
    }
    for (int j = 0; j < prefix.length(); j++) {
      if (s[at + j] != prefix.charAt(j)) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(char[] s, String needle, int from) {
    for (int at = from; at + needle.length() <= s.length; at++) {
      if (startsWith(s, at, needle)) {
        return at;
      }
    }
    return -1;
  }

  /**
   * The text as matched: JSON {@code \\uXXXX} escapes (behind any number of backslashes)
   * decoded, ASCII lower-cased; {@code from[i]} and {@code to[i]} are where character i came from
   * in the original.
   */
  private record Normalized(char[] chars, int[] from, int[] to) {
    static Normalized of(String text) {
      int len = text.length();
      char[] chars = new char[len];
      int[] from = new int[len];
      int[] to = new int[len];
      int n = 0;
      int i = 0;
      while (i < len) {
        char c = text.charAt(i);
        int next = i + 1;
        if (c == '\\') {
          int u = i;
          while (u < len && text.charAt(u) == '\\') {
            u++;
          }
          if (u + 5 <= len && text.charAt(u) == 'u' && hex(text, u + 1, u + 5)) {
            c = (char) Integer.parseInt(text.substring(u + 1, u + 5), 16);
            next = u + 5;
          }
        }
        chars[n] = c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
        from[n] = i;
        to[n] = next;
        n++;
        i = next;
      }
      return new Normalized(java.util.Arrays.copyOf(chars, n), from, to);
    }

    private static boolean hex(String s, int start, int end) {
      for (int j = start; j < end; j++) {
        if (Character.digit(s.charAt(j), 16) < 0) {
          return false;
        }
      }
      return true;
    }
  }
}
