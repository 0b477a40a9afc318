package openrouter.gateway.server.metrics;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps a label's distinct values bounded: the first {@code max} values seen are kept, later
 * ones become {@code other}, so a stream of made-up model names cannot grow the registry without
 * end. Values are also cut to 100 characters.
 */
final class BoundedLabels {
  static final String OTHER = "other";
  static final String UNKNOWN = "unknown";

  private final int max;
  private final Set<String> seen = ConcurrentHashMap.newKeySet();

  BoundedLabels(int max) {
    this.max = max;
  }

  String of(String value) {
    if (value == null || value.isEmpty()) {
      return UNKNOWN;
    }
    String v = value.length() > 100 ? value.substring(0, 100) : value;
    if (seen.contains(v)) {
      return v;
    }
    if (seen.size() >= max) {
      return OTHER;
    }
    seen.add(v);
    return v;
  }
}
