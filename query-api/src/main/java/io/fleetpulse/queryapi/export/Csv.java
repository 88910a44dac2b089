package io.fleetpulse.queryapi.export;

import java.util.List;

/**
 * RFC 4180 CSV: fields separated by commas, lines ended by CRLF, a field quoted when it contains a
 * comma, a quote, CR or LF (quotes inside doubled). A missing value (null) is an empty field and an
 * empty text a quoted empty field ({@code ""}), so the two stay distinguishable.
 *
 * <p>Text cells are also neutralised against formula injection (OWASP "CSV injection"): a text
 * that starts with {@code =}, {@code +}, {@code -}, {@code @}, a tab or a carriage return gets a
 * single quote in front and is quoted, so a spreadsheet shows it as text instead of running it
 * ({@link #text}). Numbers are not text: a numeric column's {@code -3.2} is written as it is
 * ({@link #field}) and stays a number a spreadsheet computes with. The export decides by the
 * value's type, not its looks, so a device id or a note that reads {@code -3.2} is still escaped.
 */
public final class Csv {

  public static final String LINE_END = "\r\n";

  private Csv() {}

  /** One field as it appears in a line. */
  public static String field(String value) {
    if (value == null) {
      return "";
    }
    if (value.isEmpty()) {
      return "\"\"";
    }
    boolean quote = false;
    for (int i = 0; i < value.length() && !quote; i++) {
      char c = value.charAt(i);
      quote = c == ',' || c == '"' || c == '\r' || c == '\n';
    }
    return quote ? '"' + value.replace("\"", "\"\"") + '"' : value;
  }

  /**
   * One text field (an id, a name, a note): as {@link #field}, except that a text a spreadsheet
   * would take for a formula gets a leading {@code '} and is quoted.
   */
  public static String text(String value) {
    if (value == null || value.isEmpty() || !looksLikeFormula(value.charAt(0))) {
      return field(value);
    }
    return '"' + ("'" + value).replace("\"", "\"\"") + '"';
  }

  private static boolean looksLikeFormula(char first) {
    return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r';
  }

  /** One record of fields already encoded ({@link #field}, {@link #text}), with its line end. */
  public static String record(List<String> encodedFields) {
    return String.join(",", encodedFields) + LINE_END;
  }

  /** One record with its line end. */
  public static String line(List<String> values) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        line.append(',');
      }
      line.append(field(values.get(i)));
    }
    return line.append(LINE_END).toString();
  }
}
