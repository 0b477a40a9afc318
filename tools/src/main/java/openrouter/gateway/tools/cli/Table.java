package openrouter.gateway.tools.cli;

import java.io.PrintStream;
import java.util.List;

/** A plain text table: columns padded to their widest cell, numeric columns right-aligned. */
final class Table {
  private Table() {}

  static void print(PrintStream out, List<String[]> rows, int... rightAligned) {
    int columns = rows.get(0).length;
    int[] width = new int[columns];
    for (String[] row : rows) {
      for (int c = 0; c < columns; c++) {
        width[c] = Math.max(width[c], row[c].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < columns; c++) {
        boolean right = false;
        for (int r : rightAligned) {
          right |= r == c;
        }
        String cell = row[c];
        String pad = " ".repeat(width[c] - cell.length());
        line.append(right ? pad + cell : cell + (c == columns - 1 ? "" : pad));
        if (c < columns - 1) {
          line.append("  ");
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }

  /** Two columns, label and value, for one record. */
  static void printRecord(PrintStream out, List<String[]> fields) {
    int width = 0;
    for (String[] f : fields) {
      width = Math.max(width, f[0].length());
    }
    for (String[] f : fields) {
      out.println(f[0] + ":" + " ".repeat(width - f[0].length() + 1) + f[1]);
    }
  }
}
