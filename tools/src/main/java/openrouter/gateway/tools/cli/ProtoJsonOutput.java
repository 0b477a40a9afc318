package openrouter.gateway.tools.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.io.UncheckedIOException;

/** proto3 JSON output: lowerCamel names, enums by name, 64-bit numbers as strings. */
final class ProtoJsonOutput {
  private static final JsonFormat.Printer PRETTY = JsonFormat.printer();
  private static final JsonFormat.Printer LINE = JsonFormat.printer().omittingInsignificantWhitespace();

  private ProtoJsonOutput() {}

  /** Indented, for a single result. */
  static String pretty(MessageOrBuilder m) {
    try {
      return PRETTY.print(m);
    } catch (InvalidProtocolBufferException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One line, for JSON Lines output. */
  static String line(MessageOrBuilder m) {
    try {
      return LINE.print(m);
    } catch (InvalidProtocolBufferException e) {
      throw new UncheckedIOException(e);
    }
  }
}
