package io.fleetpulse.persistence.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.fleetpulse.persistence.PersistenceSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryTest {

  @Test
  void alert_changes_are_retried_until_stored_and_records_for_about_a_cassandra_restart_by_default() {
    PersistenceSettings settings = PersistenceSettings.fromConfig(ConfigFactory.load());
    assertThat(settings.alertsRetry().attempts()).isEqualTo(RecordsWriter.Retry.UNTIL_STORED);
    assertThat(settings.alertsRetry().exhausted(1_000_000)).isFalse();
    assertThat(settings.recordsRetry().attempts()).isEqualTo(12);
    assertThat(settings.recordsRetry().exhausted(11)).isFalse();
    assertThat(settings.recordsRetry().exhausted(12)).isTrue();
  }

  @Test
  void no_retry_gives_up_after_the_first_attempt_and_negative_attempts_are_refused() {
    assertThat(RecordsWriter.Retry.NONE.exhausted(1)).isTrue();
    assertThatThrownBy(() -> new RecordsWriter.Retry(-1, Duration.ZERO, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 for until stored");
  }
}
