package openrouter.gateway.simulator;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The simulator's model catalogue: what {@code GET /models} lists and how each model answers
 * {@code POST /chat/completions}. Every {@code sim/*} model works streaming and non-streaming
 * unless the table says otherwise.
 *
 * <h2>Chat models</h2>
 * <table>
 * <caption>sim/* models</caption>
 * <tr><th>Model</th><th>Behaviour</th></tr>
 * <tr><td>{@code sim/echo}</td><td>Answers with the text of the last user message (plain
 *     {@code content} or its concatenated {@code text} parts), streamed a word per chunk with the
 *     spaces kept, so the chunks concatenate to the exact text.</td></tr>
 * <tr><td>{@code sim/inspect}</td><td>Answers with the raw request body it received, in
 *     64-character chunks, so tests can check what the gateway sent.</td></tr>
 * <tr><td>{@code sim/fixed}</td><td>{@code sim_chunks} chunks (default 64) of
 *     {@code sim_chunk_chars} characters (default 8), each ending in a space so
 *     {@code completion_tokens == sim_chunks}. For benchmarks.</td></tr>
 * <tr><td>{@code sim/tools}</td><td>If the last message is a {@code tool} result: text
 *     {@code Tool result received: <content>}. Otherwise calls the first function in
 *     {@code tools} ({@code get_weather} if none) with {@code {"city":"Paris"}}; with two or
 *     more tools and {@code parallel_tool_calls} not false it calls the first two (indices 0 and
 *     1). Streamed as three fragments per call (id {@code call_sim_<n>}, type and name first, then
 *     argument pieces); finish_reason {@code tool_calls}.</td></tr>
 * <tr><td>{@code sim/reasoning}</td><td>Streams {@code delta.reasoning} and
 *     {@code delta.reasoning_details} ({@code reasoning.text}, index 0), then echoes the last
 *     user message. Usage reports {@code reasoning_tokens}. Non-streaming:
 *     {@code message.reasoning} and {@code message.reasoning_details}.</td></tr>
 * <tr><td>{@code sim/slow}</td><td>Echo with 200 ms between chunks (override with
 *     {@code sim_chunk_delay_ms}), keep-alive comments while waiting.</td></tr>
 * <tr><td>{@code sim/stall}</td><td>One content chunk, then only {@code : OPENROUTER
 *     PROCESSING} comments forever. Non-streaming: 200 and whitespace padding forever.</td></tr>
 * <tr><td>{@code sim/stall-first}</td><td>Only comments, never a data event (non-streaming:
 *     padding forever).</td></tr>
 * <tr><td>{@code sim/cited}</td><td>A fixed sentence with a {@code url_citation} annotation
 *     (on the last content chunk when streaming).</td></tr>
 * </table>
 *
 * <h2>Fault models</h2>
 * <table>
 * <caption>sim/* fault models</caption>
 * <tr><th>Model</th><th>Behaviour</th></tr>
 * <tr><td>{@code sim/error-<status>}</td><td>For 400, 401, 402, 403, 404, 408, 409, 413, 422,
 *     429, 500, 502, 503, 504, 524, 529: that HTTP error before any output, with OpenRouter's
 *     body and {@code metadata.error_type}: 400 {@code context_length_exceeded}; 402
 *     "Insufficient credits..."; 403 moderation ({@code reasons}, {@code flagged_input},
 *     {@code provider_name}, {@code model_slug}); 404 availability {@code no_endpoints}; 429
 *     with {@code Retry-After: 2}, {@code X-RateLimit-*} headers and {@code metadata.headers};
 *     500 masked "Internal Server Error" ({@code server}); 502 "Provider returned error" with
 *     {@code provider_name} and a JSON-string {@code raw}; 503 with {@code Retry-After: 1};
 *     524 with {@code raw: "error code: 524"}.</td></tr>
 * <tr><td>{@code sim/error-429-availability}</td><td>429 with the §6.4 {@code availability}
 *     object ({@code capacity_exhausted}, {@code retryable: true}, {@code retry_after: 40}),
 *     no {@code Retry-After} header, and, like the documented example, no {@code error.code}
 *     ({@code error_type} and {@code http_status} instead).</td></tr>
 * <tr><td>{@code sim/error-midstream}</td><td>Three content chunks, then an error chunk
 *     ({@code "code":502}, {@code error_type: provider_unavailable}, {@code finish_reason:
 *     "error"}) and the end, without {@code [DONE]}. Non-streaming: 200 with the partial content,
 *     {@code finish_reason: "error"} and {@code choices[0].error}.</td></tr>
 * <tr><td>{@code sim/error-midstream-string}</td><td>Same with {@code "code":"server_error"}.
 *     </td></tr>
 * <tr><td>{@code sim/truncated}</td><td>Three content chunks, then the body ends: no
 *     finish_reason, no usage, no {@code [DONE]}. Non-streaming: the JSON body cut in half.</td></tr>
 * <tr><td>{@code sim/error-in-200}</td><td>HTTP 200 whose body is an error (code 524,
 *     {@code "id":null,"choices":null}); streaming: the first data event is that error.</td></tr>
 * <tr><td>{@code sim/padded}</td><td>Non-streaming: 200 committed at once, then {@code "\n"} and
 *     spaces at 20 ms intervals, then the echo JSON. Streaming: like echo.</td></tr>
 * <tr><td>{@code sim/malformed}</td><td>Non-streaming: 200 with an HTML "502 Bad Gateway" page
 *     ({@code text/html}). Streaming: a {@code data: {"id":} event with broken JSON, then
 *     {@code [DONE]}.</td></tr>
 * <tr><td>{@code sim/empty}</td><td>200 with {@code choices: []} and usage; streaming: only the
 *     usage chunk and {@code [DONE]}.</td></tr>
 * <tr><td>{@code sim/error-in-200-json}</td><td>HTTP 200 {@code application/json} whose body is
 *     the 524 error of {@code sim/error-in-200}, streaming requests included.</td></tr>
 * <tr><td>{@code sim/error-503-retry-after-0}</td><td>The 503 of {@code sim/error-503} with
 *     {@code Retry-After: 0}.</td></tr>
 * <tr><td>{@code sim/redirect}</td><td>308 to {@code /api/v2/chat/completions}.</td></tr>
 * <tr><td>{@code sim/redirect-loop}</td><td>307 back to the same URL, every time.</td></tr>
 * <tr><td>{@code sim/huge}</td><td>One content piece of {@code sim_huge_bytes} bytes (default
 *     80 MiB), well-formed: streaming, one event on one line, then finish, usage and
 *     {@code [DONE]}; non-streaming, one body.</td></tr>
 * <tr><td>{@code sim/endless-line}</td><td>Streaming: a {@code data:} line that never ends;
 *     non-streaming: a body that never ends. Until the client leaves.</td></tr>
 * <tr><td>{@code sim/error-echo-key}</td><td>400 whose message repeats the request's key as
 *     sent, upper-cased and without {@code sk-or-v1-}, and whose {@code metadata.error_type} is
 *     the key.</td></tr>
 * </table>
 *
 * <p>All {@code sim/*} models cost 0.000001 per prompt token and 0.000002 per completion token;
 * a token is a whitespace-separated word. Unknown variants ({@code sim/echo:nitro}) resolve to
 * the base model.
 *
 * <h2>Other catalogue entries (for listing filters)</h2>
 * <table>
 * <caption>simlabs/* models</caption>
 * <tr><th>Model</th><th>Context</th><th>Input / output</th><th>Prompt / completion price</th>
 *     <th>Notes</th></tr>
 * <tr><td>{@code simlabs/tiny}</td><td>8192</td><td>text / text</td><td>0.0000001 /
 *     0.0000002</td><td>no tools; expires 2027-06-30; Hugging Face id</td></tr>
 * <tr><td>{@code simlabs/tiny:free}</td><td>8192</td><td>text / text</td><td>0 / 0</td><td>the
 *     free listing of tiny</td></tr>
 * <tr><td>{@code simlabs/vision-pro}</td><td>1000000</td><td>text, image, file / text</td>
 *     <td>0.0000025 / 0.000015</td><td>tools, reasoning, cache prices, long-prompt price
 *     override</td></tr>
 * <tr><td>{@code simlabs/audio-lite}</td><td>32768</td><td>text, audio / text</td>
 *     <td>0.0000003 / 0.0000012</td><td>audio price</td></tr>
 * <tr><td>{@code simlabs/pixel}</td><td>32768</td><td>text, image / image</td>
 *     <td>0.0000003 / 0.0000025</td><td>image output: hidden by the default listing</td></tr>
 * <tr><td>{@code simlabs/embed-small}</td><td>8192</td><td>text / embeddings</td>
 *     <td>0.00000002 / 0</td><td>hidden by default; 400 {@code wrong_endpoint} on chat</td></tr>
 * </table>
 * The other {@code simlabs/*} models answer chat requests like {@code sim/echo}.
 *
 * <h2>Real OpenRouter ids</h2>
 * So that examples written for OpenRouter work offline, the catalogue also lists a few real
 * models with OpenRouter's ids and (rounded, point-in-time) shapes: {@code openai/gpt-4o},
 * {@code openai/gpt-4o-mini}, {@code openai/gpt-4o-audio-preview} (audio in and out),
 * {@code anthropic/claude-sonnet-4.5}, {@code google/gemini-2.5-flash},
 * {@code google/gemini-2.5-flash-image} (image output), {@code meta-llama/llama-3.3-70b-instruct}
 * and its {@code :free} listing. They all answer chat like {@code sim/echo}; their prices are
 * what {@code usage.cost} is computed from.
 */
final class SimulatorCatalog {
  /** Used when a request names no model (OpenRouter would use the account default). */
  static final String DEFAULT_MODEL = "sim/echo";

  private static final long SIM_CREATED = 1_767_225_600L; // 2026-01-01T00:00:00Z
  private static final long DAY = 86_400L;

  private final Map<String, CatalogEntry> entries = new LinkedHashMap<>();

  SimulatorCatalog() {
    addSimModels();
    addFaultModels();
    addOtherModels();
    addRealisticModels();
  }

  /** Every entry, in listing order. */
  List<CatalogEntry> all() {
    return Collections.unmodifiableList(new ArrayList<>(entries.values()));
  }

  /** The entry for an id, trying the id without its {@code :variant} suffix next; or null. */
  CatalogEntry resolve(String id) {
    CatalogEntry exact = entries.get(id);
    if (exact != null || id.indexOf(':') < 0) {
      return exact;
    }
    return entries.get(id.substring(0, id.indexOf(':')));
  }

  private void addSimModels() {
    sim("sim/echo", "Echo", "Answers with the text of the last user message, a word per chunk.",
        ChatScenarios.echo()).input("text", "image", "file", "audio").tools();
    sim("sim/inspect", "Inspect", "Answers with the exact request body it received.",
        ChatScenarios.inspect()).tools().reasoning();
    sim("sim/fixed", "Fixed", "A fixed-size answer shaped by metadata sim_chunks,"
        + " sim_chunk_chars and sim_chunk_delay_ms. For benchmarks.", ChatScenarios.fixed());
    sim("sim/tools", "Tools", "Calls the first function tool (or two in parallel), or"
        + " acknowledges a tool result.", ChatScenarios.tools()).tools();
    sim("sim/reasoning", "Reasoning", "Streams reasoning, then echoes the last user message.",
        ChatScenarios.reasoning()).reasoning();
    sim("sim/slow", "Slow", "Echo with 200 ms between chunks and keep-alive comments.",
        ChatScenarios.slow());
    sim("sim/stall", "Stall", "One content chunk, then keep-alive comments forever.",
        ChatScenarios.stall());
    sim("sim/stall-first", "Stall First", "Keep-alive comments forever, never a data event.",
        ChatScenarios.stallFirst());
    sim("sim/cited", "Cited", "An answer with a url_citation annotation.",
        ChatScenarios.cited());
  }

  private void addFaultModels() {
    for (int status : ErrorResponses.FAULT_STATUSES) {
      CatalogEntry entry = sim("sim/error-" + status, "Error " + status,
          "Fails with HTTP " + status + " before any output.", ChatScenarios.error(status));
      if (status == 403) {
        entry.moderated();
      }
    }
    sim("sim/error-429-availability", "Error 429 Availability",
        "Fails with a 429 capacity_exhausted availability error.",
        ChatScenarios.capacityExhausted());
    sim("sim/error-midstream", "Error Midstream",
        "Three chunks, then an error chunk with a numeric code.",
        ChatScenarios.midstreamError(false));
    sim("sim/error-midstream-string", "Error Midstream String",
        "Three chunks, then an error chunk with a string code.",
        ChatScenarios.midstreamError(true));
    sim("sim/truncated", "Truncated", "Three chunks, then the body ends without [DONE].",
        ChatScenarios.truncated());
    sim("sim/error-in-200", "Error In 200", "HTTP 200 whose body is an error.",
        ChatScenarios.errorIn200());
    sim("sim/padded", "Padded", "Whitespace padding before a non-streaming JSON body.",
        ChatScenarios.padded());
    sim("sim/malformed", "Malformed", "HTTP 200 with an unparsable body.",
        ChatScenarios.malformed());
    sim("sim/empty", "Empty", "HTTP 200 with no choices.", ChatScenarios.empty());
    sim("sim/error-in-200-json", "Error In 200 JSON",
        "HTTP 200 application/json error body, even to a streaming request.",
        ChatScenarios.jsonErrorIn200());
    sim("sim/error-503-retry-after-0", "Error 503 Retry Now",
        "Fails with HTTP 503 and Retry-After: 0.", ChatScenarios.overloadedRetryNow());
    sim("sim/redirect", "Redirect", "HTTP 308 to another path.", ChatScenarios.redirect(false));
    sim("sim/redirect-loop", "Redirect Loop", "HTTP 307 back to the same URL.",
        ChatScenarios.redirect(true));
    sim("sim/huge", "Huge", "One content piece of sim_huge_bytes bytes (80 MiB).",
        ChatScenarios.huge());
    sim("sim/endless-line", "Endless Line", "A content piece that never ends: no line break,"
        + " no end of body.", ChatScenarios.endless());
    sim("sim/error-echo-key", "Error Echo Key",
        "HTTP 400 whose message and error_type repeat the request's key.",
        ChatScenarios.echoKey());
  }

  private void addOtherModels() {
    add(new CatalogEntry("simlabs/tiny")
        .name("SimLabs: Tiny").canonicalSlug("simlabs/tiny-20240101")
        .created(1_704_067_200L).description("A small, cheap text model without tool support.")
        .context(8_192, 2_048).tokenizer("Llama3", "llama3")
        .prices("0.0000001", "0.0000002")
        .expires("2027-06-30").knowledgeCutoff("2023-12-31")
        .huggingFace("simlabs/tiny-1b-instruct"));
    add(new CatalogEntry("simlabs/tiny:free")
        .name("SimLabs: Tiny (free)").canonicalSlug("simlabs/tiny-20240101")
        .created(1_704_067_200L).description("The free listing of SimLabs Tiny.")
        .context(8_192, 2_048).tokenizer("Llama3", "llama3")
        .prices("0", "0")
        .knowledgeCutoff("2023-12-31").huggingFace("simlabs/tiny-1b-instruct"));
    add(new CatalogEntry("simlabs/vision-pro")
        .name("SimLabs: Vision Pro").canonicalSlug("simlabs/vision-pro-20250801")
        .created(1_754_006_400L)
        .description("A long-context multimodal model with tools and reasoning.")
        .context(1_000_000, 65_536).tokenizer("Gemini", null)
        .input("text", "image", "file")
        .prices("0.0000025", "0.000015")
        .price("input_cache_read", "0.00000025").price("input_cache_write", "0.000003125")
        .priceOverride(200_000, "0.000005", "0.00003")
        .tools().reasoning().knowledgeCutoff("2025-01-31"));
    add(new CatalogEntry("simlabs/audio-lite")
        .name("SimLabs: Audio Lite").canonicalSlug("simlabs/audio-lite-20250315")
        .created(1_742_000_000L).description("A text model that also listens to audio.")
        .context(32_768, 8_192).tokenizer("Qwen3", "qwen3")
        .input("text", "audio")
        .prices("0.0000003", "0.0000012").price("audio", "0.00004"));
    add(new CatalogEntry("simlabs/pixel")
        .name("SimLabs: Pixel").canonicalSlug("simlabs/pixel-20250601")
        .created(1_748_736_000L).description("An image generation model (image output only).")
        .context(32_768, 8_192)
        .input("text", "image").output("image")
        .prices("0.0000003", "0.0000025").price("image_output", "0.00004")
        .onlyParameters("max_tokens", "seed", "temperature"));
    add(new CatalogEntry("simlabs/embed-small")
        .name("SimLabs: Embed Small").canonicalSlug("simlabs/embed-small-20241001")
        .created(1_727_740_800L).description("A text embedding model.")
        .context(8_192, 0).output("embeddings")
        .prices("0.00000002", "0")
        .onlyParameters()
        .scenario(ChatScenarios.wrongEndpoint()));
  }

  /** Real OpenRouter ids and shapes; every one answers like sim/echo (the default scenario). */
  private void addRealisticModels() {
    List<String> openAiParameters = List.of("frequency_penalty", "logit_bias", "logprobs",
        "max_tokens", "presence_penalty", "response_format", "seed", "stop",
        "structured_outputs", "temperature", "tool_choice", "tools", "top_logprobs", "top_p",
        "web_search_options");
    add(new CatalogEntry("openai/gpt-4o")
        .name("OpenAI: GPT-4o").canonicalSlug("openai/gpt-4o")
        .created(1_715_367_049L)
        .description("GPT-4o (\"o\" for \"omni\") is OpenAI's multimodal flagship: text and"
            + " image inputs with text outputs.")
        .context(128_000, 16_384).tokenizer("GPT", null)
        .input("text", "image", "file")
        .prices("0.0000025", "0.00001").price("input_cache_read", "0.00000125")
        .moderated().onlyParameters(openAiParameters.toArray(String[]::new))
        .knowledgeCutoff("2023-10-01"));
    add(new CatalogEntry("openai/gpt-4o-mini")
        .name("OpenAI: GPT-4o-mini").canonicalSlug("openai/gpt-4o-mini")
        .created(1_721_260_800L)
        .description("GPT-4o mini is OpenAI's small, affordable multimodal model.")
        .context(128_000, 16_384).tokenizer("GPT", null)
        .input("text", "image", "file")
        .prices("0.00000015", "0.0000006").price("input_cache_read", "0.000000075")
        .moderated().onlyParameters(openAiParameters.toArray(String[]::new))
        .knowledgeCutoff("2023-10-01"));
    add(new CatalogEntry("openai/gpt-4o-audio-preview")
        .name("OpenAI: GPT-4o Audio").canonicalSlug("openai/gpt-4o-audio-preview")
        .created(1_755_220_444L)
        .description("GPT-4o with audio input and output.")
        .context(128_000, 16_384).tokenizer("GPT", null)
        .input("text", "audio").output("text", "audio")
        .prices("0.0000025", "0.00001").price("audio", "0.00004")
        .moderated().onlyParameters(openAiParameters.toArray(String[]::new)));
    add(new CatalogEntry("anthropic/claude-sonnet-4.5")
        .name("Anthropic: Claude Sonnet 4.5").canonicalSlug("anthropic/claude-4.5-sonnet-20250929")
        .created(1_759_161_676L)
        .description("Claude Sonnet 4.5 is Anthropic's model for coding and agents, with"
            + " extended thinking.")
        .context(1_000_000, 64_000).tokenizer("Claude", null)
        .input("text", "image", "file")
        .prices("0.000003", "0.000015")
        .price("input_cache_read", "0.0000003").price("input_cache_write", "0.00000375")
        .priceOverride(200_000, "0.000006", "0.0000225")
        .moderated()
        .onlyParameters("max_tokens", "response_format", "stop", "structured_outputs",
            "temperature", "tool_choice", "tools", "top_k", "top_p")
        .reasoning().knowledgeCutoff("2025-07-31"));
    add(new CatalogEntry("google/gemini-2.5-flash")
        .name("Google: Gemini 2.5 Flash").canonicalSlug("google/gemini-2.5-flash")
        .created(1_750_172_488L)
        .description("Gemini 2.5 Flash is Google's fast, low-cost reasoning model with a"
            + " 1M-token context.")
        .context(1_048_576, 65_535).tokenizer("Gemini", null)
        .input("text", "image", "file", "audio", "video")
        .prices("0.0000003", "0.0000025").price("audio", "0.000001")
        .price("input_cache_read", "0.00000003").price("input_cache_write", "0.0000003833")
        .onlyParameters("max_tokens", "response_format", "seed", "stop", "structured_outputs",
            "temperature", "tool_choice", "tools", "top_p")
        .reasoning().knowledgeCutoff("2025-01-31"));
    add(new CatalogEntry("google/gemini-2.5-flash-image")
        .name("Google: Gemini 2.5 Flash Image").canonicalSlug("google/gemini-2.5-flash-image")
        .created(1_759_870_431L)
        .description("Gemini 2.5 Flash Image (\"Nano Banana\") generates and edits images.")
        .context(32_768, 8_192).tokenizer("Gemini", null)
        .input("image", "text").output("image", "text")
        .prices("0.0000003", "0.0000025").price("image", "0.001238")
        .price("image_output", "0.00003")
        .onlyParameters("max_tokens", "response_format", "seed", "structured_outputs",
            "temperature", "top_p"));
    List<String> llamaParameters = List.of("frequency_penalty", "max_tokens", "min_p",
        "presence_penalty", "repetition_penalty", "response_format", "seed", "stop",
        "structured_outputs", "temperature", "tool_choice", "tools", "top_k", "top_p");
    add(new CatalogEntry("meta-llama/llama-3.3-70b-instruct")
        .name("Meta: Llama 3.3 70B Instruct").canonicalSlug("meta-llama/llama-3.3-70b-instruct")
        .created(1_733_506_137L)
        .description("Llama 3.3 70B is Meta's multilingual instruction-tuned text model.")
        .context(131_072, 16_384).tokenizer("Llama3", "llama3")
        .prices("0.00000013", "0.00000039")
        .onlyParameters(llamaParameters.toArray(String[]::new))
        .knowledgeCutoff("2023-12-31").huggingFace("meta-llama/Llama-3.3-70B-Instruct"));
    add(new CatalogEntry("meta-llama/llama-3.3-70b-instruct:free")
        .name("Meta: Llama 3.3 70B Instruct (free)")
        .canonicalSlug("meta-llama/llama-3.3-70b-instruct")
        .created(1_733_506_137L)
        .description("The free listing of Llama 3.3 70B Instruct (free-tier rate limits).")
        .context(131_072, 2_048).tokenizer("Llama3", "llama3")
        .prices("0", "0")
        .onlyParameters("frequency_penalty", "max_tokens", "presence_penalty",
            "repetition_penalty", "seed", "stop", "temperature", "top_k", "top_p")
        .knowledgeCutoff("2023-12-31").huggingFace("meta-llama/Llama-3.3-70B-Instruct"));
  }

  private CatalogEntry sim(String id, String title, String description, ChatScenario scenario) {
    // Distinct, deterministic creation times (one day apart) so "newest" sorting is testable.
    long created = SIM_CREATED - entries.size() * DAY;
    return add(new CatalogEntry(id).name("Simulator: " + title).created(created)
        .description(description).scenario(scenario));
  }

  private CatalogEntry add(CatalogEntry entry) {
    entries.put(entry.id, entry);
    return entry;
  }
}
