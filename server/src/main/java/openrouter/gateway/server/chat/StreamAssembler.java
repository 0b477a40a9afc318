package openrouter.gateway.server.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import openrouter.gateway.server.json.Json;
import openrouter.gateway.server.json.StructJson;
import openrouter.gateway.v1.Annotation;
import openrouter.gateway.v1.AssistantMessage;
import openrouter.gateway.v1.ChatDelta;
import openrouter.gateway.v1.ChatSummary;
import openrouter.gateway.v1.GeneratedAudio;
import openrouter.gateway.v1.GeneratedImage;
import openrouter.gateway.v1.ToolCall;
import openrouter.gateway.v1.ToolCallDelta;
import openrouter.gateway.v1.UrlCitation;

/**
 * Turns the chunks of one upstream {@code /chat/completions} stream into {@link ChatDelta}
 * messages and remembers what the final {@link ChatSummary} and the assembled {@link
 * AssistantMessage} need. One instance per upstream stream; not thread-safe.
 *
 * <p>It is lenient, as OpenRouter asks clients to be: unknown fields are ignored; a missing or
 * null {@code choices} is fine; a choice carrying {@code message} instead of {@code delta} is
 * read like a delta; tool-call fragments may lack {@code id}, {@code index} or {@code
 * arguments}. Only the first choice is read (OpenRouter's chat endpoint returns one).
 *
 * <p>{@link CompletionMapper} feeds a whole non-streaming body through the same code, so both
 * paths assemble answers the same way.
 *
 * <p>A {@link #summaryOnly()} assembler, the one a stream uses, keeps only what the summary
 * needs (a few fields, the last usage, whether a tool was called), so a stream costs the same
 * memory however long its answer: the text has gone to the caller already.
 */
public final class StreamAssembler {

  /**
   * What one chunk gave.
   *
   * @param delta what the chunk added to the answer; empty when it added nothing (the role-only
   *     first chunk, a usage-only chunk, keep-alive or debug chunks)
   * @param error the chunk's top-level {@code error} (or, failing that, its first choice's
   *     {@code error}) exactly as sent, {@code code} being a number or a string; null when none
   */
  public record ChunkResult(Optional<ChatDelta> delta, JsonNode error) {
    public ChunkResult {
      Objects.requireNonNull(delta, "delta");
    }

    public boolean hasError() {
      return error != null;
    }
  }

  private final boolean keepsMessage;

  // Summary state.
  private String generationId = "";
  private String model = "";
  private String provider = "";
  private String systemFingerprint = "";
  private String serviceTier = "";
  private Long created;
  private String finishReason;
  private String nativeFinishReason;
  private JsonNode usage;
  private JsonNode openrouterMetadata;

  // Message state.
  private final StringBuilder content = new StringBuilder();
  private final StringBuilder reasoning = new StringBuilder();
  private final StringBuilder refusal = new StringBuilder();
  private final ReasoningDetails reasoningDetails = new ReasoningDetails();
  private final TreeMap<Integer, ToolCallAccumulator> toolCalls = new TreeMap<>();
  private final List<Annotation> annotations = new ArrayList<>();
  private final List<GeneratedImage> images = new ArrayList<>();
  private final AudioAccumulator audio = new AudioAccumulator();
  private JsonNode logprobs;
  private boolean toolCallSeen;

  /** An assembler that also assembles the message ({@link #assembledMessage()}). */
  public StreamAssembler() {
    this(true);
  }

  private StreamAssembler(boolean keepsMessage) {
    this.keepsMessage = keepsMessage;
  }

  /** An assembler that keeps what {@link #summary} needs and not the message. */
  public static StreamAssembler summaryOnly() {
    return new StreamAssembler(false);
  }

  /** The last non-empty chunk id seen: the generation id ("" before any). */
  public String generationId() {
    return generationId;
  }

