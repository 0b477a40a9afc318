package openrouter.gateway.server.chat;

import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * What the gateway accepts as a media URL: {@code https://} (never plain http, never a local
 * file or an internal address scheme) or a well-formed {@code data:} URL whose base64 payload
 * really is base64.
 */
final class UrlRules {
  private UrlRules() {}

  /** Reports a violation through {@code violation(path, description)} when {@code url} is unacceptable. */
  static void check(String url, String path, BiConsumer<String, String> violation) {
    String lower = url.substring(0, Math.min(url.length(), 16)).toLowerCase(Locale.ROOT);
    if (lower.startsWith("https://")) {
      if (url.length() <= "https://".length() || url.chars().anyMatch(c -> c <= ' ')) {
        violation.accept(path, "The https URL is malformed (empty host or whitespace).");
      }
      return;
    }
    if (!lower.startsWith("data:")) {
      violation.accept(path, "Use an https:// URL or a data: URL (data:<type>;base64,<data>); other schemes are refused.");
      return;
    }
    int comma = url.indexOf(',');
    if (comma < 0) {
      violation.accept(path, "The data: URL has no ',' before its payload; use data:<type>;base64,<data>.");
      return;
    }
    String header = url.substring(5, comma).toLowerCase(Locale.ROOT);
    if (header.endsWith(";base64") && !isBase64(url, comma + 1)) {
      violation.accept(path, "The data: URL's payload is not well-formed base64.");
    }
  }

  static boolean isBase64(String s) {
    return isBase64(s, 0);
  }

  /** Standard alphabet, length a multiple of 4, at most two '=' and only at the end. */
  static boolean isBase64(String s, int from) {
    int n = s.length() - from;
    if (n == 0 || n % 4 != 0) {
      return false;
    }
    int padding = 0;
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '=') {
        padding++;
        if (padding > 2) {
          return false;
        }
      } else if (padding > 0) {
        return false; // data after padding
      } else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/')) {
        return false;
      }
    }
    return true;
  }
}
