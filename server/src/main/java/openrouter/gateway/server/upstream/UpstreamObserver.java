package openrouter.gateway.server.upstream;

/**
 * Told about every upstream HTTP exchange once its response headers arrived (or it failed), for
 * metrics and for the health of the gateway's key. Runs on the calling thread: keep it cheap.
 */
public interface UpstreamObserver {
  UpstreamObserver NONE = (endpoint, method, httpStatus, errorType, gatewayKey, nanos) -> {};

  /**
   * @param endpoint the path template, e.g. {@code /chat/completions}; never a raw URL
   * @param method the HTTP method
   * @param httpStatus the response status, or 0 when no response came
   * @param errorType empty with a response; otherwise why there was none ({@code cancelled},
   *     {@code timeout}, {@code connect}, {@code io})
   * @param gatewayKey true when the request carried the gateway's own key (not a caller's)
   * @param nanos time until the response headers, or until the failure
   */
  void exchange(
      String endpoint, String method, int httpStatus, String errorType, boolean gatewayKey, long nanos);

  /**
   * The health probe's own exchange (made with the gateway's key). By default like any other; the
   * health state ignores it because the prober publishes its outcome in one piece.
   */
  default void probeExchange(String endpoint, String method, int httpStatus, String errorType, long nanos) {
    exchange(endpoint, method, httpStatus, errorType, true, nanos);
  }

  /** Both, in order. */
  static UpstreamObserver both(UpstreamObserver a, UpstreamObserver b) {
    return new UpstreamObserver() {
      @Override
      public void exchange(
          String endpoint, String method, int httpStatus, String errorType, boolean gatewayKey, long nanos) {
        a.exchange(endpoint, method, httpStatus, errorType, gatewayKey, nanos);
        b.exchange(endpoint, method, httpStatus, errorType, gatewayKey, nanos);
      }

      @Override
      public void probeExchange(String endpoint, String method, int httpStatus, String errorType, long nanos) {
        a.probeExchange(endpoint, method, httpStatus, errorType, nanos);
        b.probeExchange(endpoint, method, httpStatus, errorType, nanos);
      }
    };
  }

  /** The tag that marks the health probe's request. */
  record HealthProbe() {}
}