  /** Reads one chunk (the parsed JSON of one {@code data:} event). */
  public ChunkResult accept(JsonNode chunk) {
    if (chunk == null || !chunk.isObject()) {
      return new ChunkResult(Optional.empty(), null);
    }
    generationId = text(chunk.get("id"), generationId);
    model = text(chunk.get("model"), model);
    provider = text(chunk.get("provider"), provider);
    systemFingerprint = text(chunk.get("system_fingerprint"), systemFingerprint);
    serviceTier = text(chunk.get("service_tier"), serviceTier);
    JsonNode createdNode = chunk.get("created");
    if (createdNode != null && createdNode.canConvertToLong() && createdNode.isNumber()) {
      created = createdNode.asLong();
    }
    if (present(chunk.get("usage"))) {
      usage = chunk.get("usage");
    }
    if (present(chunk.get("openrouter_metadata"))) {
      openrouterMetadata = chunk.get("openrouter_metadata");
    }

    JsonNode error = present(chunk.get("error")) ? chunk.get("error") : null;
    JsonNode choice = firstChoice(chunk);
    if (choice == null) {
      return new ChunkResult(Optional.empty(), error);
    }
    if (error == null && present(choice.get("error"))) {
      error = choice.get("error");
    }
    String finish = text(choice.get("finish_reason"), null);
    if (finish != null) {
      finishReason = finish;
    }
    String nativeFinish = text(choice.get("native_finish_reason"), null);
    if (nativeFinish != null) {
      nativeFinishReason = nativeFinish;
    }

    ChatDelta.Builder delta = ChatDelta.newBuilder();
    boolean carried = false;
    JsonNode d = choice.get("delta");
    if (d == null || !d.isObject()) {
      d = choice.get("message");
    }
    if (d != null && d.isObject()) {
      carried = readDelta(d, delta);
    }
    JsonNode lp = choice.get("logprobs");
    if (meaningfulLogprobs(lp)) {
      delta.setLogprobs(StructJson.toValue(lp));
      if (keepsMessage) {
        logprobs = mergeLogprobs(logprobs, lp);
      }
      carried = true;
    }
    return new ChunkResult(carried ? Optional.of(delta.build()) : Optional.empty(), error);
  }

  /** Whether any chunk carried a non-null {@code finish_reason}. */
  public boolean finishReasonSeen() {
    return finishReason != null;
  }

  /**
   * How the stream ended, from everything accepted so far: the last non-null finish reason
   * ({@code stop} is reported as {@code tool_calls} when the answer has tool calls; the native
   * reason stays as sent), the last usage seen anywhere, and the last non-empty id, model,
   * provider, created, system fingerprint, service tier and router metadata.
   */
  public ChatSummary summary(int attempts) {
    ChatSummary.Builder out =
        ChatSummary.newBuilder()
            .setFinishReason(effectiveFinishReason())
            .setNativeFinishReason(nativeFinishReason == null ? "" : nativeFinishReason)
            .setModel(model)
            .setProvider(provider)
            .setGenerationId(generationId)
            .setSystemFingerprint(systemFingerprint)
            .setServiceTier(serviceTier)
            .setAttempts(attempts);
    if (usage != null) {
      out.setUsage(UsageMapper.fromJson(usage));
    }
    if (created != null) {
      out.setCreated(Timestamp.newBuilder().setSeconds(created));
    }
    if (openrouterMetadata != null && openrouterMetadata.isObject()) {
      out.setOpenrouterMetadata(StructJson.toStruct(openrouterMetadata));
    }
    return out.build();
  }

  /**
   * The answer so far, assembled from every delta accepted.
   *
   * @throws IllegalStateException for a {@link #summaryOnly()} assembler
   */
  public AssistantMessage assembledMessage() {
    if (!keepsMessage) {
      throw new IllegalStateException("a summary-only assembler keeps no message");
    }
    AssistantMessage.Builder out =
        AssistantMessage.newBuilder()
            .setContent(content.toString())
            .setReasoning(reasoning.toString())
            .setRefusal(refusal.toString())
            .addAllReasoningDetails(reasoningDetails.merged())
            .addAllAnnotations(annotations)
            .addAllImages(images);
    for (ToolCallAccumulator c : toolCalls.values()) {
      out.addToolCalls(c.build());
    }
    if (audio.seen) {
      out.setAudio(audio.build());
    }
    if (logprobs != null) {
      out.setLogprobs(StructJson.toValue(logprobs));
    }
    return out.build();
  }

