package io.fleetpulse.queryapi.export;

import java.util.List;

/**
 * RFC 4180 CSV: fields separated by commas, lines ended by CRLF, a field quoted when it contains a
 * comma, a quote, CR or LF (quotes inside doubled). A missing value (null) is an empty field and an
 * empty text a quoted empty field ({@code ""}), so the two stay distinguishable.
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
