package openrouter.gateway.server.logging;

import com.fasterxml.jackson.core.JsonStreamContext;
import net.logstash.logback.mask.ValueMasker;
import openrouter.gateway.server.errors.Redactor;

/** The JSON log format's second net: every string value goes through {@link Redactor}. */
public final class RedactingValueMasker implements ValueMasker {
  @Override
  public Object mask(JsonStreamContext context, Object value) {
    if (value instanceof CharSequence text) {
      String s = text.toString();
      String redacted = Redactor.redact(s);
      return redacted.equals(s) ? null : redacted;
    }
    return null;
  }
}
