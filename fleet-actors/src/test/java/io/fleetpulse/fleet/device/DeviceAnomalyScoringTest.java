package io.fleetpulse.fleet.device;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.fleetpulse.anomaly.AnomalySettings;
import io.fleetpulse.anomaly.StreamingAnomalyDetector;
import io.fleetpulse.api.profile.DeviceProfile;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.records.DeviceRecords;
import io.fleetpulse.api.telemetry.DeviceIdentity;
import io.fleetpulse.api.telemetry.Sample;
import io.fleetpulse.api.telemetry.Telemetry;
import io.fleetpulse.fleet.FleetSettings;
import io.fleetpulse.fleet.alert.AlertSignal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The streaming anomaly detector inside a device: what it stores, what it skips, what it alerts on. */
class DeviceAnomalyScoringTest {

  private static final DeviceProfiles PROFILES = DeviceProfiles.fromConfig(ConfigFactory.load());
  private static final FleetSettings.Device SETTINGS = FleetSettings.fromConfig(ConfigFactory.load()).device();
  private static final DeviceIdentity SIGNAL = new DeviceIdentity("sig-1", "plant-a", "univariate-signal");
  private static final long T0 = 1_700_000_000_000L;
  private static final long STEP = 300_000L;

  private final List<DeviceRecords.PredictionRecord> predictions = new ArrayList<>();
  private final DeviceRecords records = new DeviceRecords() {
    @Override
    public void deviceSeen(DeviceIdentity device, long atMillis) {}

    @Override
    public void rollup(DeviceIdentity device, MinuteRollup rollup) {}

    @Override
    public void prediction(DeviceIdentity device, PredictionRecord prediction) {
      predictions.add(prediction);
    }
  };

  private static double[] signal(int length) {
    Random random = new Random(17);
    double[] values = new double[length];
    for (int i = 0; i < length; i++) {
      values[i] = 50 + 10 * Math.sin(2 * Math.PI * i / 288.0) + random.nextGaussian();
    }
    return values;
  }

  /** Message {@code sequence}, read at its own time (one step per sequence number) and received then. */
  private static Telemetry reading(long sequence, double value) {
    return received(sequence, value, T0 + sequence * STEP);
  }

  @Test
  void stores_every_in_order_reading_s_score_as_the_detector_computes_it_offline() {
    DeviceState state = new DeviceState(SIGNAL, PROFILES.get("univariate-signal"), SETTINGS, records);
    double[] values = signal(1500);
    StreamingAnomalyDetector offline = new StreamingAnomalyDetector(AnomalySettings.fromConfig(ConfigFactory.load()));
    for (int i = 0; i < values.length; i++) {
      state.ingest(reading(i + 1, values[i]));
    }

    assertThat(predictions).hasSize(values.length);
    for (int i = 0; i < values.length; i++) {
      StreamingAnomalyDetector.Score expected = offline.score(values[i]);
      DeviceRecords.PredictionRecord stored = predictions.get(i);
      assertThat(stored.model()).isEqualTo("anomaly:value");
      assertThat(stored.version()).isEqualTo(AnomalySettings.DETECTOR_VERSION);
      assertThat(stored.sequence()).isEqualTo(i + 1);
      assertThat(stored.atMillis()).isEqualTo(T0 + (i + 1) * STEP);
      assertThat(stored.outputs()).containsExactly((float) expected.anomaly(), (float) expected.novelty());
    }
  }

  @Test
  void readings_that_overtook_one_another_are_scored_in_sequence_order() {
    DeviceState state = new DeviceState(SIGNAL, PROFILES.get("univariate-signal"), SETTINGS, records);
    long hold = SETTINGS.anomaly().reorderHold().toMillis();
    state.ingest(received(1, 1.0, T0));
    state.ingest(received(3, 3.0, T0 + 1)); // 2 is still on its way
    assertThat(state.anomalyReleaseDelayMillis()).hasValue(hold);
    assertThat(state.releaseAnomalyReadings(T0 + hold)).as("1 waited long enough; 3 waits for 2").isTrue();
    assertThat(predictions).extracting(DeviceRecords.PredictionRecord::sequence).containsExactly(1L);
    state.ingest(received(2, 2.0, T0 + 2));
    assertThat(predictions).extracting(DeviceRecords.PredictionRecord::sequence).containsExactly(1L, 2L, 3L);
    assertThat(state.anomalyReleaseDelayMillis()).isEmpty();

    state.ingest(received(5, 5.0, T0 + 10)); // 4 never comes (the gateway rejected it, say)
    assertThat(state.releaseAnomalyReadings(T0 + 10 + hold - 1)).isTrue();
    assertThat(state.releaseAnomalyReadings(T0 + 10 + hold)).isFalse();
    state.ingest(received(4, 4.0, T0 + 20)); // too late: 5 was scored
    assertThat(predictions).extracting(DeviceRecords.PredictionRecord::sequence).containsExactly(1L, 2L, 3L, 5L);
    assertThat(state.view(true, 0).anomalyScoring())
        .containsEntry("scored", 4L).containsEntry("late", 1L).containsEntry("gaps", 1L).containsEntry("waiting", 0L);
  }

