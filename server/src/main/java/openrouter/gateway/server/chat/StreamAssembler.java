package openrouter.gateway.server.chat;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import openrouter.gateway.server.upstream.wire.ChatChunk;
import openrouter.gateway.server.upstream.wire.OpenRouterError;
import openrouter.gateway.server.upstream.wire.TokenUsage;
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
 * <p>The chunks come typed from {@link openrouter.gateway.server.upstream.wire.ChatChunks},
 * which reads OpenRouter's JSON leniently; only the first choice is read (OpenRouter's chat
 * endpoint returns one).
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
   *     {@code error}); null when none
   */
  public record ChunkResult(Optional<ChatDelta> delta, OpenRouterError error) {
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
  private TokenUsage usage;
  private Struct openrouterMetadata;

  // Message state.
  private final StringBuilder content = new StringBuilder();
  private final StringBuilder reasoning = new StringBuilder();
  private final StringBuilder refusal = new StringBuilder();
  private final ReasoningDetails reasoningDetails = new ReasoningDetails();
  private final TreeMap<Integer, ToolCallAccumulator> toolCalls = new TreeMap<>();
  private final List<Annotation> annotations = new ArrayList<>();
  private final List<GeneratedImage> images = new ArrayList<>();
  private final AudioAccumulator audio = new AudioAccumulator();
  private Value logprobs;
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

  /** Reads one chunk (one {@code data:} event, or a whole completion body). */
  public ChunkResult accept(ChatChunk chunk) {
    generationId = or(chunk.id(), generationId);
    model = or(chunk.model(), model);
    provider = or(chunk.provider(), provider);
    systemFingerprint = or(chunk.systemFingerprint(), systemFingerprint);
    serviceTier = or(chunk.serviceTier(), serviceTier);
    chunk.created().ifPresent(c -> created = c);
    chunk.usage().ifPresent(u -> usage = u);
    chunk.openrouterMetadata().ifPresent(m -> openrouterMetadata = m);
    OpenRouterError error = chunk.error().orElse(null);
    if (chunk.choice().isEmpty()) {
      return new ChunkResult(Optional.empty(), error);
    }
    ChatChunk.Choice choice = chunk.choice().get();
    choice.finishReason().ifPresent(f -> finishReason = f);
    choice.nativeFinishReason().ifPresent(f -> nativeFinishReason = f);

    ChatDelta.Builder delta = ChatDelta.newBuilder();
    boolean carried = choice.delta().isPresent() && readDelta(choice.delta().get(), delta);
    if (choice.logprobs().isPresent()) {
      Value lp = choice.logprobs().get();
      delta.setLogprobs(lp);
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
      out.setUsage(UsageMapper.toUsage(usage));
    }
    if (created != null) {
      out.setCreated(Timestamp.newBuilder().setSeconds(created));
    }
    if (openrouterMetadata != null) {
      out.setOpenrouterMetadata(openrouterMetadata);
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
      out.setLogprobs(logprobs);
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

  private boolean readDelta(ChatChunk.Delta d, ChatDelta.Builder out) {
    boolean carried = false;
    if (!d.content().isEmpty()) {
      out.setContent(d.content());
      if (keepsMessage) {
        content.append(d.content());
      }
      carried = true;
    }
    if (!d.reasoning().isEmpty()) {
      out.setReasoning(d.reasoning());
      if (keepsMessage) {
        reasoning.append(d.reasoning());
      }
      carried = true;
    }
    if (!d.refusal().isEmpty()) {
      out.setRefusal(d.refusal());
      if (keepsMessage) {
        refusal.append(d.refusal());
      }
      carried = true;
    }
    for (Struct detail : d.reasoningDetails()) {
      out.addReasoningDetails(detail);
      if (keepsMessage) {
        reasoningDetails.add(detail);
      }
      carried = true;
    }
    for (ChatChunk.ToolCallFragment call : d.toolCalls()) {
      ToolCallDelta fragment = ToolCallDelta.newBuilder()
          .setIndex(call.index()).setId(call.id()).setType(call.type()).setName(call.name())
          .setArguments(call.arguments()).build();
      out.addToolCalls(fragment);
      toolCallSeen = true;
      if (keepsMessage) {
        toolCalls.computeIfAbsent(fragment.getIndex(), i -> new ToolCallAccumulator()).add(fragment);
      }
      carried = true;
    }
    for (ChatChunk.Annotation note : d.annotations()) {
      Annotation a = annotation(note);
      out.addAnnotations(a);
      if (keepsMessage) {
        annotations.add(a);
      }
      carried = true;
    }
    for (String url : d.imageUrls()) {
      GeneratedImage image = GeneratedImage.newBuilder().setUrl(url).build();
      out.addImages(image);
      if (keepsMessage) {
        images.add(image);
      }
      carried = true;
    }
    if (d.audio().isPresent()) {
      ChatChunk.AudioFragment a = d.audio().get();
      GeneratedAudio fragment = GeneratedAudio.newBuilder()
          .setId(a.id()).setData(a.data()).setTranscript(a.transcript()).setExpiresAt(a.expiresAt()).build();
      out.setAudio(fragment);
      if (keepsMessage) {
        audio.add(fragment);
      }
      carried = true;
    }
    return carried;
  }

  private static Annotation annotation(ChatChunk.Annotation note) {
    Annotation.Builder out = Annotation.newBuilder().setType(note.type());
    note.urlCitation().ifPresent(c -> {
      UrlCitation.Builder citation =
          UrlCitation.newBuilder().setUrl(c.url()).setTitle(c.title()).setContent(c.content());
      c.startIndex().ifPresent(citation::setStartIndex);
      c.endIndex().ifPresent(citation::setEndIndex);
      out.setUrlCitation(citation);
    });
    note.other().ifPresent(out::setOther);
    return out.build();
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private static String or(String value, String otherwise) {
    return value.isEmpty() ? otherwise : value;
  }

  private static boolean present(Value v) {
    return v != null && v.getKindCase() != Value.KindCase.NULL_VALUE && v.getKindCase() != Value.KindCase.KIND_NOT_SET;
  }

  /** Log probabilities: arrays under the same key are concatenated; anything else replaced. */
  private static Value mergeLogprobs(Value so, Value add) {
    if (so == null || !so.hasStructValue() || !add.hasStructValue()) {
      return add;
    }
    Struct.Builder merged = so.getStructValue().toBuilder();
    for (Map.Entry<String, Value> e : add.getStructValue().getFieldsMap().entrySet()) {
      Value old = merged.getFieldsMap().get(e.getKey());
      if (old != null && old.hasListValue() && e.getValue().hasListValue()) {
        ListValue joined = old.getListValue().toBuilder().addAllValues(e.getValue().getListValue().getValuesList()).build();
        merged.putFields(e.getKey(), Value.newBuilder().setListValue(joined).build());
      } else if (present(e.getValue()) || old == null) {
        merged.putFields(e.getKey(), e.getValue());
      }
    }
    return Value.newBuilder().setStructValue(merged).build();
  }

  /**
   * Merges streamed {@code reasoning_details}: {@code reasoning.text} fragments with the same
   * {@code index} become one entry with their {@code text} concatenated (other fields take the
   * latest non-null value, e.g. a closing {@code signature}); {@code reasoning.encrypted} entries
   * are kept once per {@code id}, the latest winning; everything else is appended as it came.
   * Entries keep the order in which they first appeared.
   */
  private static final class ReasoningDetails {
    private final List<Struct.Builder> entries = new ArrayList<>();
    private final Map<String, Struct.Builder> textByIndex = new HashMap<>();
    private final Map<String, Integer> encryptedById = new HashMap<>();

    void add(Struct detail) {
      Map<String, Value> fields = detail.getFieldsMap();
      String type = text(fields.get("type"), "");
      if (type.equals("reasoning.text")) {
        String key = text(fields.get("index"), "none");
        Struct.Builder existing = textByIndex.get(key);
        if (existing == null) {
          Struct.Builder copy = detail.toBuilder();
          textByIndex.put(key, copy);
          entries.add(copy);
        } else {
          for (Map.Entry<String, Value> e : fields.entrySet()) {
            if (e.getKey().equals("text")) {
              String joined = text(existing.getFieldsMap().get("text"), "") + text(e.getValue(), "");
              existing.putFields("text", Value.newBuilder().setStringValue(joined).build());
            } else if (present(e.getValue()) || !existing.containsFields(e.getKey())) {
              existing.putFields(e.getKey(), e.getValue());
            }
          }
        }
        return;
      }
      Value id = fields.get("id");
      if (type.equals("reasoning.encrypted") && id != null && id.hasStringValue()) {
        Integer at = encryptedById.get(id.getStringValue());
        if (at != null) {
          entries.set(at, detail.toBuilder());
        } else {
          encryptedById.put(id.getStringValue(), entries.size());
          entries.add(detail.toBuilder());
        }
        return;
      }
      entries.add(detail.toBuilder());
    }

    /** A value's text as Jackson's {@code asText} gave it: numbers in their shortest form. */
    private static String text(Value v, String otherwise) {
      if (v == null) {
        return otherwise;
      }
      return switch (v.getKindCase()) {
        case STRING_VALUE -> v.getStringValue();
        case NUMBER_VALUE -> v.getNumberValue() == Math.rint(v.getNumberValue()) && !Double.isInfinite(v.getNumberValue())
            ? Long.toString((long) v.getNumberValue()) : Double.toString(v.getNumberValue());
        case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
        case NULL_VALUE -> otherwise;
        default -> "";
      };
    }

    List<Struct> merged() {
      List<Struct> out = new ArrayList<>(entries.size());
      for (Struct.Builder e : entries) {
        out.add(e.build());
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
