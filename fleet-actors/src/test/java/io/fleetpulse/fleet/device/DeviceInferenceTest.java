package io.fleetpulse.fleet.device;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.fleetpulse.api.profile.DeviceProfile;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.profile.MetricSpec;
import io.fleetpulse.api.profile.ModelBinding;
import io.fleetpulse.api.profile.NetworkSlice;
import io.fleetpulse.api.telemetry.DeviceIdentity;
import io.fleetpulse.api.telemetry.IngestOutcome;
import io.fleetpulse.api.telemetry.Sample;
import io.fleetpulse.api.telemetry.Telemetry;
import io.fleetpulse.fleet.FleetSettings;
import io.fleetpulse.fleet.directory.FleetDirectory;
import io.fleetpulse.serving.InferenceReply;
import io.fleetpulse.serving.Lane;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The device actor runs its profile's models on windows from its ring buffer. */
class DeviceInferenceTest {

  private static final ActorTestKit TEST_KIT = ActorTestKit.create(
      ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
  private static final DeviceProfile PUMP = new DeviceProfile(
      "pump", "pump", List.of(new MetricSpec("vibration", "mm/s", 0, 100), new MetricSpec("pressure", "bar", 0, 400),
          new MetricSpec("speed", "1/min", 0, 20000)),
      Duration.ofMinutes(1), NetworkSlice.MMTC, 8,
      List.of(new ModelBinding("scorer", List.of("pressure", "vibration"), 2, 1)));
  private static final DeviceIdentity IDENTITY = new DeviceIdentity("pump-1", "plant-1", "pump");

  /** Records each window and answers with a prediction whose output is the window's sum. */
  private static final class RecordingInference implements Inference {
    final List<float[]> windows = new CopyOnWriteArrayList<>();
    final List<Lane> lanes = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<InferenceReply> infer(String model, Lane lane, float[] values) {
      windows.add(values);
      lanes.add(lane);
      float sum = 0;
      for (float v : values) {
        sum += v;
      }
      return CompletableFuture.completedFuture(new InferenceReply.Prediction(model, "7", new float[] {sum}, 10, 1));
    }
  }

  @AfterAll
  static void stop() {
    TEST_KIT.shutdownTestKit();
  }

  @Test
  void runs_the_model_on_a_full_window_in_the_model_feature_order_and_shows_the_prediction() {
    RecordingInference inference = new RecordingInference();
    ActorRef<DeviceActor.Command> device = spawn(inference);
    TestProbe<IngestOutcome> outcomes = TEST_KIT.createTestProbe();

    device.tell(new DeviceActor.Ingest(telemetry(1, 2.0, 10.0), outcomes.getRef()));
    outcomes.receiveMessage();
    assertThat(inference.windows).as("window of 2 not full yet").isEmpty();

    device.tell(new DeviceActor.Ingest(telemetry(2, 3.0, 20.0), outcomes.getRef()));
    outcomes.receiveMessage();
    TestProbe<DeviceActor.ViewReply> views = TEST_KIT.createTestProbe();
    views.awaitAssert(() -> {
      assertThat(inference.windows).hasSize(1);
      return null;
    });
    // oldest first, pressure then vibration: the model's order, not the profile's
    assertThat(inference.windows.get(0)).containsExactly(10f, 2f, 20f, 3f);
    assertThat(inference.lanes.get(0)).isEqualTo(Lane.MMTC);

    device.tell(new DeviceActor.GetView(views.getRef()));
    DeviceView.PredictionView prediction = views.receiveMessage().view().predictions().get(0);
    assertThat(prediction.model()).isEqualTo("scorer");
    assertThat(prediction.version()).isEqualTo("7");
    assertThat(prediction.outputs()).containsExactly(35.0);
    assertThat(prediction.sequence()).isEqualTo(2);
    assertThat(prediction.runs()).containsEntry("predictions", 1L);
  }

  @Test
  void skips_a_window_with_a_missing_feature_instead_of_inventing_values() {
    RecordingInference inference = new RecordingInference();
    ActorRef<DeviceActor.Command> device = spawn(inference);
    TestProbe<IngestOutcome> outcomes = TEST_KIT.createTestProbe();

    device.tell(new DeviceActor.Ingest(telemetry(1, 2.0, 10.0), outcomes.getRef()));
    device.tell(new DeviceActor.Ingest(new Telemetry(IDENTITY, 2, 2_000, List.of(new Sample("vibration", 2_000, 4.0)), 2_000),
        outcomes.getRef()));
    outcomes.receiveSeveralMessages(2);

    TestProbe<DeviceActor.ViewReply> views = TEST_KIT.createTestProbe();
    device.tell(new DeviceActor.GetView(views.getRef()));
    DeviceView.PredictionView prediction = views.receiveMessage().view().predictions().get(0);
    assertThat(inference.windows).isEmpty();
    assertThat(prediction.outputs()).isNull();
    assertThat(prediction.runs()).containsEntry("skippedIncomplete", 1L);
  }

  @Test
  void tries_each_window_three_times_when_no_pool_answers_and_keeps_ingesting() {
    ActorRef<DeviceActor.Command> device = spawn(Inference.NONE);
    TestProbe<IngestOutcome> outcomes = TEST_KIT.createTestProbe();
    TestProbe<DeviceActor.ViewReply> views = TEST_KIT.createTestProbe();
    for (int seq = 1; seq <= 3; seq++) {
      device.tell(new DeviceActor.Ingest(telemetry(seq, 1.0, 1.0), outcomes.getRef()));
      assertThat(outcomes.receiveMessage()).isInstanceOf(IngestOutcome.Accepted.class);
      long windows = seq - 1; // the window of 2 is full from the second message on
      views.awaitAssert(() -> {
        device.tell(new DeviceActor.GetView(views.getRef()));
        assertThat(views.receiveMessage().view().predictions().get(0).runs())
            .containsEntry("unavailable", 3 * windows).containsEntry("failed", 0L).containsEntry("predictions", 0L);
        return null;
      });
    }
  }

  private static ActorRef<DeviceActor.Command> spawn(Inference inference) {
    TestProbe<FleetDirectory.Command> directory = TEST_KIT.createTestProbe();
    return TEST_KIT.spawn(DeviceActor.create("pump-1", DeviceProfiles.of(List.of(PUMP)),
        FleetSettings.fromConfig(ConfigFactory.load()).device(), directory.getRef(), Clock.systemUTC(), inference));
  }

  private static Telemetry telemetry(long sequence, double vibration, double pressure) {
    long at = sequence * 1_000;
    List<Sample> samples = new ArrayList<>();
    samples.add(new Sample("vibration", at, vibration));
    samples.add(new Sample("pressure", at, pressure));
    return new Telemetry(IDENTITY, sequence, at, samples, at);
  }
}
