package io.fleetpulse.evaluation.nab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The plain CSV of NAB's data and results files: a header line, then one line per row, fields
 * separated by commas, never quoted (timestamps and numbers only). Package-private plumbing for
 * {@link NabDataFiles} and {@link NabResultsReader}.
 */
final class NabCsv {

  private NabCsv() {}

  /** A row of fields, with the file and line it came from for error messages. */
  record Line(Path file, int number, String[] fields) {

    String field(int column) {
      if (column >= fields.length) {
        throw new IllegalArgumentException(file + ":" + number + ": expected at least " + (column + 1) + " fields");
      }
      return fields[column].strip();
    }

    double number(int column) {
      String text = field(column);
      if (text.isEmpty() || text.equalsIgnoreCase("nan")) {
        // pandas writes a missing number as an empty field and reads "nan" as one.
        return Double.NaN;
      }
      try {
        return Double.parseDouble(text);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(file + ":" + number + ": not a number: '" + text + "'", e);
      }
    }
  }

  /** Every data line of the file turned into a row; the header names are handed to {@code columns} first. */
  static <T> List<T> read(Path file, Function<List<String>, Function<Line, T>> columns) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    if (lines.isEmpty()) {
      throw new IllegalArgumentException(file + ": no header line");
    }
    List<String> header = Arrays.stream(lines.get(0).replace("\uFEFF", "").split(",", -1)).map(String::strip).toList();
    Function<Line, T> rowReader = columns.apply(header);
    List<T> rows = new ArrayList<>(lines.size() - 1);
    for (int i = 1; i < lines.size(); i++) {
      if (!lines.get(i).isBlank()) {
        rows.add(rowReader.apply(new Line(file, i + 1, lines.get(i).split(",", -1))));
      }
    }
    return rows;
  }

  /** The position of a named column, or an error naming the file. */
  static int column(Path file, List<String> header, String name) {
    int column = header.indexOf(name);
    if (column < 0) {
      throw new IllegalArgumentException(file + ": no '" + name + "' column in header " + header);
    }
    return column;
  }

  /** A number as NAB's files hold it: the shortest text that reads back to the same double. */
  static String number(double value) {
    return Double.isNaN(value) ? "" : Double.toString(value);
  }
}