  private String effectiveFinishReason() {
    if (finishReason == null) {
      return "";
    }
    // Gemini 3 with encrypted reasoning says "stop" while calling tools [observed].
    if (finishReason.equals("stop") && toolCallSeen) {
      return "tool_calls";
    }
    return finishReason;
  }

  // ---------------------------------------------------------------------------------------------
  // Reading a delta

  private boolean readDelta(JsonNode d, ChatDelta.Builder out) {
    boolean carried = false;

    String text = contentText(d.get("content"));
    if (!text.isEmpty()) {
      out.setContent(text);
      if (keepsMessage) {
        content.append(text);
      }
      carried = true;
    }
    String r = text(d.get("reasoning"), "");
    if (r.isEmpty()) {
      r = text(d.get("reasoning_content"), ""); // alias some providers use
    }
    if (!r.isEmpty()) {
      out.setReasoning(r);
      if (keepsMessage) {
        reasoning.append(r);
      }
      carried = true;
    }
    String ref = text(d.get("refusal"), "");
    if (!ref.isEmpty()) {
      out.setRefusal(ref);
      if (keepsMessage) {
        refusal.append(ref);
      }
      carried = true;
    }

    JsonNode details = d.get("reasoning_details");
    if (details != null && details.isArray()) {
      for (JsonNode detail : details) {
        if (detail.isObject()) {
          out.addReasoningDetails(StructJson.toStruct(detail));
          if (keepsMessage) {
            reasoningDetails.add((ObjectNode) detail);
          }
          carried = true;
        }
      }
    }

    JsonNode calls = d.get("tool_calls");
    if (calls != null && calls.isArray()) {
      int position = 0;
      for (JsonNode call : calls) {
        if (call.isObject()) {
          ToolCallDelta fragment = toolCallDelta(call, position);
          out.addToolCalls(fragment);
          toolCallSeen = true;
          if (keepsMessage) {
            toolCalls.computeIfAbsent(fragment.getIndex(), i -> new ToolCallAccumulator()).add(fragment);
          }
          carried = true;
        }
        position++;
      }
    }

    JsonNode notes = d.get("annotations");
    if (notes != null && notes.isArray()) {
      for (JsonNode note : notes) {
        if (note.isObject()) {
          Annotation a = annotation(note);
          out.addAnnotations(a);
          if (keepsMessage) {
            annotations.add(a);
          }
          carried = true;
        }
      }
    }

    JsonNode imgs = d.get("images");
    if (imgs != null && imgs.isArray()) {
      for (JsonNode img : imgs) {
        String url = text(img.path("image_url").get("url"), text(img.get("url"), ""));
        if (!url.isEmpty()) {
          GeneratedImage image = GeneratedImage.newBuilder().setUrl(url).build();
          out.addImages(image);
          if (keepsMessage) {
            images.add(image);
          }
          carried = true;
        }
      }
    }

    JsonNode a = d.get("audio");
    if (a != null && a.isObject() && !a.isEmpty()) {
      GeneratedAudio fragment =
          GeneratedAudio.newBuilder()
              .setId(text(a.get("id"), ""))
              .setData(text(a.get("data"), ""))
              .setTranscript(text(a.get("transcript"), ""))
              .setExpiresAt(a.path("expires_at").asLong(0))
              .build();
      if (!fragment.equals(GeneratedAudio.getDefaultInstance())) {
        out.setAudio(fragment);
        if (keepsMessage) {
          audio.add(fragment);
        }
        carried = true;
      }
    }
    return carried;
  }

