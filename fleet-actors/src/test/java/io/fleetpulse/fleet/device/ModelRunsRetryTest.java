package io.fleetpulse.fleet.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.api.profile.DeviceProfile;
import io.fleetpulse.api.profile.MetricSpec;
import io.fleetpulse.api.profile.ModelBinding;
import io.fleetpulse.api.profile.NetworkSlice;
import io.fleetpulse.serving.InferenceReply;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The device actor is the one layer that asks again for a window: up to inference-attempts requests. */
class ModelRunsRetryTest {

  private static final DeviceProfile PROFILE = new DeviceProfile("engine", "test", List.of(new MetricSpec("s", "1", 0, 100)),
      Duration.ofMinutes(1), NetworkSlice.EMBB, 4, List.of(new ModelBinding("rul", List.of("s"), 1, 1, 0)));

  private static ModelRuns withOneWindowDue(ReadingRing ring, int attempts) {
    ModelRuns runs = new ModelRuns(PROFILE.models().get(0), PROFILE, attempts);
    ring.add(1_000, 1, new float[] {42f});
    runs.accepted(ring, 1, new long[0]);
    return runs;
  }

  @Test
  void a_window_the_pools_could_not_take_is_requested_again_up_to_the_attempts() {
    ReadingRing ring = new ReadingRing(4, 1);
    ModelRuns runs = withOneWindowDue(ring, 3);

    for (int request = 1; request <= 3; request++) {
      assertThat(runs.next(ring)).as("request %d", request).isPresent();
      runs.answered(request == 2
          ? new InferenceReply.Overloaded("rul", io.fleetpulse.serving.Lane.EMBB, 64)
          : new InferenceReply.Failed("rul", InferenceReply.Failed.POOL_UNAVAILABLE, "no pool answered"), 0, 1);
    }
    assertThat(runs.next(ring)).as("given up after three requests").isEmpty();
    assertThat(runs.view().runs()).containsEntry("unavailable", 2L).containsEntry("overloaded", 1L);
  }

  @Test
  void a_pool_s_refusal_is_not_retried() {
    ReadingRing ring = new ReadingRing(4, 1);
    ModelRuns runs = withOneWindowDue(ring, 3);

    assertThat(runs.next(ring)).isPresent();
    runs.answered(new InferenceReply.Failed("rul", "model.unknown", "no such model"), 0, 1);

    assertThat(runs.next(ring)).isEmpty();
    assertThat(runs.view().runs()).containsEntry("failed", 1L);
  }
}
