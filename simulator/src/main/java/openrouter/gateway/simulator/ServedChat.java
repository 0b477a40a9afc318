package openrouter.gateway.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.List;

/**
 * A chat answer being served by one model, and the OpenRouter JSON built from it: stream
 * chunks (§3.2), the non-streaming {@code ChatResult} (§2.9), usage and error chunks (§3.4).
 */
record ServedChat(String id, long created, CatalogEntry entry, CompletionRequestBody request,
    ChatAnswer answer) {

  static final String PROVIDER = ErrorResponses.PROVIDER;

  String model() {
    return entry.id;
  }

  // ---- streaming ----

  /** {@code {"id","provider","model","object","created"}}, the head of every chunk. */
  ObjectNode chunkHead() {
    ObjectNode chunk = JsonBodies.object();
    chunk.put("id", id);
    chunk.put("provider", PROVIDER);
    chunk.put("model", model());
    chunk.put("object", "chat.completion.chunk");
    chunk.put("created", created);
    return chunk;
  }

  /** A chunk with one choice; the delta gets {@code role: assistant} like OpenRouter's. */
  ObjectNode deltaChunk(ObjectNode delta, String finishReason, String nativeFinishReason) {
    ObjectNode chunk = chunkHead();
    ObjectNode choice = chunk.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode withRole = choice.putObject("delta");
    withRole.put("role", "assistant");
    withRole.setAll(delta);
    choice.put("finish_reason", finishReason);
    choice.put("native_finish_reason", nativeFinishReason);
    choice.putNull("logprobs");
    return chunk;
  }

  ObjectNode finishChunk() {
    ObjectNode empty = JsonBodies.object();
    empty.put("content", "");
    return deltaChunk(empty, answer.finishReason(), answer.nativeFinishReason());
  }

  /** The final chunk: {@code choices: []} and the usage of everything sent. */
  ObjectNode usageChunk(ChatAnswer.Assembled sent) {
    ObjectNode chunk = chunkHead();
    chunk.putArray("choices");
    chunk.set("usage", usage(sent));
    return chunk;
  }

  /** §3.4: a top-level {@code error} plus a terminating choice with finish_reason "error". */
  ObjectNode errorChunk(ObjectNode error) {
    ObjectNode chunk = chunkHead();
    chunk.set("error", error);
    ObjectNode choice = chunk.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("delta").put("content", "");
    choice.put("finish_reason", "error");
    return chunk;
  }

  /** The error of sim/error-midstream(-string): code 502 or "server_error". */
  ObjectNode midstreamError() {
    ObjectNode error = JsonBodies.object();
    if (answer.shape() == ChatAnswer.Shape.MIDSTREAM_ERROR_STRING) {
      error.put("code", "server_error");
    } else {
      error.put("code", 502);
    }
    error.put("message", "Provider returned error");
    error.set("metadata", ErrorResponses.metadata("provider_unavailable"));
    return error;
  }

  /** The 524 error that sim/error-in-200 puts in a 200 body (§6.6). */
  static ObjectNode error524() {
    ObjectNode error = JsonBodies.object();
    error.put("message", "Provider returned error");
    error.put("code", 524);
    ObjectNode metadata = error.putObject("metadata");
    metadata.put("raw", "error code: 524");
    metadata.put("provider_name", "Google AI Studio");
    return error;
  }

  // ---- non-streaming ----

  /**
   * The {@code ChatResult}. With {@code choiceError} the choice ends with finish_reason
   * "error" and carries it (§2.9, errors in a non-streaming 200).
   */
  ObjectNode completion(ChatAnswer.Assembled message, boolean withChoice, String finishReason,
      String nativeFinishReason, ObjectNode choiceError) {
    ObjectNode result = JsonBodies.object();
    result.put("id", id);
    result.put("object", "chat.completion");
    result.put("created", created);
    result.put("model", model());
    result.put("provider", PROVIDER);
    var choices = result.putArray("choices");
    if (withChoice) {
      ObjectNode choice = choices.addObject();
      choice.put("index", 0);
      choice.put("finish_reason", finishReason);
      choice.put("native_finish_reason", nativeFinishReason);
      choice.putNull("logprobs");
      choice.set("message", message(message));
      if (choiceError != null) {
        choice.set("error", choiceError);
      }
    }
    result.set("usage", usage(message));
    return result;
  }

  static ObjectNode message(ChatAnswer.Assembled assembled) {
    ObjectNode message = JsonBodies.object();
    message.put("role", "assistant");
    message.put("content", assembled.content());
    message.putNull("refusal");
    message.put("reasoning", assembled.reasoning());
    if (!assembled.reasoningDetails().isEmpty()) {
      message.set("reasoning_details", assembled.reasoningDetails());
    }
    if (!assembled.toolCalls().isEmpty()) {
      message.set("tool_calls", assembled.toolCalls());
    }
    if (!assembled.annotations().isEmpty()) {
      message.set("annotations", assembled.annotations());
    }
    return message;
  }

  // ---- usage ----

  BigDecimal promptCost() {
    return entry.promptPrice().multiply(BigDecimal.valueOf(request.promptWords()));
  }

  BigDecimal completionCost(ChatAnswer.Assembled sent) {
    return entry.completionPrice().multiply(BigDecimal.valueOf(sent.completionWords()));
  }

  /** Usage as OpenRouter reports it (§2.9); cost = tokens × the model's per-token prices. */
  ObjectNode usage(ChatAnswer.Assembled sent) {
    int prompt = request.promptWords();
    int completion = sent.completionWords();
    ObjectNode usage = JsonBodies.object();
    usage.put("prompt_tokens", prompt);
    usage.put("completion_tokens", completion);
    usage.put("total_tokens", prompt + completion);
    usage.set("cost", JsonBodies.decimal(promptCost().add(completionCost(sent))));
    usage.put("is_byok", false);
    ObjectNode promptDetails = usage.putObject("prompt_tokens_details");
    for (String field : List.of("cached_tokens", "cache_write_tokens", "audio_tokens",
        "video_tokens")) {
      promptDetails.put(field, 0);
    }
    ObjectNode costDetails = usage.putObject("cost_details");
    costDetails.putNull("upstream_inference_cost");
    costDetails.set("upstream_inference_prompt_cost", JsonBodies.decimal(promptCost()));
    costDetails.set("upstream_inference_completions_cost", JsonBodies.decimal(completionCost(sent)));
    ObjectNode completionDetails = usage.putObject("completion_tokens_details");
    completionDetails.put("reasoning_tokens", sent.reasoningWords());
    completionDetails.put("audio_tokens", 0);
    completionDetails.put("image_tokens", 0);
    return usage;
  }
}
