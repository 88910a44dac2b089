package io.fleetpulse.queryapi.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.fleetpulse.persistence.query.AlertItem;
import io.fleetpulse.persistence.query.Datasets;
import io.fleetpulse.persistence.query.PredictionItem;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ExportEncoderTest {

  private static final ObjectMapper JSON = JsonMapper.builder()
      .addModule(new JavaTimeModule()).disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();
  private final ExportEncoder encoder = new ExportEncoder(JSON);

  private static final PredictionItem PREDICTION = new PredictionItem(
      "rm-1", null, Instant.parse("2026-11-29T23:00:00Z"), "bearing", "v2", 17L, List.of(0.1f, 0.25f));

  @Test
  void csv_has_a_header_and_outputs_as_one_quoted_json_array() {
    assertThat(encoder.csvHeader(Datasets.DEVICE_PREDICTIONS).utf8String())
        .isEqualTo("deviceId,ts,model,modelVersion,sequence,outputs\r\n");
    assertThat(encoder.csv(Datasets.DEVICE_PREDICTIONS, List.of(PREDICTION)).utf8String())
        .isEqualTo("rm-1,2026-11-29T23:00:00Z,bearing,v2,17,\"[0.1,0.25]\"\r\n");
  }

  @Test
  void csv_quotes_free_text_and_leaves_missing_values_empty() {
    AlertItem alert = new AlertItem(UUID.fromString("00000000-0000-0000-0000-000000000001"), "rm-1", "plant-1",
        "threshold", "major", "CLEARED", Instant.parse("2026-11-29T23:00:00Z"), null, 3.5, 2, null, null, "ops",
        Instant.parse("2026-11-30T00:00:00Z"), "bearing \"A\", replaced\nnext week");

    assertThat(encoder.csv(Datasets.SITE_ALERTS, List.of(alert)).utf8String()).isEqualTo(
        "00000000-0000-0000-0000-000000000001,rm-1,plant-1,threshold,major,CLEARED,2026-11-29T23:00:00Z,,3.5,2,,,ops,"
            + "2026-11-30T00:00:00Z,\"bearing \"\"A\"\", replaced\nnext week\"\r\n");
  }

  @Test
  void csv_escapes_formula_text_but_keeps_negative_numbers_numbers() {
    AlertItem alert = new AlertItem(UUID.fromString("00000000-0000-0000-0000-000000000001"), "-rm-1", "=plant",
        "threshold", "major", "CLEARED", Instant.parse("2026-11-29T23:00:00Z"), null, -3.2, 2, "@ops", null, "+ada",
        Instant.parse("2026-11-30T00:00:00Z"), "=HYPERLINK(\"http://evil\",\"-1\")");

    assertThat(encoder.csv(Datasets.SITE_ALERTS, List.of(alert)).utf8String()).isEqualTo(
        "00000000-0000-0000-0000-000000000001,\"'-rm-1\",\"'=plant\",threshold,major,CLEARED,2026-11-29T23:00:00Z,,"
            + "-3.2,2,\"'@ops\",,\"'+ada\",2026-11-30T00:00:00Z,\"'=HYPERLINK(\"\"http://evil\"\",\"\"-1\"\")\"\r\n");
  }

  @Test
  void json_lines_hold_one_item_per_line_as_the_paged_json_does() {
    String lines = encoder.jsonLines(List.of(PREDICTION, PREDICTION)).utf8String();

    assertThat(lines.split("\n")).hasSize(2).allSatisfy(line -> assertThat(line).isEqualTo(
        "{\"deviceId\":\"rm-1\",\"ts\":\"2026-11-29T23:00:00Z\",\"model\":\"bearing\",\"modelVersion\":\"v2\","
            + "\"sequence\":17,\"outputs\":[0.1,0.25]}"));
    assertThat(lines).endsWith("\n");
  }
}
