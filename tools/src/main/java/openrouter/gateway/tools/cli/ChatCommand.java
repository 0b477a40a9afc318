package openrouter.gateway.tools.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import openrouter.gateway.client.ChatAccumulator;
import openrouter.gateway.client.ChatStream;
import openrouter.gateway.client.GatewayClient;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.ChatResponse;
import openrouter.gateway.v1.ChatSummary;
import openrouter.gateway.v1.Message;
import openrouter.gateway.v1.Role;
import openrouter.gateway.v1.StreamChatResponse;
import openrouter.gateway.v1.ToolCall;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code chat}: streams an answer to stdout as it is generated. */
@Command(name = "chat", mixinStandardHelpOptions = true, versionProvider = GatewayCli.Version.class,
    description = {
      "Sends a prompt and streams the answer to stdout as it arrives.",
      "The prompt is the arguments, or stdin when there are none (or the only one is '-')."
    })
final class ChatCommand implements Callable<Integer> {
  @ParentCommand
  GatewayCli cli;

  @Parameters(paramLabel = "PROMPT", arity = "0..*", description = "The prompt (default: read stdin).")
  List<String> prompt = new ArrayList<>();

  @Option(names = {"-m", "--model"}, paramLabel = "MODEL",
      description = "Model id, e.g. openai/gpt-4o-mini or sim/echo (default: the gateway's).")
  String model = "";

  @Option(names = {"-s", "--system"}, paramLabel = "TEXT", description = "A system message sent before the prompt.")
  String system;

  @Option(names = "--max-tokens", paramLabel = "N", description = "Upper bound on generated tokens.")
  Integer maxTokens;

  @Option(names = {"-t", "--temperature"}, paramLabel = "T", description = "Sampling temperature, 0 to 2.")
  Double temperature;

  @Option(names = "--fallback", paramLabel = "MODEL",
      description = "A model to try when the previous ones fail before answering; repeat for a chain.")
  List<String> fallbacks = new ArrayList<>();

  @Option(names = "--metadata", paramLabel = "KEY=VALUE",
      description = "Request metadata; repeatable (e.g. sim_chunk_delay_ms=50 for the simulator).")
  Map<String, String> metadata = new LinkedHashMap<>();

  @Option(names = "--json",
      description = "Machine output: one proto3 JSON object per line, each delta then the summary"
          + " (with --no-stream: the whole response).")
  boolean json;

  @Option(names = "--no-stream", description = "Use the unary Chat call and print the answer at the end.")
  boolean noStream;

  @Option(names = "--no-progress", description = "No waiting indicator on stderr.")
  boolean noProgress;

  @Override
  public Integer call() throws IOException {
    ChatRequest request = request(readPrompt());
    PrintStream out = cli.context.out();
    PrintStream err = cli.context.err();
    boolean person = cli.context.stderrIsTerminal();
    try (GatewayClient client = cli.openClient(GatewayClient.DEFAULT_CHAT_TIMEOUT, true);
        Progress progress = Progress.start(person && !noProgress, err,
            "waiting for " + (model.isEmpty() ? "the default model" : model))) {
      if (noStream) {
        ChatResponse response = client.chat(request);
        progress.stop();
        if (json) {
          out.println(ProtoJsonOutput.line(response));
        } else {
          printText(out, response.getMessage().getContent());
          printToolCalls(out, response.getMessage().getToolCallsList());
          if (person) {
            printSummary(err, response.getSummary());
          }
        }
        return ExitCodes.OK;
      }
      ChatAccumulator answer = new ChatAccumulator();
      boolean lineOpen = false;
      try (ChatStream stream = client.streamChat(request)) {
        while (stream.hasNext()) {
          StreamChatResponse message = stream.next();
          progress.stop();
          if (json) {
            out.println(ProtoJsonOutput.line(message));
            out.flush();
            continue;
          }
          if (message.hasDelta()) {
            answer.add(message.getDelta());
            if (!message.getDelta().getContent().isEmpty()) {
              out.print(message.getDelta().getContent());
              out.flush();
              lineOpen = !answer.content().endsWith("\n");
            }
          } else if (message.hasSummary()) {
            endText(out, answer.content());
            lineOpen = false;
            printToolCalls(out, answer.toolCalls());
            if (person) {
              printSummary(err, message.getSummary());
            }
          }
        }
      } finally {
        // A failure after some text: end the line so the error on stderr starts on its own.
        if (lineOpen) {
          out.println();
          out.flush();
        }
      }
      return ExitCodes.OK;
    }
  }

  private ChatRequest request(String text) {
    ChatRequest.Builder b = ChatRequest.newBuilder().setModel(model);
    if (system != null && !system.isEmpty()) {
      b.addMessages(Message.newBuilder().setRole(Role.ROLE_SYSTEM).setContent(system));
    }
    b.addMessages(Message.newBuilder().setRole(Role.ROLE_USER).setContent(text));
    b.addAllModels(fallbacks);
    if (maxTokens != null) {
      b.setMaxTokens(maxTokens);
    }
    if (temperature != null) {
      b.setTemperature(temperature);
    }
    b.putAllMetadata(metadata);
    return b.build();
  }

  private String readPrompt() throws IOException {
    if (!prompt.isEmpty() && !(prompt.size() == 1 && prompt.get(0).equals("-"))) {
      return String.join(" ", prompt);
    }
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    cli.context.in().transferTo(bytes);
    String text = bytes.toString(StandardCharsets.UTF_8).strip();
    if (text.isEmpty()) {
      throw new GatewayCli.UsageException("no prompt: pass it as arguments or on stdin");
    }
    return text;
  }

  private static void printText(PrintStream out, String text) {
    out.print(text);
    endText(out, text);
  }

  private static void endText(PrintStream out, String text) {
    if (!text.isEmpty() && !text.endsWith("\n")) {
      out.println();
    }
    out.flush();
  }

  private static void printToolCalls(PrintStream out, List<ToolCall> calls) {
    for (ToolCall call : calls) {
      out.println("[tool call " + call.getName() + " " + call.getArguments()
          + (call.getId().isEmpty() ? "" : " id=" + call.getId()) + "]");
    }
    out.flush();
  }

  private static void printSummary(PrintStream err, ChatSummary s) {
    StringBuilder line = new StringBuilder("[").append(s.getModel());
    if (!s.getProvider().isEmpty()) {
      line.append(" via ").append(s.getProvider());
    }
    line.append(", ").append(s.getFinishReason());
    if (s.hasUsage()) {
      line.append(", ").append(s.getUsage().getPromptTokens()).append('+')
          .append(s.getUsage().getCompletionTokens()).append(" tokens");
      if (!s.getUsage().getCost().isEmpty()) {
        line.append(", $").append(s.getUsage().getCost());
      }
    }
    err.println(line.append(']'));
  }
}
