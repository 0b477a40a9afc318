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

  /** Both, in order. */
  static UpstreamObserver both(UpstreamObserver a, UpstreamObserver b) {
    return (endpoint, method, httpStatus, errorType, gatewayKey, nanos) -> {
      a.exchange(endpoint, method, httpStatus, errorType, gatewayKey, nanos);
      b.exchange(endpoint, method, httpStatus, errorType, gatewayKey, nanos);
    };
  }
}
