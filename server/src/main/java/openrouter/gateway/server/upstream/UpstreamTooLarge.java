package openrouter.gateway.server.upstream;

import java.io.IOException;

/**
 * An upstream answer went over one of the {@link UpstreamLimits}: a line, an event or a body
 * longer than its setting allows. Thrown by the readers before they buffer more than the bound.
 */
public final class UpstreamTooLarge extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * @param what what was too large, e.g. "an event-stream line"
   * @param limit the bound in bytes
   * @param setting the setting that sets it
   */
  UpstreamTooLarge(String what, long limit, String setting) {
    super(what + " is longer than " + limit + " bytes (" + setting + ")");
  }
}
