package openrouter.gateway.tools.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * What a command reads and writes: the process's streams and environment in {@code main}, and
 * captured ones in tests.
 *
 * @param stderrIsTerminal whether a person watches stderr, so a progress indicator helps
 */
public record CliContext(InputStream in, PrintStream out, PrintStream err, Map<String, String> env,
    boolean stderrIsTerminal) {}
