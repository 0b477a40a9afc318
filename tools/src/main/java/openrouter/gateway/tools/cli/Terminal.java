package openrouter.gateway.tools.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether stderr is a terminal, which Java 17 has no API for. */
final class Terminal {
  private Terminal() {}

  static boolean stderrIsTerminal() {
    // Linux: fd 2 links to /dev/pts/N or /dev/ttyN when it is a terminal.
    Path fd2 = Path.of("/proc/self/fd/2");
    if (Files.exists(fd2)) {
      try {
        String device = Files.readSymbolicLink(fd2).toString();
        return device.startsWith("/dev/pts/") || device.startsWith("/dev/tty");
      } catch (IOException | UnsupportedOperationException e) {
        return false;
      }
    }
    // Elsewhere: a console means stdin and stdout are terminals; stderr most likely is too.
    return System.console() != null;
  }
}