  private static ToolCallDelta toolCallDelta(JsonNode call, int position) {
    JsonNode fn = call.path("function");
    JsonNode args = fn.get("arguments");
    String arguments;
    if (args == null || args.isNull() || args.isMissingNode()) {
      arguments = "";
    } else if (args.isTextual()) {
      arguments = args.textValue();
    } else {
      arguments = Json.write(args); // a provider sent the arguments as an object
    }
    JsonNode index = call.get("index");
    return ToolCallDelta.newBuilder()
        .setIndex(index != null && index.canConvertToInt() && index.isNumber() ? index.asInt() : position)
        .setId(text(call.get("id"), ""))
        .setType(text(call.get("type"), ""))
        .setName(text(fn.get("name"), ""))
        .setArguments(arguments)
        .build();
  }

  private static Annotation annotation(JsonNode note) {
    String type = text(note.get("type"), "");
    Annotation.Builder out = Annotation.newBuilder().setType(type);
    if (type.equals("url_citation")) {
      JsonNode c = note.get("url_citation");
      if (c == null || !c.isObject()) {
        c = note; // flattened form: the citation fields on the annotation itself
      }
      UrlCitation.Builder citation =
          UrlCitation.newBuilder()
              .setUrl(text(c.get("url"), ""))
              .setTitle(text(c.get("title"), ""))
              .setContent(text(c.get("content"), ""));
      JsonNode start = c.get("start_index");
      if (start != null && start.isIntegralNumber() && start.canConvertToInt()) {
        citation.setStartIndex(start.asInt());
      }
      JsonNode end = c.get("end_index");
      if (end != null && end.isIntegralNumber() && end.canConvertToInt()) {
        citation.setEndIndex(end.asInt());
      }
      out.setUrlCitation(citation);
    } else {
      out.setOther(StructJson.toStruct(note));
    }
    return out.build();
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private static JsonNode firstChoice(JsonNode chunk) {
    JsonNode choices = chunk.get("choices");
    if (choices == null || !choices.isArray() || choices.isEmpty()) {
      return null;
    }
    JsonNode first = choices.get(0);
    return first.isObject() ? first : null;
  }

  /** The text of content: a string, or the text parts of a content array joined. */
  private static String contentText(JsonNode c) {
    if (c == null) {
      return "";
    }
    if (c.isTextual()) {
      return c.textValue();
    }
    if (c.isArray()) {
      StringBuilder sb = new StringBuilder();
      for (JsonNode part : c) {
        if (part.isTextual()) {
          sb.append(part.textValue());
        } else if (part.isObject() && part.path("text").isTextual()) {
          sb.append(part.get("text").textValue());
        }
      }
      return sb.toString();
    }
    return "";
  }

  private static boolean present(JsonNode n) {
    return n != null && !n.isNull() && !n.isMissingNode();
  }

  /** A string field's text; {@code otherwise} when missing, null, empty or not a string. */
  private static String text(JsonNode n, String otherwise) {
    if (n != null && n.isTextual() && !n.textValue().isEmpty()) {
      return n.textValue();
    }
    if (n != null && n.isNumber()) {
      return n.asText(); // e.g. a numeric id
    }
    return otherwise;
  }

  /** Whether logprobs carry anything: not null, and not only empty arrays or nulls inside. */
  private static boolean meaningfulLogprobs(JsonNode lp) {
    if (!present(lp)) {
      return false;
    }
    if (lp.isObject()) {
      for (JsonNode v : lp) {
        if (present(v) && !(v.isContainerNode() && v.isEmpty())) {
          return true;
        }
      }
      return false;
    }
    return !(lp.isContainerNode() && lp.isEmpty());
  }

  /** Log probabilities: arrays under the same key are concatenated; anything else replaced. */
  private static JsonNode mergeLogprobs(JsonNode so, JsonNode add) {
    if (so == null || !so.isObject() || !add.isObject()) {
      return add.deepCopy();
    }
    ObjectNode merged = ((ObjectNode) so).deepCopy();
    for (Map.Entry<String, JsonNode> e : add.properties()) {
      JsonNode old = merged.get(e.getKey());
      if (old != null && old.isArray() && e.getValue().isArray()) {
        ((ArrayNode) old).addAll((ArrayNode) e.getValue().deepCopy());
      } else if (present(e.getValue()) || old == null) {
        merged.set(e.getKey(), e.getValue().deepCopy());
      }
    }
    return merged;
  }

  /**
   * Merges streamed {@code reasoning_details}: {@code reasoning.text} fragments with the same
   * {@code index} become one entry with their {@code text} concatenated (other fields take the
   * latest non-null value, e.g. a closing {@code signature}); {@code reasoning.encrypted} entries
   * are kept once per {@code id}, the latest winning; everything else is appended as it came.
   * Entries keep the order in which they first appeared.
   */
  private static final class ReasoningDetails {
    private final List<ObjectNode> entries = new ArrayList<>();
    private final Map<String, ObjectNode> textByIndex = new HashMap<>();
    private final Map<String, Integer> encryptedById = new HashMap<>();

    void add(ObjectNode detail) {
      String type = detail.path("type").asText("");
      if (type.equals("reasoning.text")) {
        String key = detail.path("index").asText("none");
        ObjectNode existing = textByIndex.get(key);
        if (existing == null) {
          ObjectNode copy = detail.deepCopy();
          textByIndex.put(key, copy);
          entries.add(copy);
        } else {
          for (Map.Entry<String, JsonNode> e : detail.properties()) {
            if (e.getKey().equals("text")) {
              String joined = existing.path("text").asText("") + e.getValue().asText("");
              existing.put("text", joined);
            } else if (present(e.getValue()) || !existing.has(e.getKey())) {
              existing.set(e.getKey(), e.getValue().deepCopy());
            }
          }
        }
        return;
      }
      if (type.equals("reasoning.encrypted") && detail.path("id").isTextual()) {
        String id = detail.get("id").textValue();
        Integer at = encryptedById.get(id);
        if (at != null) {
          entries.set(at, detail.deepCopy());
        } else {
          encryptedById.put(id, entries.size());
          entries.add(detail.deepCopy());
        }
        return;
      }
      entries.add(detail.deepCopy());
    }

    List<Struct> merged() {
      List<Struct> out = new ArrayList<>(entries.size());
      for (ObjectNode e : entries) {
        out.add(StructJson.toStruct(e));
      }
      return out;
    }
  }

  /** One tool call being assembled from its fragments. */
  private static final class ToolCallAccumulator {
    private String id = "";
    private String type = "";
    private String name = "";
    private final StringBuilder arguments = new StringBuilder();

    void add(ToolCallDelta f) {
      if (id.isEmpty()) id = f.getId();
      if (type.isEmpty()) type = f.getType();
      if (name.isEmpty()) name = f.getName();
      arguments.append(f.getArguments());
    }

    ToolCall build() {
      return ToolCall.newBuilder()
          .setId(id)
          .setType(type.isEmpty() ? "function" : type)
          .setName(name)
          .setArguments(arguments.toString())
          .build();
    }
  }

  /**
   * Audio assembled from fragments: id and expiry from the latest fragment that has them,
   * transcript concatenated, and data the concatenation of the decoded fragments (each streamed
   * fragment is its own base64 string, possibly padded), re-encoded.
   */
  private static final class AudioAccumulator {
    boolean seen;
    private String id = "";
    private long expiresAt;
    private final StringBuilder transcript = new StringBuilder();
    private final List<String> data = new ArrayList<>();

    void add(GeneratedAudio f) {
      seen = true;
      if (!f.getId().isEmpty()) id = f.getId();
      if (f.getExpiresAt() != 0) expiresAt = f.getExpiresAt();
      transcript.append(f.getTranscript());
      if (!f.getData().isEmpty()) data.add(f.getData());
    }

    GeneratedAudio build() {
      return GeneratedAudio.newBuilder()
          .setId(id)
          .setExpiresAt(expiresAt)
          .setTranscript(transcript.toString())
          .setData(joinedData())
          .build();
    }

    private String joinedData() {
      if (data.size() <= 1) {
        return data.isEmpty() ? "" : data.get(0);
      }
      try {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (String d : data) {
          bytes.writeBytes(Base64.getDecoder().decode(d));
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
      } catch (IllegalArgumentException notBase64) {
        return String.join("", data);
      }
    }
  }
}
