package io.fleetpulse.fleet.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetpulse.api.telemetry.Telemetry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AcceptedDeliveriesTest {

  private static final long T0 = 1_700_000_000_000L;

  @Test
  void knows_the_deliveries_that_got_their_message_in_and_no_other() {
    AcceptedDeliveries deliveries = new AcceptedDeliveries(Duration.ofSeconds(20), 256);
    deliveries.remember(11, T0);
    deliveries.remember(12, T0 + 1);

    assertThat(deliveries.contains(11)).isTrue();
    assertThat(deliveries.contains(12)).isTrue();
    assertThat(deliveries.contains(13)).as("another delivery").isFalse();
  }

  @Test
  void never_remembers_nor_matches_a_message_without_a_delivery_id() {
    AcceptedDeliveries deliveries = new AcceptedDeliveries(Duration.ofSeconds(20), 256);
    deliveries.remember(Telemetry.NO_DELIVERY, T0);

    assertThat(deliveries.contains(Telemetry.NO_DELIVERY)).as("nor do the empty slots").isFalse();
  }

  @Test
  void a_slow_device_keeps_two_slots_and_the_deliveries_of_the_horizon() {
    AcceptedDeliveries deliveries = new AcceptedDeliveries(Duration.ofSeconds(20), 256);
    for (int i = 0; i < 100; i++) {
      deliveries.remember(1000 + i, T0 + i * 30_000L); // one message every 30 s
    }

    assertThat(deliveries.room()).isEqualTo(2);
    assertThat(deliveries.contains(1099)).isTrue();
    assertThat(deliveries.contains(1098)).as("30 s old: within the two slots").isTrue();
    assertThat(deliveries.contains(1097)).isFalse();
  }

  @Test
  void a_burst_grows_the_memory_to_cover_the_horizon_up_to_its_capacity() {
    AcceptedDeliveries deliveries = new AcceptedDeliveries(Duration.ofSeconds(20), 64);
    for (int i = 0; i < 40; i++) {
      deliveries.remember(1000 + i, T0 + i); // 40 messages a millisecond apart
    }

    assertThat(deliveries.room()).isEqualTo(64);
    for (int i = 0; i < 40; i++) {
      assertThat(deliveries.contains(1000 + i)).as("delivery of %s", i).isTrue();
    }

    for (int i = 40; i < 100; i++) {
      deliveries.remember(1000 + i, T0 + i);
    }
    assertThat(deliveries.room()).as("capped").isEqualTo(64);
    assertThat(deliveries.contains(1035)).as("pushed out by 64 newer").isFalse();
    assertThat(deliveries.contains(1036)).isTrue();
    assertThat(deliveries.contains(1099)).isTrue();
  }

  @Test
  void refuses_a_capacity_below_two() {
    assertThatThrownBy(() -> new AcceptedDeliveries(Duration.ofSeconds(20), 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least two");
  }
}
