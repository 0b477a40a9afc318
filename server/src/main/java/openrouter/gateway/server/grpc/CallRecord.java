package openrouter.gateway.server.grpc;

import io.grpc.Context;
import openrouter.gateway.server.chat.ChatStats;

/**
 * One call's identity and figures for its access log line: the request id, and for chat calls
 * what {@link openrouter.gateway.server.chat.ChatRunner} recorded. {@link AccessLogInterceptor}
 * puts it in the call's {@link Context}; services read it with {@link #current()}.
 */
public final class CallRecord {
  static final Context.Key<CallRecord> KEY = Context.key("openrouter.gateway.call-record");

  private final String requestId;
  private final ChatStats chat = new ChatStats();

  CallRecord(String requestId) {
    this.requestId = requestId;
  }

  /** The current call's record, or a detached one when no interceptor set it (unit tests). */
  public static CallRecord current() {
    CallRecord r = KEY.get();
    return r != null ? r : new CallRecord("");
  }

  public String requestId() {
    return requestId;
  }

  public ChatStats chat() {
    return chat;
  }
}
