package io.fleetpulse.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServingSettingsTest {

  private static ServingSettings withOverrides(String overrides) {
    return ServingSettings.fromConfig(ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load()));
  }

  @Test
  void reads_the_documented_defaults_from_an_empty_application_config() {
    ServingSettings settings = ServingSettings.fromConfig(ConfigFactory.load());

    ServingSettings.Execution execution = settings.execution();
    if (System.getenv("FLEETPULSE_INFERENCE_PROVIDER") == null) {
      assertThat(execution.provider()).isEqualTo("cpu");
    }
    if (System.getenv("FLEETPULSE_MODEL_REGISTRY") == null) {
      assertThat(settings.registryDirectory()).isEqualTo(Path.of("models"));
    }
    assertThat(execution.cudaDeviceId()).isZero();
    assertThat(execution.cudaMemoryLimitBytes()).isEqualTo(4L * 1024 * 1024 * 1024);
    assertThat(execution.strict()).isFalse();
    assertThat(execution.intraOpThreads()).isEqualTo(1);
    assertThat(execution.interOpThreads()).isEqualTo(1);
    assertThat(execution.maxConcurrentBatches()).isEqualTo(2);
    assertThat(execution.reservedUrllcSlots()).isEqualTo(1);

    assertThat(settings.lanes()).containsOnlyKeys(Lane.URLLC, Lane.EMBB, Lane.MMTC);
    assertThat(settings.lanes().get(Lane.URLLC))
        .isEqualTo(new ServingSettings.LaneSettings(8, Duration.ZERO, Duration.ofMillis(20), 256));
    assertThat(settings.lanes().get(Lane.EMBB))
        .isEqualTo(new ServingSettings.LaneSettings(64, Duration.ofMillis(5), Duration.ofMillis(200), 4096));
    assertThat(settings.lanes().get(Lane.MMTC))
        .isEqualTo(new ServingSettings.LaneSettings(256, Duration.ofMillis(20), Duration.ofSeconds(2), 16384));
  }

  @Test
  void accepts_cuda_as_a_provider() {
    assertThat(withOverrides("fleetpulse.serving.execution.provider = cuda").execution().provider()).isEqualTo("cuda");
  }

  @Test
  void rejects_an_unknown_provider() {
    assertThatThrownBy(() -> withOverrides("fleetpulse.serving.execution.provider = tpu"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("provider must be cpu or cuda");
  }

  @Test
  void rejects_reserved_urllc_slots_that_leave_no_slot_for_the_other_lanes() {
    assertThatThrownBy(() -> withOverrides(
        "fleetpulse.serving.execution { max-concurrent-batches = 2, reserved-urllc-slots = 2 }"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reserved-urllc-slots");
    assertThat(withOverrides("fleetpulse.serving.execution { max-concurrent-batches = 3, reserved-urllc-slots = 2 }")
        .execution().reservedUrllcSlots()).isEqualTo(2);
  }

  @Test
  void rejects_a_lane_whose_queue_cannot_hold_one_full_batch() {
    assertThatThrownBy(() -> withOverrides("fleetpulse.serving.lanes.embb.queue-capacity = 63"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("queue-capacity >= max-batch-size");
    assertThat(withOverrides("fleetpulse.serving.lanes.embb.queue-capacity = 64").lanes().get(Lane.EMBB).queueCapacity())
        .isEqualTo(64);
  }

  @Test
  void rejects_a_lane_whose_queue_delay_exceeds_its_deadline() {
    assertThatThrownBy(() -> withOverrides("fleetpulse.serving.lanes.urllc.max-queue-delay = 21ms"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("max-queue-delay must not exceed its deadline");
  }

  @Test
  void parses_lane_names_case_insensitively_and_names_the_choices_when_it_cannot() {
    assertThat(Lane.parse(" urllc ")).isEqualTo(Lane.URLLC);
    assertThat(Lane.parse("mMTC")).isEqualTo(Lane.MMTC);
    assertThat(Lane.EMBB.configName()).isEqualTo("embb");
    assertThatThrownBy(() -> Lane.parse("lte"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown lane 'lte'");
  }
}
