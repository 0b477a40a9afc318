package openrouter.gateway.server.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import openrouter.gateway.server.upstream.UpstreamTarget;

/**
 * The gateway's configuration, read once at start-up from environment variables and flags, as
 * one group of settings per concern. Each group is built from the parsed values by setting name
 * (see its {@code from}); turning them into the policies they configure (RetryPolicy,
 * InputLimits, ChatPolicy, rate limits, ...) is the bootstrap's job, so this package imports no
 * package it configures (but the plain values RateLimit and Budget, whose text form it parses).
 *
 * <p>Every setting is listed in {@link #SETTINGS}, which also drives {@code --help} and the
 * table in docs/configuration.md. Parsing fails fast with a {@link ConfigException} whose one-line message
 * names the variable and what is wrong; a secret's value is never echoed.
 */
public record GatewayConfig(
    UpstreamSettings upstream,
    ChatSettings chat,
    CacheSettings cache,
    SecuritySettings security,
    ServerSettings server,
    OperationsSettings operations,
    EmbeddingSettings embeddings,
    FleetSettings fleet) {

  public static final String DEFAULT_BASE_URL = UpstreamTarget.OPENROUTER_API;

  static final Setting API_KEY =
      Setting.secret(
          "OPENROUTER_API_KEY",
          "OpenRouter API key (sk-or-...). Unset: serve from the built-in simulator.");
  static final Setting BASE_URL =
      Setting.plain("OPENROUTER_BASE_URL", DEFAULT_BASE_URL, "OpenRouter API base URL.");
  static final Setting HTTP2_PRIOR_KNOWLEDGE =
      Setting.plain(
          "OPENROUTER_HTTP2_PRIOR_KNOWLEDGE",
          "false",
          "Speak cleartext HTTP/2 (h2c, prior knowledge) to an http:// base URL, such as the"
              + " simulator: streams share a few connections instead of one each. https:// URLs"
              + " negotiate HTTP/2 through TLS anyway, so this must stay false for them.");
  static final Setting DEFAULT_MODEL =
      Setting.plain(
          "OPENROUTER_DEFAULT_MODEL", "", "Model used when a chat request names none.");
  static final Setting SITE_URL =
      Setting.plain(
          "OPENROUTER_SITE_URL", "", "Your app's URL, sent as HTTP-Referer for attribution.");
  static final Setting SITE_NAME =
      Setting.plain(
          "OPENROUTER_SITE_NAME",
          "openrouter-grpc-gateway",
          "Your app's name, sent as X-OpenRouter-Title and X-Title.");
  static final Setting DEFAULT_MAX_TOKENS =
      Setting.plain(
          "OPENROUTER_DEFAULT_MAX_TOKENS",
          "4096",
          "max_tokens sent when a chat request sets none, so OpenRouter does not reserve the"
              + " model's whole output ceiling against the balance.");
  static final Setting MODELS_TTL =
      Setting.plain("OPENROUTER_CACHE_TTL_MODELS", "3600000", "Model catalogue cache TTL, ms.");
  static final Setting CREDITS_TTL =
      Setting.plain("OPENROUTER_CACHE_TTL_CREDITS", "300000", "Credits and key cache TTL, ms.");
  static final Setting CACHE_MAX_STALENESS =
      Setting.plain(
          "OPENROUTER_CACHE_MAX_STALENESS_MS",
          "86400000",
          "Oldest a cached catalogue, balance or key info may be when refreshing it fails and it"
              + " is served instead (marked stale, with its age), ms; never less than the TTL.");
  static final Setting CACHE_MIN_REFRESH_INTERVAL =
      Setting.plain(
          "OPENROUTER_CACHE_MIN_REFRESH_INTERVAL_MS",
          "10000",
          "force_refresh reads one cache entry from OpenRouter at most once per interval (within"
              + " it the value just read is served), and a failed refresh is retried no sooner, ms.");
  static final Setting LOW_BALANCE =
      Setting.plain(
          "OPENROUTER_LOW_BALANCE_USD",
          "",
          "Balance in USD below which GetCredits sets low_balance, the log warns once per"
              + " crossing, and the detailed health reports it. Empty: no threshold.");
  static final Setting MAX_RETRIES =
      Setting.plain(
          "OPENROUTER_MAX_RETRIES",
          "2",
          "Retries of an upstream attempt that certainly was not served (connection failures,"
              + " 429, 502, 503, 529, malformed bodies), only before anything reached the caller.");
  static final Setting RETRY_INITIAL =
      Setting.plain("OPENROUTER_RETRY_INITIAL_DELAY_MS", "250", "First retry backoff ceiling, ms.");
  static final Setting RETRY_MAX =
      Setting.plain("OPENROUTER_RETRY_MAX_DELAY_MS", "5000", "Largest retry backoff ceiling, ms,"
          + " and the longest upstream Retry-After the gateway waits: a longer one fails the call"
          + " at once, its RetryInfo carrying the upstream's delay.");
  static final Setting RETRY_MULTIPLIER =
      Setting.plain("OPENROUTER_RETRY_MULTIPLIER", "2", "Backoff growth per retry (full jitter).");
  // The three read bounds: names and defaults are those of upstream.UpstreamLimits (written out
  // here because upstream/ imports config/; PoliciesTest checks that they agree).
  static final Setting MAX_SSE_LINE =
      Setting.plain(
          "OPENROUTER_MAX_SSE_LINE_BYTES",
          "16777216",
          "Longest line of an upstream event stream, bytes; a longer one ends that call"
              + " UNAVAILABLE (UPSTREAM_MALFORMED_RESPONSE) and closes its connection.");
  static final Setting MAX_SSE_EVENT =
      Setting.plain(
          "OPENROUTER_MAX_SSE_EVENT_BYTES",
          "16777216",
          "Largest event (data lines together) of an upstream event stream, bytes; larger ends"
              + " that call the same way.");
  static final Setting MAX_RESPONSE =
      Setting.plain(
          "OPENROUTER_MAX_RESPONSE_BYTES",
          "67108864",
          "Largest non-streaming upstream answer (a Chat completion, the model catalogue), bytes;"
              + " larger ends that call the same way.");
  static final Setting TTFT_TIMEOUT =
      Setting.plain(
          "OPENROUTER_TTFT_TIMEOUT_MS",
          "120000",
          "Time limit for a stream's first token (keep-alive comments do not count); 0 = none.");
  static final Setting IDLE_TIMEOUT =
      Setting.plain(
          "OPENROUTER_STREAM_IDLE_TIMEOUT_MS",
          "120000",
          "Time limit between two chunks of a stream; 0 = none.");
  static final Setting HOST =
      Setting.plain(
          "GATEWAY_HOST",
          "127.0.0.1",
          "gRPC listen address; 0.0.0.0 for every interface (the Docker image sets it).");
  static final Setting PORT = Setting.plain("GATEWAY_PORT", "50051", "gRPC listen port.");
  static final Setting CHAT_TIMEOUT =
      Setting.plain(
          "GATEWAY_CHAT_TIMEOUT_MS",
          "600000",
          "Total time limit of a chat call whose caller sets no gRPC deadline, ms.");
  static final Setting MAX_STREAMS =
      Setting.plain(
          "GATEWAY_MAX_CONCURRENT_STREAMS",
          "10000",
          "Chat calls in flight at once; more get RESOURCE_EXHAUSTED.");
  static final Setting SHUTDOWN_GRACE =
      Setting.plain(
          "GATEWAY_SHUTDOWN_GRACE_MS",
          "25000",
          "On SIGTERM, how long in-flight calls may finish before they are cancelled, ms"
              + " (keep it below Kubernetes' terminationGracePeriodSeconds, 30 s by default).");

  // Connection management (docs/operations.md "Connections and TLS").
  static final Setting KEEPALIVE_TIME =
      Setting.plain(
          "GATEWAY_KEEPALIVE_TIME_MS",
          "60000",
          "The server pings a connection silent for this long, so dead peers and idle-dropping"
              + " balancers are noticed, ms (10000 at least, grpc-java's floor); 0 = never.");
  static final Setting KEEPALIVE_TIMEOUT =
      Setting.plain(
          "GATEWAY_KEEPALIVE_TIMEOUT_MS",
          "20000",
          "A connection whose peer does not answer a ping within this is closed, ms.");
  static final Setting PERMIT_KEEPALIVE_TIME =
      Setting.plain(
          "GATEWAY_PERMIT_KEEPALIVE_TIME_MS",
          "20000",
          "Shortest client ping interval tolerated; faster pingers get GOAWAY too_many_pings, ms.");
  static final Setting PERMIT_KEEPALIVE_WITHOUT_CALLS =
      Setting.plain(
          "GATEWAY_PERMIT_KEEPALIVE_WITHOUT_CALLS",
          "true",
          "Whether clients may ping a connection with no call in flight (sidecars keep idle"
              + " pooled connections alive this way).");
  static final Setting MAX_CONNECTION_IDLE =
      Setting.plain(
          "GATEWAY_MAX_CONNECTION_IDLE_MS",
          "1800000",
          "A connection with no call for this long is closed gracefully (GOAWAY), ms; 0 = never.");
  static final Setting MAX_CONNECTION_AGE =
      Setting.plain(
          "GATEWAY_MAX_CONNECTION_AGE_MS",
          "1800000",
          "Connections older than this get GOAWAY, so clients reconnect and L4 balancers"
              + " spread load over new pods, ms; 0 = never.");
  static final Setting MAX_CONNECTION_AGE_GRACE =
      Setting.plain(
          "GATEWAY_MAX_CONNECTION_AGE_GRACE_MS",
          "660000",
          "After that GOAWAY, how long calls in flight may still run before the connection is"
              + " closed, ms: longer than the longest stream (GATEWAY_CHAT_TIMEOUT_MS + 60 s); 0 = no"
              + " limit.");
  static final Setting MAX_INBOUND_MESSAGE =
      Setting.plain(
          "GATEWAY_MAX_INBOUND_MESSAGE_BYTES",
          "16777216",
          "Largest request message accepted (images travel inline as data URLs), bytes; larger"
              + " get RESOURCE_EXHAUSTED.");
  static final Setting MAX_INBOUND_METADATA =
      Setting.plain(
          "GATEWAY_MAX_INBOUND_METADATA_BYTES",
          "8192",
          "Largest request metadata (headers) accepted, bytes; a larger call alone gets"
              + " RESOURCE_EXHAUSTED (METADATA_TOO_LARGE), other calls on its connection go on.");
  static final Setting MAX_RST_FRAMES =
      Setting.plain(
          "GATEWAY_MAX_RST_FRAMES_PER_WINDOW",
          "1000",
          "HTTP/2 rapid-reset protection: a connection whose client resets more streams than this"
              + " within GATEWAY_RST_FRAMES_WINDOW_SECONDS gets GOAWAY (ENHANCE_YOUR_CALM) and is"
              + " closed; 0 = no limit.");
  static final Setting RST_FRAMES_WINDOW =
      Setting.plain(
          "GATEWAY_RST_FRAMES_WINDOW_SECONDS",
          "10",
          "The window of GATEWAY_MAX_RST_FRAMES_PER_WINDOW, whole seconds.");
  static final Setting TLS_CERT =
      Setting.plain(
          "GATEWAY_TLS_CERT",
          "",
          "PEM certificate chain of the server; set with GATEWAY_TLS_KEY to serve TLS."
              + " Unset: plaintext (for a mesh or sidecar that terminates TLS).");
  static final Setting TLS_KEY =
      Setting.plain(
          "GATEWAY_TLS_KEY", "", "PEM private key (PKCS#8) of GATEWAY_TLS_CERT.");
  static final Setting TLS_CLIENT_CA =
      Setting.plain(
          "GATEWAY_TLS_CLIENT_CA",
          "",
          "PEM CA certificate(s); set it to require a client certificate signed by them (mutual"
              + " TLS).");

  // Observability (docs/operations.md).
  static final Setting METRICS_PORT =
      Setting.plain(
          "GATEWAY_METRICS_PORT",
          "9464",
          "Port of the Prometheus endpoint (HTTP, /metrics) on GATEWAY_HOST; 0 = any free"
              + " port, off = no endpoint.");
  static final Setting LOG_FORMAT =
      Setting.plain(
          "GATEWAY_LOG_FORMAT", "text", "Log format: text, or json (one JSON object per line).");
  static final Setting ACCESS_LOG =
      Setting.plain(
          "GATEWAY_ACCESS_LOG",
          "all",
          "Access lines: all (one per call), errors (only calls that did not end OK), or off."
              + " At high call rates the line is a large share of a cheap call's cost.");
  static final Setting LOG_LEVEL =
      Setting.plain(
          "GATEWAY_LOG_LEVEL",
          "INFO",
          "Log level: ERROR, WARN, INFO or DEBUG (DEBUG logs upstream requests and responses,"
              + " keys and authorization headers redacted).");
  static final Setting PROBE_INTERVAL =
      Setting.plain(
          "GATEWAY_HEALTH_PROBE_INTERVAL_MS",
          "30000",
          "Interval of the background upstream probe (GET /key, never a chat call), ms; 0 ="
              + " no probe.");
  static final Setting PROBE_TIMEOUT =
      Setting.plain(
          "GATEWAY_HEALTH_PROBE_TIMEOUT_MS",
          "5000",
          "Time limit of one upstream probe, ms.");

  static final Setting API_KEYS_FILE =
      Setting.plain(
          "GATEWAY_API_KEYS_FILE",
          "",
          "Callers' keys file (caller id and SHA-256 of its key a line); set: every call needs"
              + " authorization: Bearer <key>. Unset: no caller authentication (a warning is logged).");
  static final Setting ALLOW_CALLER_KEYS =
      Setting.plain(
          "GATEWAY_ALLOW_CALLER_KEYS",
          "false",
          "Accept a caller's own OpenRouter key in the x-openrouter-api-key header (the call then"
              + " spends the caller's credits).");
  static final Setting RATE_CHAT =
      Setting.plain("GATEWAY_RATE_LIMIT_CHAT", "30/1m", "Default per-caller limit of StreamChat and Chat calls.");
  static final Setting RATE_MODELS =
      Setting.plain("GATEWAY_RATE_LIMIT_MODELS", "100/10s", "Default per-caller limit of ListModels, GetModel, ListModelEndpoints, ListProviders and ListEmbeddingModels calls.");
  static final Setting RATE_CREDITS =
      Setting.plain(
          "GATEWAY_RATE_LIMIT_CREDITS", "100/10s", "Default per-caller limit of GetCredits, GetKey and GetGeneration calls.");
  static final Setting RATE_EMBEDDINGS =
      Setting.plain("GATEWAY_RATE_LIMIT_EMBEDDINGS", "300/1m", "Default per-caller limit of Embed calls.");
  static final Setting DEFAULT_EMBEDDING_MODEL =
      Setting.plain(
          "OPENROUTER_DEFAULT_EMBEDDING_MODEL", "", "Model used when an Embed request names none.");
  static final Setting ENDPOINTS_TTL =
      Setting.plain(
          "OPENROUTER_CACHE_TTL_ENDPOINTS",
          "30000",
          "ListModelEndpoints cache TTL, ms (short: uptime and latency figures move).");
  static final Setting MAX_EMBED_INPUTS =
      Setting.plain("GATEWAY_MAX_EMBED_INPUTS", "2048", "Most inputs in one Embed request (OpenRouter's limit is 2048).");
  static final Setting MAX_EMBED_BYTES =
      Setting.plain("GATEWAY_MAX_EMBED_BYTES", "8388608", "Most bytes of one serialized Embed request.");
  static final Setting STREAMS_PER_CALLER =
      Setting.plain("GATEWAY_MAX_STREAMS_PER_CALLER", "100", "Chat calls in flight per authenticated caller.");
  static final Setting BUDGET =
      Setting.plain(
          "GATEWAY_BUDGET",
          "",
          "Default spend budget of each caller in USD per fixed UTC window of whole days, e.g."
              + " 25/1d or 100/30d (a keys-file budget= overrides it); a caller whose window's spend"
              + " reached it gets BUDGET_EXCEEDED. Empty: no budget.");
  static final Setting REDIS_URL =
      Setting.plain(
          "GATEWAY_REDIS_URL",
          "",
          "Redis holding the state several replicas share (rate limits, per-caller concurrency,"
              + " spend): redis://host:port/db, rediss:// for TLS. Empty: each replica keeps it in"
              + " memory.");
  static final Setting REDIS_PASSWORD =
      Setting.secret("GATEWAY_REDIS_PASSWORD", "Redis password, when not in GATEWAY_REDIS_URL.");
  static final Setting REDIS_KEY_PREFIX =
      Setting.plain("GATEWAY_REDIS_KEY_PREFIX", "orgw:", "Prefix of every key the gateway writes in Redis.");
  static final Setting REDIS_FAILURE_MODE =
      Setting.plain(
          "GATEWAY_REDIS_FAILURE_MODE",
          "open",
          "While Redis is unreachable: open = serve with this replica's own in-memory limits and"
              + " count spend locally (health DEGRADED); closed = refuse chat calls UNAVAILABLE"
              + " SHARED_STATE_UNAVAILABLE.");
  static final Setting REDIS_TIMEOUT =
      Setting.plain("GATEWAY_REDIS_TIMEOUT_MS", "1000", "Time limit of one Redis command, ms.");
  static final Setting REDIS_LEASE =
      Setting.plain(
          "GATEWAY_REDIS_LEASE_MS",
          "15000",
          "Lease of a shared concurrency slot, renewed while its call runs: slots of a replica"
              + " that died come back within this time, ms.");
  static final Setting MAX_MESSAGES =
      Setting.plain("GATEWAY_MAX_MESSAGES", "2048", "Most messages in one chat request.");
  static final Setting MAX_REQUEST_BYTES =
      Setting.plain("GATEWAY_MAX_REQUEST_BYTES", "10485760", "Most bytes of one serialized chat request.");
  static final Setting MAX_CONTENT_CHARS =
      Setting.plain("GATEWAY_MAX_CONTENT_CHARS", "8000000", "Most characters of one content string or part.");
  static final Setting MAX_TOOLS = Setting.plain("GATEWAY_MAX_TOOLS", "128", "Most tools in one chat request.");
  static final Setting MAX_TOOL_SCHEMA_BYTES =
      Setting.plain("GATEWAY_MAX_TOOL_SCHEMA_BYTES", "65536", "Most bytes of one tool's parameter schema.");

  /** Every setting, in the order of docs/configuration.md's table. */
  public static final List<Setting> SETTINGS =
      List.of(
          API_KEY,
          BASE_URL,
          HTTP2_PRIOR_KNOWLEDGE,
          DEFAULT_MODEL,
          SITE_URL,
          SITE_NAME,
          DEFAULT_MAX_TOKENS,
          MODELS_TTL,
          CREDITS_TTL,
          CACHE_MAX_STALENESS,
          CACHE_MIN_REFRESH_INTERVAL,
          LOW_BALANCE,
          MAX_RETRIES,
          RETRY_INITIAL,
          RETRY_MAX,
          RETRY_MULTIPLIER,
          MAX_SSE_LINE,
          MAX_SSE_EVENT,
          MAX_RESPONSE,
          TTFT_TIMEOUT,
          IDLE_TIMEOUT,
          HOST,
          PORT,
          CHAT_TIMEOUT,
          MAX_STREAMS,
          SHUTDOWN_GRACE,
          API_KEYS_FILE,
          ALLOW_CALLER_KEYS,
          RATE_CHAT,
          RATE_MODELS,
          RATE_CREDITS,
          RATE_EMBEDDINGS,
          STREAMS_PER_CALLER,
          BUDGET,
          REDIS_URL,
          REDIS_PASSWORD,
          REDIS_KEY_PREFIX,
          REDIS_FAILURE_MODE,
          REDIS_TIMEOUT,
          REDIS_LEASE,
          MAX_MESSAGES,
          MAX_REQUEST_BYTES,
          MAX_CONTENT_CHARS,
          MAX_TOOLS,
          MAX_TOOL_SCHEMA_BYTES,
          KEEPALIVE_TIME,
          KEEPALIVE_TIMEOUT,
          PERMIT_KEEPALIVE_TIME,
          PERMIT_KEEPALIVE_WITHOUT_CALLS,
          MAX_CONNECTION_IDLE,
          MAX_CONNECTION_AGE,
          MAX_CONNECTION_AGE_GRACE,
          MAX_INBOUND_MESSAGE,
          MAX_INBOUND_METADATA,
          MAX_RST_FRAMES,
          RST_FRAMES_WINDOW,
          TLS_CERT,
          TLS_KEY,
          TLS_CLIENT_CA,
          METRICS_PORT,
          LOG_FORMAT,
          LOG_LEVEL,
          ACCESS_LOG,
          PROBE_INTERVAL,
          PROBE_TIMEOUT,
          DEFAULT_EMBEDDING_MODEL,
          ENDPOINTS_TTL,
          MAX_EMBED_INPUTS,
          MAX_EMBED_BYTES);

  /** Reads the process environment and command-line flags; flags win. */
  public static GatewayConfig load(Map<String, String> env, List<String> args) {
    Map<String, String> values = new LinkedHashMap<>();
    for (Setting s : SETTINGS) {
      String v = env.get(s.env());
      if (v != null) {
        values.put(s.env(), v);
      }
    }
    values.putAll(parseFlags(args));
    return fromValues(values);
  }

  /** Flags as {@code --name=value} or {@code --name value}; unknown flags are an error. */
  static Map<String, String> parseFlags(List<String> args) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String name = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      Setting setting = byFlag(name);
      if (setting == null) {
        throw new ConfigException(
            "unknown flag " + name + " (run with --help to list the settings)");
      }
      if (value == null) {
        if (i + 1 >= args.size()) {
          throw new ConfigException("flag " + name + " needs a value");
        }
        value = args.get(++i);
      }
      out.put(setting.env(), value);
    }
    return out;
  }

  private static Setting byFlag(String flag) {
    for (Setting s : SETTINGS) {
      if (s.flag().equals(flag)) {
        return s;
      }
    }
    return null;
  }

  /** Settings checked together: a rule about one of them needs the others' values. */
  private static final List<List<Setting>> RELATED = List.of(
      List.of(API_KEY, BASE_URL, HTTP2_PRIOR_KNOWLEDGE),
      List.of(TLS_CERT, TLS_KEY, TLS_CLIENT_CA));

  /**
   * The configuration, or a ConfigException naming every wrong setting, one line each: after
   * the first problem, each setting is checked again alone (with those it relates to), so an
   * operator fixes them all in one go.
   */
  static GatewayConfig fromValues(Map<String, String> values) {
    try {
      return build(values);
    } catch (ConfigException first) {
      java.util.Set<String> problems = new java.util.LinkedHashSet<>();
      for (Setting s : SETTINGS) {
        if (!values.containsKey(s.env())) {
          continue;
        }
        Map<String, String> alone = new LinkedHashMap<>();
        alone.put(s.env(), values.get(s.env()));
        for (List<Setting> group : RELATED) {
          if (group.contains(s)) {
            group.stream().filter(r -> values.containsKey(r.env()))
                .forEach(r -> alone.put(r.env(), values.get(r.env())));
          }
        }
        try {
          build(alone);
        } catch (ConfigException e) {
          problems.add(e.getMessage());
        }
      }
      problems.add(first.getMessage());
      if (problems.size() == 1) {
        throw first;
      }
      throw new ConfigException(String.join("\n", problems));
    }
  }

  private static GatewayConfig build(Map<String, String> values) {
    SettingValues v = new SettingValues(values);
    return new GatewayConfig(
        UpstreamSettings.from(v),
        ChatSettings.from(v),
        CacheSettings.from(v),
        SecuritySettings.from(v),
        ServerSettings.from(v),
        OperationsSettings.from(v),
        EmbeddingSettings.from(v),
        FleetSettings.from(v));
  }

  /** The settings table for {@code --help}. */
  public static String helpText() {
    StringBuilder sb = new StringBuilder();
    sb.append("Usage: java -jar gateway.jar [--flag value ...]\n\n")
        .append("Each setting is an environment variable, overridable by its flag.\n\n");
    for (Setting s : SETTINGS) {
      sb.append(String.format("  %-34s %s%n", s.flag(), s.env()))
          .append("      ")
          .append(s.description());
      if (!s.defaultValue().isEmpty()) {
        sb.append(" Default: ").append(s.defaultValue()).append('.');
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** Never prints the key. */
  @Override
  public String toString() {
    return "GatewayConfig[apiKey="
        + (upstream.apiKey().isPresent() ? "<set>" : "<unset>")
        + ", baseUrl="
        + upstream.baseUrl()
        + ", port="
        + server.port()
        + "]";
  }
}
