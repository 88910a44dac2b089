package io.fleetpulse.persistence.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DatasetTest {

  private static final TimeRange RANGE =
      new TimeRange(Instant.parse("2026-11-29T23:30:00Z"), Instant.parse("2026-11-30T00:30:00Z"));

  @Test
  void reads_one_partition_of_the_range_with_a_half_open_time_restriction() {
    assertThat(Datasets.DEVICE_ROLLUPS.selectCql("fleetpulse", false)).isEqualTo(
        "SELECT device_id, minute, metric, count, mean, min, max, stddev FROM fleetpulse.rollups_by_device_day"
            + " WHERE device_id = ? AND day = ? AND minute >= ? AND minute < ?");
  }

  @Test
  void filters_inside_the_partition_when_asked() {
    assertThat(Datasets.DEVICE_PREDICTIONS.selectCql("ks", true))
        .endsWith("FROM ks.predictions_by_device_day WHERE device_id = ? AND day = ? AND ts >= ? AND ts < ?"
            + " AND model = ? ALLOW FILTERING");
  }

  @Test
  void binds_subject_bucket_range_and_filter_in_statement_order() {
    Query<RollupItem> query = new Query<>(Datasets.DEVICE_ROLLUPS, "rm-1", Optional.of("vibration"), RANGE);

    assertThat(query.bindValues(1))
        .containsExactly("rm-1", LocalDate.parse("2026-11-30"), RANGE.from(), RANGE.to(), "vibration");
  }

  @Test
  void alerts_have_no_filter() {
    assertThatThrownBy(() -> new Query<>(Datasets.SITE_ALERTS, "plant-1", Optional.of("x"), RANGE))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void every_endpoint_is_found_by_scope_and_resource() {
    assertThat(Datasets.find(Scope.DEVICE, "rollups")).contains(Datasets.DEVICE_ROLLUPS);
    assertThat(Datasets.find(Scope.SITE, "predictions")).contains(Datasets.SITE_PREDICTIONS);
    assertThat(Datasets.find(Scope.SITE, "alerts")).contains(Datasets.SITE_ALERTS);
    assertThat(Datasets.find(Scope.DEVICE, "telemetry")).isEmpty();
  }
}
