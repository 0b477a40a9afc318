package openrouter.gateway.server.metrics;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import openrouter.gateway.server.errors.Redactor;

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
    String redacted = Redactor.redact(value); // values come from OpenRouter's answers
    String v = redacted.length() > 100 ? redacted.substring(0, 100) : redacted;
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
