package openrouter.gateway.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import openrouter.gateway.v1.ChatDelta;
import openrouter.gateway.v1.ToolCall;
import openrouter.gateway.v1.ToolCallDelta;

/**
 * Assembles streamed deltas into the answer so far: text appended, tool calls put together by
 * {@code index} (the first fragment of an index brings the id and name, later ones append to
 * the arguments). Not thread-safe: feed it from the thread that reads the stream.
 */
public final class ChatAccumulator {
  private final StringBuilder content = new StringBuilder();
  private final StringBuilder reasoning = new StringBuilder();
  private final StringBuilder refusal = new StringBuilder();
  private final Map<Integer, ToolCall.Builder> toolCalls = new TreeMap<>();
  private int deltas;

  /** Adds one delta. */
  public ChatAccumulator add(ChatDelta delta) {
    deltas++;
    content.append(delta.getContent());
    reasoning.append(delta.getReasoning());
    refusal.append(delta.getRefusal());
    for (ToolCallDelta fragment : delta.getToolCallsList()) {
      ToolCall.Builder call = toolCalls.computeIfAbsent(fragment.getIndex(), i -> ToolCall.newBuilder());
      if (!fragment.getId().isEmpty()) {
        call.setId(fragment.getId());
      }
      if (!fragment.getType().isEmpty()) {
        call.setType(fragment.getType());
      }
      if (!fragment.getName().isEmpty()) {
        call.setName(fragment.getName());
      }
      call.setArguments(call.getArguments() + fragment.getArguments());
    }
    return this;
  }

  public String content() {
    return content.toString();
  }

  public String reasoning() {
    return reasoning.toString();
  }

  public String refusal() {
    return refusal.toString();
  }

  /** The tool calls so far, in index order. */
  public List<ToolCall> toolCalls() {
    List<ToolCall> calls = new ArrayList<>(toolCalls.size());
    toolCalls.values().forEach(b -> calls.add(b.build()));
    return calls;
  }

  /** How many deltas were added. */
  public int deltaCount() {
    return deltas;
  }
}
