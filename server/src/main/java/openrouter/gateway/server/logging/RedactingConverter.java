package openrouter.gateway.server.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.pattern.CompositeConverter;
import openrouter.gateway.server.errors.Redactor;

/**
 * {@code %redact(...)} in the text log pattern: the second net behind the code's own redaction,
 * for lines the code does not write itself (grpc-java, Netty, OkHttp, exception messages).
 */
public final class RedactingConverter extends CompositeConverter<ILoggingEvent> {
  @Override
  protected String transform(ILoggingEvent event, String in) {
    return Redactor.redact(in);
  }
}
