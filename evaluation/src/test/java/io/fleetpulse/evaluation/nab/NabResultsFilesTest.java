package io.fleetpulse.evaluation.nab;

import static io.fleetpulse.evaluation.nab.SyntheticSeries.at;
import static io.fleetpulse.evaluation.nab.SyntheticSeries.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NabResultsFilesTest {

  @Test
  void results_go_where_nab_looks_for_them(@TempDir Path results) {
    NabResultsWriter writer = new NabResultsWriter(results, "fleetpulse");

    assertThat(writer.resultFile("realKnownCause/nyc_taxi.csv"))
        .isEqualTo(results.resolve("fleetpulse/realKnownCause/fleetpulse_nyc_taxi.csv"));
  }

  @Test
  void a_results_file_holds_timestamp_value_anomaly_score_and_label(@TempDir Path results) throws IOException {
    List<NabResultRow> rows = List.of(
        new NabResultRow(at(0), 69.88083514, 0.0),
        new NabResultRow(at(1), 71.5, 0.25),
        new NabResultRow(at(2), 3.0E-5, 1.0),
        new NabResultRow(at(3), -2.0, 0.0));

    Path file = new NabResultsWriter(results, "fleetpulse").write("realKnownCause/x.csv", rows, List.of(rows(1, 2)));

    assertThat(Files.readString(file)).isEqualTo("""
        timestamp,value,anomaly_score,label
        2020-01-01 00:00:00,69.88083514,0.0,0
        2020-01-01 00:05:00,71.5,0.25,1
        2020-01-01 00:10:00,3.0E-5,1.0,1
        2020-01-01 00:15:00,-2.0,0.0,0
        """);
    assertThat(NabResultsReader.read(file)).isEqualTo(rows);
  }

  @Test
  void a_detectors_results_read_back_per_series_path(@TempDir Path results) throws IOException {
    NabResultsWriter writer = new NabResultsWriter(results, "fleetpulse");
    List<NabResultRow> first = resultRows(0.5, 0.75);
    List<NabResultRow> second = resultRows(0.125);
    writer.write("realKnownCause/first.csv", first, List.of());
    writer.write("artificialNoAnomaly/second.csv", second, List.of());
    // NAB's per-profile summary sits beside the categories; it is not a series
    Files.writeString(results.resolve("fleetpulse/fleetpulse_standard_scores.csv"), "Detector,Profile\n");

    Map<String, List<NabResultRow>> read = NabResultsReader.readDetector(results, "fleetpulse");

    assertThat(read.keySet()).containsExactly("artificialNoAnomaly/second.csv", "realKnownCause/first.csv");
    assertThat(read.get("realKnownCause/first.csv")).isEqualTo(first);
    assertThat(NabResultsReader.scoredRows(read).get("artificialNoAnomaly/second.csv"))
        .containsExactly(new NabScoredRow(at(0), 0.125));
  }

  @Test
  void nabs_own_results_files_with_extra_columns_read(@TempDir Path directory) throws IOException {
    Path file = directory.resolve("numenta_art_flatline.csv");
    Files.writeString(file, """
        timestamp,value,anomaly_score,raw_score,label,S(t)_reward_low_FN_rate,S(t)_reward_low_FP_rate,S(t)_standard
        2014-04-01 00:00:00,-21.0,0.0301029996659,1.0,0,0.0,0.0,0.0
        2014-04-01 00:05:00,-21.0,0.0,0.0,0,0.0,0.0,0.0
        """);

    assertThat(NabResultsReader.read(file)).containsExactly(
        new NabResultRow(LocalDateTime.of(2014, 4, 1, 0, 0), -21.0, 0.0301029996659),
        new NabResultRow(LocalDateTime.of(2014, 4, 1, 0, 5), -21.0, 0.0));
  }

  @Test
  void paths_leaving_the_results_directory_are_refused(@TempDir Path results) {
    assertThatThrownBy(() -> new NabResultsWriter(results, "../elsewhere")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new NabResultsWriter(results, "fleetpulse").resultFile("../x.csv"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void a_file_without_an_anomaly_score_column_is_refused(@TempDir Path directory) throws IOException {
    Path file = directory.resolve("d_x.csv");
    Files.writeString(file, "timestamp,value\n2014-04-01 00:00:00,1.0\n");

    assertThatThrownBy(() -> NabResultsReader.read(file)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("anomaly_score");
  }

  private static List<NabResultRow> resultRows(double... scores) {
    List<NabResultRow> rows = new ArrayList<>();
    for (int row = 0; row < scores.length; row++) {
      rows.add(new NabResultRow(at(row), row * 1.5, scores[row]));
    }
    return rows;
  }
}
