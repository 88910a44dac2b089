package io.fleetpulse.evaluation.nab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

class NabTimestampsTest {

  @Test
  void label_and_data_file_timestamps_both_parse() {
    LocalDateTime expected = LocalDateTime.of(2014, 2, 19, 10, 50);

    assertThat(NabTimestamps.parse("2014-02-19 10:50:00.000000")).isEqualTo(expected);
    assertThat(NabTimestamps.parse("2014-02-19 10:50:00")).isEqualTo(expected);
    assertThat(NabTimestamps.parse(" 2014-02-19 10:50:00.25 ")).isEqualTo(expected.plusNanos(250_000_000));
  }

  @Test
  void timestamps_format_as_the_data_files_write_them() {
    assertThat(NabTimestamps.format(LocalDateTime.of(2014, 2, 19, 10, 50))).isEqualTo("2014-02-19 10:50:00");
    assertThat(NabTimestamps.format(LocalDateTime.of(2014, 2, 19, 10, 50, 0, 250_000_000)))
        .isEqualTo("2014-02-19 10:50:00.250000");
  }

  @Test
  void other_forms_are_refused() {
    assertThatThrownBy(() -> NabTimestamps.parse("2014-02-19T10:50:00")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NabTimestamps.parse("19/02/2014 10:50")).isInstanceOf(IllegalArgumentException.class);
  }
}
