package io.fleetpulse.queryapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.typesafe.config.ConfigFactory;
import io.fleetpulse.persistence.query.Dataset;
import io.fleetpulse.persistence.query.Datasets;
import io.fleetpulse.persistence.query.PageToken;
import io.fleetpulse.persistence.query.QueryRejection;
import io.fleetpulse.queryapi.export.ExportFormat;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RequestParserTest {

  private final RequestParser parser = new RequestParser(QueryApiSettings.fromConfig(ConfigFactory.load()));

  private static Map<String, String> range(String from, String to) {
    Map<String, String> parameters = new HashMap<>();
    parameters.put("from", from);
    parameters.put("to", to);
    return parameters;
  }

  private static Map<String, String> night() {
    return range("2026-11-29T23:00:00Z", "2026-11-30T01:00:00Z");
  }

  private String refused(Dataset<?> dataset, Map<String, String> parameters) {
    QueryRejection rejection = catchThrowableOfType(QueryRejection.class, () -> parser.parse(dataset, "rm-1", parameters));
    assertThat(rejection).as("refused").isNotNull();
    assertThat(rejection.code().httpStatus()).isEqualTo(400);
    return rejection.code().code();
  }

  @Test
  void a_bare_range_is_a_first_json_page_of_the_default_size() {
    DataRequest<?> request = parser.parse(Datasets.DEVICE_ROLLUPS, "rm-1", night());

    assertThat(request.export()).isEmpty();
    assertThat(request.limit()).isEqualTo(500);
    assertThat(request.page()).isEmpty();
    assertThat(request.query().filter()).isEmpty();
    assertThat(request.query().range().from()).isEqualTo(Instant.parse("2026-11-29T23:00:00Z"));
  }

  @Test
  void each_range_problem_has_its_code() {
    Map<String, String> missing = night();
    missing.remove("to");
    assertThat(refused(Datasets.DEVICE_ROLLUPS, missing)).isEqualTo("range.missing");
    assertThat(refused(Datasets.DEVICE_ROLLUPS, range("noon", "2026-11-30T01:00:00Z"))).isEqualTo("range.invalid-time");
    assertThat(refused(Datasets.DEVICE_ROLLUPS, range("2026-11-30T01:00:00Z", "2026-11-29T23:00:00Z")))
        .isEqualTo("range.inverted");
  }

  @Test
  void site_endpoints_allow_a_narrower_span_than_device_endpoints() {
    Map<String, String> threeDays = range("2026-11-27T00:00:00Z", "2026-11-30T00:00:00Z");

    assertThat(parser.parse(Datasets.DEVICE_ROLLUPS, "rm-1", threeDays).query().bucketCount()).isEqualTo(3);
    assertThat(refused(Datasets.SITE_ROLLUPS, threeDays)).isEqualTo("range.too-wide");
    assertThat(refused(Datasets.DEVICE_ALERTS, range("2026-10-01T00:00:00Z", "2026-11-02T00:00:00Z")))
        .isEqualTo("range.too-wide");
  }

  @Test
  void limit_must_be_a_number_within_the_maximum() {
    for (String limit : new String[] {"0", "-1", "5001", "ten", "", "1.5"}) {
      Map<String, String> parameters = night();
      parameters.put("limit", limit);
      assertThat(refused(Datasets.DEVICE_ROLLUPS, parameters)).as(limit).isEqualTo("limit.invalid");
    }
    Map<String, String> maximum = night();
    maximum.put("limit", "5000");
    assertThat(parser.parse(Datasets.DEVICE_ROLLUPS, "rm-1", maximum).limit()).isEqualTo(5000);
  }

  @Test
  void format_is_json_csv_or_jsonl() {
    Map<String, String> xml = night();
    xml.put("format", "xml");
    assertThat(refused(Datasets.DEVICE_ROLLUPS, xml)).isEqualTo("format.unsupported");

    Map<String, String> csv = night();
    csv.put("format", "csv");
    assertThat(parser.parse(Datasets.DEVICE_ROLLUPS, "rm-1", csv).export()).contains(ExportFormat.CSV);
    Map<String, String> jsonl = night();
    jsonl.put("format", "jsonl");
    assertThat(parser.parse(Datasets.DEVICE_ROLLUPS, "rm-1", jsonl).export()).contains(ExportFormat.JSONL);
  }

  @Test
  void exports_ignore_limit_and_page() {
    Map<String, String> parameters = night();
    parameters.put("format", "csv");
    parameters.put("limit", "nonsense");
    parameters.put("page", "nonsense");

    assertThat(parser.parse(Datasets.DEVICE_ROLLUPS, "rm-1", parameters).export()).contains(ExportFormat.CSV);
  }

  @Test
  void accepts_the_page_token_of_the_same_query_and_refuses_one_of_another() {
    DataRequest<?> first = parser.parse(Datasets.DEVICE_ROLLUPS, "rm-1", night());
    PageToken next = new PageToken(1, Optional.of(ByteBuffer.wrap(new byte[] {1, 2, 3})));
    Map<String, String> second = night();
    second.put("page", next.encode(first.query().description()));

    assertThat(parser.parse(Datasets.DEVICE_ROLLUPS, "rm-1", second).page()).contains(next);
    assertThat(refused(Datasets.DEVICE_PREDICTIONS, second)).isEqualTo("page.invalid");
    Map<String, String> otherRange = new HashMap<>(second);
    otherRange.put("to", "2026-11-30T02:00:00Z");
    assertThat(refused(Datasets.DEVICE_ROLLUPS, otherRange)).isEqualTo("page.invalid");
    Map<String, String> filtered = new HashMap<>(second);
    filtered.put("metric", "vibration");
    assertThat(refused(Datasets.DEVICE_ROLLUPS, filtered)).isEqualTo("page.invalid");
  }

  @Test
  void the_filter_parameter_is_the_datasets_own() {
    Map<String, String> parameters = night();
    parameters.put("metric", "vibration");
    parameters.put("model", "bearing");

    assertThat(parser.parse(Datasets.DEVICE_ROLLUPS, "rm-1", parameters).query().filter()).contains("vibration");
    assertThat(parser.parse(Datasets.SITE_PREDICTIONS, "plant-1", parameters).query().filter()).contains("bearing");
    assertThat(parser.parse(Datasets.DEVICE_ALERTS, "rm-1", parameters).query().filter()).isEmpty();
  }
}
