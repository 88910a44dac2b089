package io.fleetpulse.queryapi.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvTest {

  @Test
  void leaves_plain_fields_unquoted() {
    assertThat(Csv.field("rm-00042")).isEqualTo("rm-00042");
    assertThat(Csv.field("2026-11-29T23:00:00Z")).isEqualTo("2026-11-29T23:00:00Z");
    assertThat(Csv.field("a b")).isEqualTo("a b");
  }

  @Test
  void quotes_fields_with_a_separator_quote_or_line_break() {
    assertThat(Csv.field("a,b")).isEqualTo("\"a,b\"");
    assertThat(Csv.field("line\nbreak")).isEqualTo("\"line\nbreak\"");
    assertThat(Csv.field("carriage\rreturn")).isEqualTo("\"carriage\rreturn\"");
  }

  @Test
  void doubles_quotes_inside_a_quoted_field() {
    assertThat(Csv.field("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
    assertThat(Csv.field("\"")).isEqualTo("\"\"\"\"");
  }

  @Test
  void tells_a_missing_value_from_an_empty_text() {
    assertThat(Csv.field(null)).isEmpty();
    assertThat(Csv.field("")).isEqualTo("\"\"");
  }

  @Test
  void ends_records_with_crlf() {
    assertThat(Csv.line(Arrays.asList("a", null, "b,c", ""))).isEqualTo("a,,\"b,c\",\"\"\r\n");
    assertThat(Csv.line(List.of("[0.1,0.2]"))).isEqualTo("\"[0.1,0.2]\"\r\n");
  }

  @Test
  void escapes_text_a_spreadsheet_would_run_as_a_formula() {
    assertThat(Csv.text("=HYPERLINK(\"http://x\")")).isEqualTo("\"'=HYPERLINK(\"\"http://x\"\")\"");
    assertThat(Csv.text("+1")).isEqualTo("\"'+1\"");
    assertThat(Csv.text("-3.2")).isEqualTo("\"'-3.2\"");
    assertThat(Csv.text("@SUM(A1)")).isEqualTo("\"'@SUM(A1)\"");
    assertThat(Csv.text("\t=1")).isEqualTo("\"'\t=1\"");
    assertThat(Csv.text("\r=1")).isEqualTo("\"'\r=1\"");
  }

  @Test
  void leaves_other_text_as_a_plain_field() {
    assertThat(Csv.text("rm-00042")).isEqualTo("rm-00042");
    assertThat(Csv.text("a=b")).isEqualTo("a=b");
    assertThat(Csv.text("a,b")).isEqualTo("\"a,b\"");
    assertThat(Csv.text(null)).isEmpty();
    assertThat(Csv.text("")).isEqualTo("\"\"");
  }

  @Test
  void a_record_joins_encoded_fields() {
    assertThat(Csv.record(List.of(Csv.text("=1"), Csv.field("-3.2")))).isEqualTo("\"'=1\",-3.2\r\n");
  }
}
