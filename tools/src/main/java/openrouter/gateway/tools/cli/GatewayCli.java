package openrouter.gateway.tools.cli;

import com.google.protobuf.MessageOrBuilder;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import openrouter.gateway.client.GatewayClient;
import openrouter.gateway.client.GatewayException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code java -jar gateway-cli.jar}: talks to a gateway from a terminal or a script. Every
 * subcommand takes the connection options; results go to stdout, everything else (progress,
 * errors, hints) to stderr, and the exit code says what kind of failure happened.
 */
@Command(
    name = "gateway-cli",
    mixinStandardHelpOptions = true,
    versionProvider = GatewayCli.Version.class,
    description = "Calls an openrouter-grpc-gateway: chat, models, credits, key, spend, generation, health.",
    subcommands = {
      ChatCommand.class,
      ModelsCommand.class,
      CreditsCommand.class,
      KeyCommand.class,
      SpendCommand.class,
      GenerationCommand.class,
      HealthCommand.class,
      EmbedCommand.class,
      EndpointsCommand.class,
      ProvidersCommand.class,
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:the gateway failed the call (INTERNAL, UNKNOWN, DATA_LOSS, ...)",
      "2:invalid command line, or unreadable TLS files",
      "3:gateway or provider unavailable, or the gateway is not serving: retry later",
      "4:rate limited or overloaded (RESOURCE_EXHAUSTED): retry after the hinted delay",
      "5:credentials rejected or request not allowed (UNAUTHENTICATED, PERMISSION_DENIED)",
      "6:the request must change (INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, ...)",
      "7:deadline exceeded",
      "8:the gateway does not implement this call (UNIMPLEMENTED)",
      "130:cancelled"
    })
public final class GatewayCli {
  static final String DEFAULT_TARGET = "127.0.0.1:50051";
  static final String TARGET_ENV = "GATEWAY_TARGET";
  static final String API_KEY_ENV = "GATEWAY_API_KEY";
  static final String OPENROUTER_KEY_ENV = "GATEWAY_OPENROUTER_KEY";

  @Option(names = "--target", scope = ScopeType.INHERIT, paramLabel = "HOST:PORT",
      description = "Gateway address (default: $" + TARGET_ENV + ", else " + DEFAULT_TARGET + ").")
  String target;

  @Option(names = "--tls", scope = ScopeType.INHERIT,
      description = "Use TLS with the system's trusted CAs (default: plaintext).")
  boolean tls;

  @Option(names = "--ca-cert", scope = ScopeType.INHERIT, paramLabel = "PEM",
      description = "Use TLS trusting only these CA certificates.")
  File caCert;

  @Option(names = "--client-cert", scope = ScopeType.INHERIT, paramLabel = "PEM",
      description = "Mutual TLS: the client certificate chain (with --client-key).")
  File clientCert;

  @Option(names = "--client-key", scope = ScopeType.INHERIT, paramLabel = "PEM",
      description = "Mutual TLS: the client's PKCS#8 private key.")
  File clientKey;

  @Option(names = "--authority", scope = ScopeType.INHERIT, paramLabel = "NAME",
      description = "Authority and TLS server name to use instead of the target's host.")
  String authority;

  @Option(names = "--api-key", scope = ScopeType.INHERIT, paramLabel = "KEY",
      description = "Gateway caller key, sent as 'authorization: Bearer', for a gateway that"
          + " authenticates callers (default: $" + API_KEY_ENV + "; prefer the variable: flags show"
          + " in the process list). Not your OpenRouter key: see --openrouter-key.")
  String apiKey;

  @Option(names = "--openrouter-key", scope = ScopeType.INHERIT, paramLabel = "KEY",
      description = "Your own OpenRouter key (sk-or-...), sent as 'x-openrouter-api-key', for a"
          + " gateway that allows bring-your-own-key and then spends your credits (default: $"
          + OPENROUTER_KEY_ENV + ").")
  String openRouterKey;

  @Option(names = "--timeout", scope = ScopeType.INHERIT, paramLabel = "SECONDS",
      description = "Deadline of the call (default: 600 for chat, 30 for the others).")
  Double timeoutSeconds;

  @Option(names = "--no-retry", scope = ScopeType.INHERIT,
      description = "Do not retry reads that fail UNAVAILABLE (they are retried up to 3 times by default;"
          + " chat never is).")
  boolean noRetry;

  final CliContext context;
  /** The deadline of the call in progress, for a readable DEADLINE_EXCEEDED; null before one. */
  Duration deadline;

