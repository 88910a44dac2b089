package io.fleetpulse.evaluation.nab;

import io.fleetpulse.testkit.SharedDatasets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NabLabelsTest {

  @Test
  void windows_are_read_per_series_and_sorted_by_start(@TempDir Path directory) throws IOException {
    Path file = directory.resolve("combined_windows.json");
    Files.writeString(file, """
        {
          "artificialNoAnomaly/art_flatline.csv": [],
          "realKnownCause/nyc_taxi.csv": [
            ["2014-12-25 22:00:00.000000", "2014-12-27 12:30:00.000000"],
            ["2014-11-01 19:00:00.000000", "2014-11-03 09:30:00.000000"]
          ]
        }
        """);

    NabLabels labels = NabLabels.read(file);

    assertThat(labels.seriesPaths()).containsExactly("artificialNoAnomaly/art_flatline.csv",
        "realKnownCause/nyc_taxi.csv");
    assertThat(labels.windowsOf("artificialNoAnomaly/art_flatline.csv")).isEmpty();
    assertThat(labels.windowsOf("realKnownCause/nyc_taxi.csv")).containsExactly(
        new NabWindow(LocalDateTime.of(2014, 11, 1, 19, 0), LocalDateTime.of(2014, 11, 3, 9, 30)),
        new NabWindow(LocalDateTime.of(2014, 12, 25, 22, 0), LocalDateTime.of(2014, 12, 27, 12, 30)));
    assertThat(labels.windowCount()).isEqualTo(2);
  }

  @Test
  void an_unlabelled_series_has_no_windows_rather_than_an_empty_list() {
    NabLabels labels = NabLabels.of(java.util.Map.of("a/x.csv", List.of()));

    assertThat(labels.contains("a/x.csv")).isTrue();
    assertThatThrownBy(() -> labels.windowsOf("a/y.csv")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void a_malformed_window_is_refused(@TempDir Path directory) throws IOException {
    Path file = directory.resolve("combined_windows.json");
    Files.writeString(file, "{\"a/x.csv\": [[\"2014-01-01 00:00:00.000000\"]]}");

    assertThatThrownBy(() -> NabLabels.read(file)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a/x.csv");
    assertThatThrownBy(() -> NabWindow.parse("2014-01-02 00:00:00", "2014-01-01 00:00:00"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void the_corpus_windows_start_and_end_on_timestamps_of_their_series() {
    Path corpus = SharedDatasets.NAB.required();
    NabLabels labels = NabLabels.read(corpus.resolve("labels/combined_windows.json"));

    assertThat(labels.seriesPaths()).containsExactlyElementsOf(NabDataFiles.seriesPaths(corpus.resolve("data")));
    for (String series : labels.seriesPaths()) {
      Set<LocalDateTime> timestamps = new HashSet<>();
      NabDataFiles.read(corpus.resolve("data").resolve(series)).forEach(point -> timestamps.add(point.timestamp()));
      for (NabWindow window : labels.windowsOf(series)) {
        assertThat(timestamps).as(series).contains(window.start(), window.end());
      }
    }
  }
}
