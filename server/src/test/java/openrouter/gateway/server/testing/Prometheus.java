package openrouter.gateway.server.testing;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads values out of a Prometheus text exposition. */
public final class Prometheus {
  private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (\\S+)$");

  private Prometheus() {}

  /**
   * The sum of every sample of {@code name} whose labels include all of {@code labels} (given as
   * {@code "key", "value"} pairs); NaN when no sample matches.
   */
  public static double value(String scrape, String name, String... labels) {
    double sum = 0;
    boolean found = false;
    for (String line : scrape.split("\n")) {
      Matcher m = LINE.matcher(line);
      if (!m.matches() || !m.group(1).equals(name)) {
        continue;
      }
      String labelText = m.group(2) == null ? "" : m.group(2);
      boolean all = true;
      for (int i = 0; i + 1 < labels.length; i += 2) {
        if (!labelText.contains(labels[i] + "=\"" + labels[i + 1] + "\"")) {
          all = false;
          break;
        }
      }
      if (all) {
        sum += Double.parseDouble(m.group(3));
        found = true;
      }
    }
    return found ? sum : Double.NaN;
  }
}
