package io.fleetpulse.persistence.query;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BucketReaderTest {

  @Test
  void refuses_a_keyspace_that_is_not_a_plain_identifier() {
    // The keyspace is part of the CQL text: anything but an identifier is refused before any query.
    assertThatThrownBy(() -> new BucketReader(null, "x; DROP TABLE y", Duration.ofSeconds(5), Runnable::run))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keyspace");
    assertThatThrownBy(() -> new BucketReader(null, "Fleet", Duration.ofSeconds(5), Runnable::run))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