  GatewayCli(CliContext context) {
    this.context = context;
  }

  public static void main(String[] args) {
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    // System.in, not a FileInputStream on fd 0: the latter's readAllBytes seeks, and a pipe cannot.
    InputStream in = System.in;
    int code = run(args, new CliContext(in, out, err, System.getenv(), Terminal.stderrIsTerminal()));
    out.flush();
    System.exit(code);
  }

  /** Runs one command line and returns its exit code; {@code main} without the exit, for tests. */
  public static int run(String[] args, CliContext context) {
    CommandLine cli = new CommandLine(new GatewayCli(context), new CliFactory(context));
    cli.setOut(new PrintWriter(context.out(), true, StandardCharsets.UTF_8));
    cli.setErr(new PrintWriter(context.err(), true, StandardCharsets.UTF_8));
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof GatewayException g) {
        GatewayCli top = top(commandLine);
        return ErrorReport.print(g, context.err(), commandLine.getCommandName(), top.target(), top.deadline);
      }
      if (e instanceof UsageException || e instanceof IllegalArgumentException) {
        context.err().println("error: " + e.getMessage());
        return ExitCodes.USAGE;
      }
      context.err().println("error: " + e);
      return ExitCodes.FAILED;
    });
    int code = cli.execute(args);
    context.out().flush();
    return code;
  }

  /** One read with a client opened for reads (the read timeout), closed afterwards. */
  <R> R read(Function<GatewayClient, R> call) {
    try (GatewayClient client = openClient(GatewayClient.DEFAULT_READ_TIMEOUT, false)) {
      return call.apply(client);
    }
  }

  /** Prints an answer as indented proto3 JSON, a command's {@code --json} output. */
  int printJson(MessageOrBuilder answer) {
    context.out().println(ProtoJsonOutput.pretty(answer));
    return ExitCodes.OK;
  }

  /** Opens a client with the connection options; the caller closes it. */
  GatewayClient openClient(Duration defaultTimeout, boolean chat) {
    GatewayClient.Builder b = GatewayClient.newBuilder(target());
    if (tls) {
      b.useTls();
    }
    if (caCert != null) {
      b.trustedCertificates(caCert);
    }
    if (clientCert != null || clientKey != null) {
      if (clientCert == null || clientKey == null) {
        throw new UsageException("--client-cert and --client-key go together");
      }
      b.clientCertificate(clientCert, clientKey);
    }
    if (authority != null) {
      b.authority(authority);
    }
    if (noRetry) {
      b.withoutRetries();
    }
    String key = apiKey != null ? apiKey : context.env().get(API_KEY_ENV);
    if (key != null && !key.isBlank()) {
      b.apiKey(key.trim());
    }
    String ownKey = openRouterKey != null ? openRouterKey : context.env().get(OPENROUTER_KEY_ENV);
    if (ownKey != null && !ownKey.isBlank()) {
      b.openRouterKey(ownKey.trim());
    }
    Duration timeout = defaultTimeout;
    if (timeoutSeconds != null) {
      if (!(timeoutSeconds > 0)) {
        throw new UsageException("--timeout must be a positive number of seconds, got " + timeoutSeconds);
      }
      timeout = Duration.ofMillis(Math.round(timeoutSeconds * 1000));
    }
    deadline = timeout;
    if (chat) {
      b.chatTimeout(timeout);
    } else {
      b.readTimeout(timeout);
    }
    return b.build();
  }

  String target() {
    if (target != null && !target.isBlank()) {
      return target;
    }
    String fromEnv = context.env().get(TARGET_ENV);
    return fromEnv != null && !fromEnv.isBlank() ? fromEnv : DEFAULT_TARGET;
  }

  private static GatewayCli top(CommandLine commandLine) {
    CommandLine top = commandLine;
    while (top.getParent() != null) {
      top = top.getParent();
    }
    return (GatewayCli) top.getCommand();
  }

  /** Builds commands with the context (stdin, stdout, stderr, environment) they need. */
  private static final class CliFactory implements CommandLine.IFactory {
    private final CliContext context;

    CliFactory(CliContext context) {
      this.context = context;
    }

    @Override
    public <K> K create(Class<K> type) throws Exception {
      if (type == GatewayCli.class) {
        return type.cast(new GatewayCli(context));
      }
      return CommandLine.defaultFactory().create(type);
    }
  }

  /** A command line that parsed but makes no sense (exit code 2). */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = GatewayCli.class.getPackage().getImplementationVersion();
      return new String[] {"gateway-cli " + (v == null ? "dev" : v)};
    }
  }
}
