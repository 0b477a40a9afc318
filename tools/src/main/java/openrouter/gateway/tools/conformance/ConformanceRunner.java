package openrouter.gateway.tools.conformance;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.Timestamps;
import com.google.rpc.BadRequest;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import openrouter.gateway.client.ChatAccumulator;
import openrouter.gateway.client.ChatStream;
import openrouter.gateway.client.GatewayClient;
import openrouter.gateway.client.GatewayException;
import openrouter.gateway.v1.EmbedRequest;
import openrouter.gateway.v1.EmbedResponse;
import openrouter.gateway.v1.Embedding;
import openrouter.gateway.v1.GetSpendResponse;
import openrouter.gateway.v1.ListModelEndpointsResponse;
import openrouter.gateway.v1.ModelEndpoint;
import openrouter.gateway.v1.ChatRequest;
import openrouter.gateway.v1.ChatResponse;
import openrouter.gateway.v1.StreamChatResponse;
import openrouter.gateway.v1.ToolCall;

/**
 * Runs the shared conformance scenarios ({@code clients/conformance/scenarios.json}) with the
 * Java client, as the Node and Python runners do with theirs:
 * {@code java -cp gateway-cli.jar openrouter.gateway.tools.conformance.ConformanceRunner
 * --target 127.0.0.1:50051 --scenarios clients/conformance/scenarios.json}. Prints one line per
 * scenario and a closing {@code N passed, M failed}; exits 1 when any failed.
 */
public final class ConformanceRunner {
  /** Bounds every call, so a hung scenario fails instead of hanging CI. */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  /** One scenario's verdict: passed when there are no problems. */
  public record Result(String name, List<String> problems) {
    public boolean passed() {
      return problems.isEmpty();
    }
  }

  /** A USD amount as the gateway writes it: digits, optionally a point and more digits. */
  private static final Pattern DECIMAL = Pattern.compile("\\d+(\\.\\d+)?");

  private ConformanceRunner() {}

