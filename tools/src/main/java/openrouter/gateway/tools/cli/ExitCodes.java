package openrouter.gateway.tools.cli;

import io.grpc.Status;

/** The CLI's exit codes (also listed by {@code --help}); one per thing a script can act on. */
final class ExitCodes {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;
  static final int UNAVAILABLE = 3;
  static final int RESOURCE_EXHAUSTED = 4;
  static final int NOT_ALLOWED = 5;
  static final int BAD_REQUEST = 6;
  static final int DEADLINE_EXCEEDED = 7;
  static final int UNIMPLEMENTED = 8;
  static final int CANCELLED = 130;

  private ExitCodes() {}

  static int forCode(Status.Code code) {
    return switch (code) {
      case OK -> OK;
      case UNAVAILABLE -> UNAVAILABLE;
      case RESOURCE_EXHAUSTED -> RESOURCE_EXHAUSTED;
      case UNAUTHENTICATED, PERMISSION_DENIED -> NOT_ALLOWED;
      case INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, OUT_OF_RANGE, ALREADY_EXISTS, ABORTED -> BAD_REQUEST;
      case DEADLINE_EXCEEDED -> DEADLINE_EXCEEDED;
      case UNIMPLEMENTED -> UNIMPLEMENTED;
      case CANCELLED -> CANCELLED;
      default -> FAILED;
    };
  }
}
