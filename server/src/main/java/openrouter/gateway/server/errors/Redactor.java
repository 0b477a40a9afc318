package openrouter.gateway.server.errors;

import java.util.regex.Pattern;

/** Removes anything that looks like an OpenRouter key from text that leaves the process. */
public final class Redactor {
  private static final Pattern KEY = Pattern.compile("sk-or-[A-Za-z0-9_\\-.]*");

  private Redactor() {}

  public static String redact(String text) {
    if (text == null || !text.contains("sk-or-")) {
      return text;
    }
    return KEY.matcher(text).replaceAll("sk-or-<redacted>");
  }
}