  public static void main(String[] args) throws IOException {
    String target = "127.0.0.1:50051";
    Path scenarios = Path.of("clients/conformance/scenarios.json");
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--target" -> target = args[i + 1];
        case "--scenarios" -> scenarios = Path.of(args[i + 1]);
        default -> {
          System.err.println("usage: ConformanceRunner [--target HOST:PORT] [--scenarios FILE]");
          System.exit(2);
        }
      }
    }
    List<Result> results;
    try (GatewayClient client = GatewayClient.newBuilder(target)
        .chatTimeout(CALL_TIMEOUT).readTimeout(CALL_TIMEOUT).build()) {
      results = run(client, Files.readString(scenarios, StandardCharsets.UTF_8));
    }
    System.exit(report(results, System.out) ? 0 : 1);
  }

  /** Prints the verdicts and the closing count; true when every scenario passed. */
  public static boolean report(List<Result> results, PrintStream out) {
    int failed = 0;
    for (Result r : results) {
      if (r.passed()) {
        out.println("PASS java: " + r.name());
      } else {
        failed++;
        out.println("FAIL java: " + r.name() + ": " + String.join("; ", r.problems()));
      }
    }
    out.println((results.size() - failed) + " passed, " + failed + " failed");
    out.flush();
    return failed == 0;
  }

  /** Runs every scenario of the file, in order. */
  public static List<Result> run(GatewayClient client, String scenariosJson) throws InvalidProtocolBufferException {
    Struct file = parse(scenariosJson);
    List<Result> results = new ArrayList<>();
    for (Value v : file.getFieldsOrThrow("scenarios").getListValue().getValuesList()) {
      Struct scenario = v.getStructValue();
      String name = scenario.getFieldsOrThrow("name").getStringValue();
      List<String> problems;
      try {
        problems = check(outcome(client, scenario), scenario.getFieldsOrThrow("expect").getStructValue());
      } catch (RuntimeException e) {
        problems = List.of("unexpected " + e);
      }
      results.add(new Result(name, problems));
    }
    return results;
  }

  private static Outcome outcome(GatewayClient client, Struct scenario) throws InvalidProtocolBufferException {
    Outcome o = new Outcome();
    String action = scenario.getFieldsOrThrow("action").getStringValue();
    try {
      switch (action) {
        case "list_services" -> o.services = client.listServices();
        case "health" -> {
          o.servingStatus = client.servingStatus("").name();
          o.overallStatus = client.health().getStatus().name();
        }
        case "chat" -> {
          ChatResponse r = client.chat(request(scenario));
          o.text = r.getMessage().getContent();
          o.toolCalls = r.getMessage().getToolCallsList();
          o.finishReason = r.getSummary().getFinishReason();
          o.model = r.getSummary().getModel();
        }
        case "stream_chat" -> stream(client, scenario, o);
        case "embed" -> {
          EmbedRequest.Builder b = EmbedRequest.newBuilder();
          JsonFormat.parser().merge(JsonFormat.printer().print(scenario.getFieldsOrThrow("request")), b);
          EmbedResponse r = client.embed(b.build());
          o.model = r.getModel();
          o.cost = r.getUsage().getCost();
          for (Embedding e : r.getEmbeddingsList()) {
            o.indices.add(e.getIndex());
            o.dimensions.add(e.getValuesCount());
          }
          if (r.getEmbeddingsCount() > 0) {
            o.firstValues = r.getEmbeddings(0).getValuesList();
          }
        }
        case "list_model_endpoints" -> {
          ListModelEndpointsResponse r = client.listModelEndpoints(
              scenario.getFieldsOrThrow("request").getStructValue().getFieldsOrThrow("model").getStringValue(), false);
          for (ModelEndpoint e : r.getEndpointsList()) {
            o.endpointStatuses.add(e.getStatus().name());
            if (e.hasLatencyLast30M()) {
              o.endpointsWithLatency++;
            }
          }
        }
        case "get_spend" -> {
          GetSpendResponse r = client.getSpend();
          o.caller = r.getCaller();
          o.hasBudget = r.getHasBudget();
          o.windowDays = r.getWindowDays();
          o.windowSeconds = Timestamps.toSeconds(r.getWindowEnd()) - Timestamps.toSeconds(r.getWindowStart());
          o.spentIsDecimal = DECIMAL.matcher(r.getSpent()).matches();
        }
        default -> throw new IllegalArgumentException("unknown action " + action);
      }
    } catch (GatewayException e) {
      o.code = e.code().name();
      o.reason = e.reason();
      o.domain = e.domain();
      o.retryDelayMs = e.retryDelay().map(Duration::toMillis).orElse(null);
      o.fieldViolations = e.detail(BadRequest.class)
          .map(b -> b.getFieldViolationsList().stream().map(BadRequest.FieldViolation::getField).toList())
          .orElse(List.of());
    }
    return o;
  }

  private static void stream(GatewayClient client, Struct scenario, Outcome o) throws InvalidProtocolBufferException {
    int cancelAfter = scenario.containsFields("cancel_after_deltas")
        ? (int) scenario.getFieldsOrThrow("cancel_after_deltas").getNumberValue()
        : -1;
    ChatAccumulator answer = new ChatAccumulator();
    try (ChatStream stream = client.streamChat(request(scenario))) {
      // The same loop the Node and Python runners use: count deltas as they arrive, so a
      // failure after some of them still reports how many came.
      while (stream.hasNext()) {
        StreamChatResponse m = stream.next();
        if (m.hasDelta()) {
          answer.add(m.getDelta());
          o.deltas = answer.deltaCount();
          o.text = answer.content();
          o.toolCalls = answer.toolCalls();
          if (o.deltas == cancelAfter) {
            stream.cancel();
          }
        } else if (m.hasSummary()) {
          o.finishReason = m.getSummary().getFinishReason();
          o.model = m.getSummary().getModel();
        }
      }
    }
  }

  private static ChatRequest request(Struct scenario) throws InvalidProtocolBufferException {
    ChatRequest.Builder b = ChatRequest.newBuilder();
    JsonFormat.parser().merge(JsonFormat.printer().print(scenario.getFieldsOrThrow("request")), b);
    return b.build();
  }

  static List<String> check(Outcome o, Struct expect) throws InvalidProtocolBufferException {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, Value> e : expect.getFieldsMap().entrySet()) {
      String key = e.getKey();
      Value want = e.getValue();
      switch (key) {
        case "code" -> same(problems, key, want.getStringValue(), o.code);
        case "reason" -> same(problems, key, want.getStringValue(), o.reason);
        case "domain" -> same(problems, key, want.getStringValue(), o.domain);
        case "text" -> same(problems, key, want.getStringValue(), o.text);
        case "finish_reason" -> same(problems, key, want.getStringValue(), o.finishReason);
        case "model" -> same(problems, key, want.getStringValue(), o.model);
        case "serving_status" -> same(problems, key, want.getStringValue(), o.servingStatus);
        case "overall_status" -> same(problems, key, want.getStringValue(), o.overallStatus);
        case "retry_delay_ms" -> same(problems, key, (long) want.getNumberValue(), o.retryDelayMs);
        case "deltas" -> same(problems, key, (int) want.getNumberValue(), o.deltas);
        case "min_deltas" -> {
          if (o.deltas < want.getNumberValue()) {
            problems.add("deltas: want at least " + (int) want.getNumberValue() + ", got " + o.deltas);
          }
        }
        case "services_include" -> includes(problems, key, strings(want), o.services);
        case "field_violations" -> includes(problems, key, strings(want), o.fieldViolations);
        case "tool_calls" -> toolCalls(problems, want, o.toolCalls);
        case "embeddings" -> same(problems, key, (int) want.getNumberValue(), o.indices.size());
        case "indices" -> same(problems, key,
            want.getListValue().getValuesList().stream().map(v -> (int) v.getNumberValue()).toList(), o.indices);
        case "dimensions" -> {
          if (o.dimensions.isEmpty() || o.dimensions.stream().anyMatch(d -> d != (int) want.getNumberValue())) {
            problems.add("dimensions: want " + (int) want.getNumberValue() + " for every embedding, got " + o.dimensions);
          }
        }
        case "first_values" -> {
          // Compared as float32s: the scenario file writes them as JSON numbers.
          List<Float> wanted = want.getListValue().getValuesList().stream().map(v -> (float) v.getNumberValue()).toList();
          List<Float> got = o.firstValues.subList(0, Math.min(wanted.size(), o.firstValues.size()));
          same(problems, key, wanted, got);
        }
        case "cost" -> same(problems, key, want.getStringValue(), o.cost);
        case "endpoint_statuses" -> same(problems, key, strings(want), o.endpointStatuses);
        case "endpoints_with_latency" -> same(problems, key, (int) want.getNumberValue(), o.endpointsWithLatency);
        case "caller" -> same(problems, key, want.getStringValue(), o.caller);
        case "has_budget" -> same(problems, key, want.getBoolValue(), o.hasBudget);
        case "window_days" -> same(problems, key, (int) want.getNumberValue(), o.windowDays);
        case "window_seconds" -> same(problems, key, (long) want.getNumberValue(), o.windowSeconds);
        case "spent_is_decimal" -> same(problems, key, want.getBoolValue(), o.spentIsDecimal);
        default -> problems.add("unknown expectation " + key);
      }
    }
    return problems;
  }

  private static void toolCalls(List<String> problems, Value want, List<ToolCall> got) throws InvalidProtocolBufferException {
    List<Value> wanted = want.getListValue().getValuesList();
    if (wanted.size() != got.size()) {
      problems.add("tool_calls: want " + wanted.size() + ", got " + got.size() + " " + got);
      return;
    }
    for (int i = 0; i < wanted.size(); i++) {
      Struct w = wanted.get(i).getStructValue();
      ToolCall call = got.get(i);
      same(problems, "tool_calls[" + i + "].name", w.getFieldsOrThrow("name").getStringValue(), call.getName());
      Value.Builder arguments = Value.newBuilder();
      try {
        JsonFormat.parser().merge(call.getArguments(), arguments);
      } catch (InvalidProtocolBufferException e) {
        problems.add("tool_calls[" + i + "].arguments is not JSON: " + call.getArguments());
        continue;
      }
      if (!arguments.build().equals(w.getFieldsOrThrow("arguments"))) {
        problems.add("tool_calls[" + i + "].arguments: want " + JsonFormat.printer().print(w.getFieldsOrThrow("arguments"))
            + ", got " + call.getArguments());
      }
    }
  }

  private static void same(List<String> problems, String key, Object want, Object got) {
    if (!want.equals(got)) {
      problems.add(key + ": want " + want + ", got " + got);
    }
  }

  private static void includes(List<String> problems, String key, List<String> want, List<String> got) {
    List<String> missing = want.stream().filter(w -> !got.contains(w)).toList();
    if (!missing.isEmpty()) {
      problems.add(key + ": missing " + missing + " in " + got);
    }
  }

  private static List<String> strings(Value list) {
    return list.getListValue().getValuesList().stream().map(Value::getStringValue).toList();
  }

  private static Struct parse(String json) throws InvalidProtocolBufferException {
    Struct.Builder b = Struct.newBuilder();
    JsonFormat.parser().merge(json, b);
    return b.build();
  }

  /** What a scenario observed, in the vocabulary of the scenario file's expectations. */
  static final class Outcome {
    String code = "OK";
    String reason = "";
    String domain = "";
    Long retryDelayMs;
    int deltas;
    String text = "";
    String finishReason = "";
    String model = "";
    List<ToolCall> toolCalls = List.of();
    List<String> fieldViolations = List.of();
    List<String> services = List.of();
    String servingStatus = "";
    String overallStatus = "";
    List<Integer> indices = new ArrayList<>();
    List<Integer> dimensions = new ArrayList<>();
    List<Float> firstValues = List.of();
    String cost = "";
    List<String> endpointStatuses = new ArrayList<>();
    int endpointsWithLatency;
    String caller = "";
    boolean hasBudget;
    int windowDays;
    long windowSeconds;
    boolean spentIsDecimal;
  }
}
