package io.fleetpulse.queryapi;

import java.util.ArrayList;
import java.util.List;

/**
 * A strict RFC 4180 reader for the tests, written independently of the production writer: records
 * end with CRLF, quoted fields may hold commas, quotes (doubled) and line breaks. An unquoted empty
 * field reads as null, a quoted one as the empty text.
 */
final class CsvRecords {

  private CsvRecords() {}

  static List<List<String>> parse(String text) {
    List<List<String>> records = new ArrayList<>();
    List<String> record = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    boolean wasQuoted = false;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          field.append('"');
          i += 2;
          continue;
        }
        if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
        i++;
        continue;
      }
      if (c == '"') {
        if (field.length() > 0) {
          throw new IllegalArgumentException("quote inside an unquoted field at " + i);
        }
        quoted = true;
        wasQuoted = true;
        i++;
      } else if (c == ',') {
        record.add(value(field, wasQuoted));
        field.setLength(0);
        wasQuoted = false;
        i++;
      } else if (c == '\r') {
        if (i + 1 >= text.length() || text.charAt(i + 1) != '\n') {
          throw new IllegalArgumentException("CR without LF outside quotes at " + i);
        }
        record.add(value(field, wasQuoted));
        records.add(record);
        record = new ArrayList<>();
        field.setLength(0);
        wasQuoted = false;
        i += 2;
      } else if (c == '\n') {
        throw new IllegalArgumentException("bare LF outside quotes at " + i);
      } else {
        field.append(c);
        i++;
      }
    }
    if (quoted || field.length() > 0 || !record.isEmpty()) {
      throw new IllegalArgumentException("the last record does not end with CRLF");
    }
    return records;
  }

  private static String value(StringBuilder field, boolean wasQuoted) {
    return field.length() == 0 && !wasQuoted ? null : field.toString();
  }
}