  @Test
  void more_messages_than_may_wait_are_scored_in_order_without_waiting_for_the_hold() {
    DeviceState state = new DeviceState(SIGNAL, PROFILES.get("univariate-signal"), SETTINGS, records);
    int capacity = SETTINGS.anomaly().reorderCapacity();
    // A burst at first contact: every message waits for any that overtook the first, until more
    // wait than the capacity allows; then the oldest is taken as the start, and it and those that
    // follow it are scored in order at once, without a timer.
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> {
      for (int sequence = 1; sequence <= capacity + 10; sequence++) {
        state.ingest(received(sequence, sequence, T0));
        if (sequence == capacity) {
          assertThat(predictions).as("within the capacity, they wait").isEmpty();
        }
      }
    });
    assertThat(predictions).extracting(DeviceRecords.PredictionRecord::sequence)
        .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, capacity + 10).boxed().toList());
    assertThat(state.anomalyReleaseDelayMillis()).isEmpty();
  }

  @Test
  void recovered_readings_are_learnt_but_not_stored_again() {
    DeviceState restarted = new DeviceState(SIGNAL, PROFILES.get("univariate-signal"), SETTINGS, records);
    restarted.recover(received(1, 2.0, T0));
    restarted.recover(received(2, 1.0, T0 + 1));
    restarted.ingest(received(3, 1.5, T0 + 2));
    assertThat(predictions).extracting(DeviceRecords.PredictionRecord::sequence).containsExactly(3L);
  }

  @Test
  void a_recovered_reading_delivered_live_stores_the_score_the_replay_gave_it_as_offline() {
    // 1-10 were stored before this actor read them back (the first one started it); no actor had
    // scored them. Their live deliveries store the scores the replay computed, as offline.
    double[] values = signal(12);
    DeviceState started = new DeviceState(SIGNAL, PROFILES.get("univariate-signal"), SETTINGS, records);
    for (int i = 0; i < 10; i++) {
      started.recover(reading(i + 1, values[i]));
    }
    assertThat(predictions).as("nothing stored by the replay").isEmpty();
    for (int i = 0; i < 12; i++) {
      started.ingest(reading(i + 1, values[i]));
    }
    started.ingest(reading(5, values[4]));

    StreamingAnomalyDetector offline = new StreamingAnomalyDetector(AnomalySettings.fromConfig(ConfigFactory.load()));
    assertThat(predictions).as("each once: a duplicate stores nothing").hasSize(12);
    for (int i = 0; i < 12; i++) {
      StreamingAnomalyDetector.Score expected = offline.score(values[i]);
      assertThat(predictions.get(i).sequence()).isEqualTo(i + 1);
      assertThat(predictions.get(i).outputs()).containsExactly((float) expected.anomaly(), (float) expected.novelty());
    }
  }

  @Test
  void a_message_whose_store_had_not_completed_when_the_actor_read_its_history_is_scored_in_order() {
    // First contact at full speed: 1-5 and 7 were stored when the starting actor read the history,
    // 6's store completed just after and 6 is delivered live. It is scored before 7, as offline,
    // and every message's score is stored once.
    double[] values = signal(8);
    DeviceState started = new DeviceState(SIGNAL, PROFILES.get("univariate-signal"), SETTINGS, records);
    for (int sequence : new int[] {1, 2, 3, 4, 5, 7}) {
      started.recover(received(sequence, values[sequence - 1], T0), T0 + 100);
    }
    for (int sequence = 1; sequence <= 8; sequence++) {
      started.ingest(received(sequence, values[sequence - 1], T0 + 200));
    }
    started.releaseAnomalyReadings(T0 + 200 + SETTINGS.anomaly().reorderHold().toMillis());

    StreamingAnomalyDetector offline = new StreamingAnomalyDetector(AnomalySettings.fromConfig(ConfigFactory.load()));
    assertThat(predictions).extracting(DeviceRecords.PredictionRecord::sequence).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
    for (int i = 0; i < 8; i++) {
      StreamingAnomalyDetector.Score expected = offline.score(values[i]);
      assertThat(predictions.get(i).outputs()).as("score of %s", i + 1)
          .containsExactly((float) expected.anomaly(), (float) expected.novelty());
    }
    assertThat(started.view(true, 0).anomalyScoring()).containsEntry("late", 0L).containsEntry("gaps", 0L);
  }

  @Test
  void recovered_scores_are_kept_only_for_the_newest_messages_and_until_the_actor_says_the_deliveries_are_over() {
    double[] values = signal(40);
    DeviceState started = new DeviceState(SIGNAL, PROFILES.get("univariate-signal"), SETTINGS, records);
    for (int i = 0; i < 40; i++) {
      started.recover(reading(i + 1, values[i]));
    }
    assertThat(started.keepsRecoveredScores()).isTrue();
    started.ingest(reading(1, values[0]));
    started.ingest(reading(40, values[39]));
    assertThat(predictions).as("only the newest 32 keep theirs").extracting(DeviceRecords.PredictionRecord::sequence)
        .containsExactly(40L);
    started.forgetRecoveredScores();
    assertThat(started.keepsRecoveredScores()).isFalse();
    started.ingest(reading(39, values[38]));
    assertThat(predictions).as("forgotten").hasSize(1);
  }

  private static Telemetry received(long sequence, double value, long receivedAtMillis) {
    long timestamp = T0 + sequence * STEP;
    return new Telemetry(SIGNAL, sequence, timestamp, List.of(new Sample("value", timestamp, value)), receivedAtMillis);
  }

  @Test
  void an_anomaly_raises_an_alert_that_clears_once_the_signal_is_ordinary_again() {
    DeviceState state = new DeviceState(SIGNAL, PROFILES.get("univariate-signal"), SETTINGS, records);
    double[] values = signal(3000);
    for (int i = 2000; i < 2010; i++) {
      values[i] += 60; // a burst far outside the rhythm
    }
    List<AlertSignal> signals = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      state.ingest(reading(i + 1, values[i]));
      signals.addAll(state.drainSignals());
    }
    List<AlertSignal> anomalies = signals.stream().filter(signal -> signal.type().equals("signal-anomaly")).toList();
    assertThat(anomalies).isNotEmpty();
    assertThat(anomalies.get(0)).isInstanceOfSatisfying(AlertSignal.Triggered.class,
        raised -> assertThat(raised.atMillis()).isBetween(T0 + 2001 * STEP, T0 + 2011 * STEP));
    assertThat(anomalies.get(anomalies.size() - 1)).isInstanceOfSatisfying(AlertSignal.Resolved.class,
        cleared -> assertThat(cleared.atMillis()).isGreaterThan(T0 + 2011 * STEP));
    long clears = anomalies.stream().filter(AlertSignal.Resolved.class::isInstance).count();
    assertThat(clears).as("one event, one alert raised and cleared (no flapping)").isEqualTo(1);
  }

  @Test
  void a_profile_without_anomaly_scores_stores_none() {
    DeviceIdentity pump = new DeviceIdentity("pump-1", "plant-a", "rotating-machine");
    DeviceState state = new DeviceState(pump, PROFILES.get("rotating-machine"), SETTINGS, records);
    long timestamp = T0;
    state.ingest(new Telemetry(pump, 1, timestamp, List.of(new Sample("vibration", timestamp, 2.0)), timestamp));
    assertThat(predictions).isEmpty();
    assertThat(state.view(true, 0).anomalyScoring()).isEmpty();
    assertThat(PROFILES.get("environment-sensor").anomalyMetrics()).containsExactly("temperature", "humidity", "co2", "pm25");
    assertThat(DeviceProfile.anomalyModel("co2")).isEqualTo("anomaly:co2");
  }
}
