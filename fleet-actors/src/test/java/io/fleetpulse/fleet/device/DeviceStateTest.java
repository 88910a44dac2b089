package io.fleetpulse.fleet.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.typesafe.config.ConfigFactory;
import io.fleetpulse.api.profile.DeviceProfile;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.records.DeviceRecords;
import io.fleetpulse.api.telemetry.DeviceIdentity;
import io.fleetpulse.api.telemetry.IngestOutcome;
import io.fleetpulse.api.telemetry.RejectReason;
import io.fleetpulse.api.telemetry.Sample;
import io.fleetpulse.api.telemetry.Telemetry;
import io.fleetpulse.fleet.FleetSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceStateTest {

  private static final DeviceProfiles PROFILES = DeviceProfiles.fromConfig(ConfigFactory.load());
  private static final FleetSettings.Device SETTINGS = FleetSettings.fromConfig(ConfigFactory.load()).device();
  private static final DeviceIdentity PUMP = new DeviceIdentity("pump-7", "plant-a", "rotating-machine");
  private static final long T0 = 1_700_000_000_000L;

  private final DeviceProfile profile = PROFILES.get("rotating-machine");
  private final DeviceState state = new DeviceState(PUMP, profile, SETTINGS);

  @Test
  void a_fresh_device_has_an_empty_view() {
    DeviceView view = state.view(false, 20);

    assertThat(view.deviceId()).isEqualTo("pump-7");
    assertThat(view.site()).isEqualTo("plant-a");
    assertThat(view.profile()).isEqualTo("rotating-machine");
    assertThat(view.accepted()).isZero();
    assertThat(view.firstSeenMillis()).isNull();
    assertThat(view.lastSeenMillis()).isNull();
    assertThat(view.highestSequence()).isNull();
    assertThat(view.recent()).isEmpty();
    assertThat(view.metrics()).hasSize(5).allSatisfy(metric -> assertThat(metric.last()).isNull());
  }

  @Test
  void counts_each_accepted_message() {
    for (long sequence = 1; sequence <= 3; sequence++) {
      IngestOutcome outcome = state.ingest(telemetry(sequence, new Sample("vibration", T0 + sequence, 1.0)));
      assertThat(outcome).isEqualTo(new IngestOutcome.Accepted("pump-7", sequence));
    }

    DeviceView view = state.view(true, 20);
    assertThat(view.accepted()).isEqualTo(3);
    assertThat(view.duplicates()).isZero();
    assertThat(view.highestSequence()).isEqualTo(3L);
    assertThat(view.online()).isTrue();
    assertThat(view.firstSeenMillis()).isEqualTo(T0 + 1);
    assertThat(view.lastSeenMillis()).isEqualTo(T0 + 3);
  }

  @Test
  void counts_a_redelivered_message_once() {
    Telemetry message = telemetry(1, new Sample("vibration", T0, 2.5), new Sample("pressure", T0, 4.25));
    state.ingest(message);
    state.ingest(telemetry(2, new Sample("vibration", T0 + 1000, 3.5)));
    DeviceView before = state.view(true, 20);

    IngestOutcome outcome = state.ingest(message);

    assertThat(outcome).isEqualTo(new IngestOutcome.Duplicate("pump-7", 1));
    DeviceView after = state.view(true, 20);
    assertThat(after.accepted()).isEqualTo(2);
    assertThat(after.duplicates()).isEqualTo(1);
    assertThat(after.metrics()).isEqualTo(before.metrics());
    assertThat(after.recent()).isEqualTo(before.recent());
    assertThat(after.highestSequence()).isEqualTo(2L);
    assertThat(state.ring().size()).isEqualTo(2);
  }

  @Test
  void answers_a_gateway_retry_of_the_delivery_that_got_a_message_in_as_accepted_and_counts_it_once() {
    Telemetry first = telemetry(1, new Sample("vibration", T0, 2.5)).withDeliveryId(1001);
    assertThat(state.ingest(first, T0)).isEqualTo(new IngestOutcome.Accepted("pump-7", 1));
    state.ingest(telemetry(2, new Sample("vibration", T0 + 1000, 3.5)).withDeliveryId(1002), T0 + 1000);

    // The answer to the first attempt was lost: the gateway retries the same delivery.
    assertThat(state.ingest(first, T0 + 6000)).isEqualTo(new IngestOutcome.Accepted("pump-7", 1));
    // The device sent sequence 1 again: another delivery, a duplicate, also when the gateway retries it.
    Telemetry again = first.withDeliveryId(1003);
    assertThat(state.ingest(again, T0 + 6100)).isEqualTo(new IngestOutcome.Duplicate("pump-7", 1));
    assertThat(state.ingest(again, T0 + 11_000)).isEqualTo(new IngestOutcome.Duplicate("pump-7", 1));

    DeviceView view = state.view(true, 20);
    assertThat(view.accepted()).isEqualTo(2);
    assertThat(view.duplicates()).isEqualTo(2);
    assertThat(view.metrics().get(0).windows().get(0).count()).as("2.5 once, 3.5 once").isEqualTo(2);
  }

  @Test
  void messages_without_a_delivery_id_are_never_taken_for_a_retry() {
    Telemetry message = telemetry(1, new Sample("vibration", T0, 2.5));
    state.ingest(message, T0);

    assertThat(state.ingest(message, T0 + 10)).isEqualTo(new IngestOutcome.Duplicate("pump-7", 1));
  }

  @Test
  void rejects_a_sequence_older_than_the_window_and_counts_the_reason() {
    state.ingest(telemetry(5000, new Sample("vibration", T0, 1.0)));
    DeviceView before = state.view(true, 20);

    IngestOutcome outcome = state.ingest(
        telemetry(5000 - SETTINGS.sequenceWindow(), new Sample("vibration", T0 - 1000, 50.0)));

    assertThat(outcome).isInstanceOfSatisfying(IngestOutcome.Rejected.class, rejected -> {
      assertThat(rejected.deviceId()).isEqualTo("pump-7");
      assertThat(rejected.sequence()).isEqualTo(5000 - SETTINGS.sequenceWindow());
      assertThat(rejected.reason()).isEqualTo(RejectReason.SEQUENCE_TOO_OLD);
      assertThat(rejected.detail()).contains("5000");
    });
    DeviceView after = state.view(true, 20);
    assertThat(after.rejectsByReason()).containsExactly(entry("sequence.too-old", 1L));
    assertThat(after.accepted()).isEqualTo(1);
    assertThat(after.duplicates()).isZero();
    assertThat(after.metrics()).isEqualTo(before.metrics());
    assertThat(after.recent()).isEqualTo(before.recent());
  }

  @Test
  void a_rebooted_device_is_refused_as_too_old_only_until_the_configured_run_restarts_its_window() {
    int restartAfter = SETTINGS.sequenceRestartAfter();
    long time = T0;
    for (long sequence = 1; sequence <= 5000; sequence++) {
      state.ingest(telemetry(sequence, new Sample("vibration", time += 1000, 1.0)));
    }

    for (long sequence = 1; sequence < restartAfter; sequence++) {
      assertThat(state.ingest(telemetry(sequence, new Sample("vibration", time += 1000, 2.0))))
          .isInstanceOfSatisfying(IngestOutcome.Rejected.class,
              rejected -> assertThat(rejected.reason()).isEqualTo(RejectReason.SEQUENCE_TOO_OLD));
    }
    for (long sequence = restartAfter; sequence < restartAfter + 5; sequence++) {
      assertThat(state.ingest(telemetry(sequence, new Sample("vibration", time += 1000, 3.0))))
          .isEqualTo(new IngestOutcome.Accepted("pump-7", sequence));
    }
    assertThat(state.ingest(telemetry(restartAfter + 2, new Sample("vibration", time, 3.0))))
        .isEqualTo(new IngestOutcome.Duplicate("pump-7", restartAfter + 2));

    DeviceView view = state.view(true, 20);
    assertThat(view.rejectsByReason()).containsExactly(entry("sequence.too-old", (long) restartAfter - 1));
    assertThat(view.accepted()).isEqualTo(5000 + 5);
    assertThat(view.highestSequence()).isEqualTo(restartAfter + 4L);
  }

  @Test
  void a_state_rebuilt_after_a_counter_restart_keeps_accepting_the_new_counter() {
    long huge = 1L << 40;
    List<Telemetry> stored = new java.util.ArrayList<>(); // what the gateway stored: the refused ones too
    long time = T0;
    for (long sequence = 1; sequence <= 100; sequence++) {
      stored.add(telemetry(sequence, new Sample("vibration", time += 1000, 1.0)));
    }
    stored.add(telemetry(huge, new Sample("vibration", time += 1000, 1.0)));
    for (long sequence = 101; sequence <= 130; sequence++) {
      stored.add(telemetry(sequence, new Sample("vibration", time += 1000, 1.0)));
    }
    stored.forEach(state::ingest);
    assertThat(state.view(true, 20).highestSequence()).isEqualTo(130L);

    DeviceState rebuilt = new DeviceState(PUMP, profile, SETTINGS);
    stored.forEach(rebuilt::recover); // in time order, as the history reads them back

    assertThat(rebuilt.view(false, 20).highestSequence()).as("the new counter, not the huge number").isEqualTo(130L);
    assertThat(rebuilt.view(false, 20).metrics()).isEqualTo(state.view(true, 20).metrics());
    assertThat(rebuilt.ingest(telemetry(131, new Sample("vibration", time += 1000, 1.0))))
        .isEqualTo(new IngestOutcome.Accepted("pump-7", 131));
    Telemetry redelivered = stored.get(stored.size() - 1);
    assertThat(rebuilt.ingest(redelivered)).as("its acknowledgement died with the old actor")
        .isEqualTo(new IngestOutcome.Accepted("pump-7", 130));
    assertThat(rebuilt.ingest(redelivered)).isEqualTo(new IngestOutcome.Duplicate("pump-7", 130));
    assertThat(rebuilt.ingest(stored.get(100))).as("the huge number's first live redelivery")
        .isEqualTo(new IngestOutcome.Accepted("pump-7", huge));
    assertThat(rebuilt.ingest(stored.get(100))).isEqualTo(new IngestOutcome.Duplicate("pump-7", huge));
    assertThat(rebuilt.ingest(telemetry(132, new Sample("vibration", time += 1000, 1.0))))
        .isEqualTo(new IngestOutcome.Accepted("pump-7", 132));
  }

  @Test
  void aggregates_each_metric_from_its_own_readings() {
    state.ingest(telemetry(1, new Sample("vibration", T0, 2.0), new Sample("speed", T0, 1500.0)));
    state.ingest(telemetry(2, new Sample("vibration", T0 + 1000, 4.0), new Sample("speed", T0 + 1000, 1490.0)));
    state.ingest(telemetry(3, new Sample("vibration", T0 + 2000, 9.0)));

    DeviceView view = state.view(true, 20);

    assertThat(view.metrics()).extracting(MetricAggregates.View::metric)
        .containsExactly("vibration", "bearing-temperature", "motor-current", "pressure", "speed");
    MetricAggregates.View vibration = view.metrics().get(0);
    assertThat(vibration.unit()).isEqualTo("mm/s");
    assertThat(vibration.last()).isEqualTo(9.0);
    assertThat(vibration.lastTimestampMillis()).isEqualTo(T0 + 2000);
    assertThat(vibration.ratePerSecond()).isEqualTo(5.0);
    assertThat(vibration.windows()).allSatisfy(window -> {
      assertThat(window.count()).isEqualTo(3);
      assertThat(window.mean()).isEqualTo(5.0);
      assertThat(window.min()).isEqualTo(2.0);
      assertThat(window.max()).isEqualTo(9.0);
    });
    MetricAggregates.View speed = view.metrics().get(4);
    assertThat(speed.last()).isEqualTo(1490.0);
    assertThat(speed.ratePerSecond()).isEqualTo(-10.0);
    assertThat(speed.windows()).allSatisfy(window -> assertThat(window.count()).isEqualTo(2));
    MetricAggregates.View pressure = view.metrics().get(3);
    assertThat(pressure.last()).isNull();
    assertThat(pressure.windows()).allSatisfy(window -> assertThat(window.count()).isZero());
  }

  @Test
  void ring_rows_follow_the_profile_metric_order_and_the_view_leaves_out_missing_metrics() {
    state.ingest(telemetry(1,
        new Sample("speed", T0, 1500.0), new Sample("vibration", T0, 2.5), new Sample("pressure", T0, 4.25)));

    float[] row = state.ring().latest(1).get(0).values();
    assertThat(row).hasSize(5);
    assertThat(row[0]).isEqualTo(2.5f);
    assertThat(row[1]).isNaN();
    assertThat(row[2]).isNaN();
    assertThat(row[3]).isEqualTo(4.25f);
    assertThat(row[4]).isEqualTo(1500f);

    DeviceView.RecentReading recent = state.view(true, 20).recent().get(0);
    assertThat(recent.timestampMillis()).isEqualTo(T0);
    assertThat(recent.values()).containsExactly(entry("vibration", 2.5), entry("pressure", 4.25), entry("speed", 1500.0));
    assertThat(recent.values().values()).noneMatch(value -> value.isNaN());
  }

  @Test
  void the_view_shows_only_the_requested_number_of_recent_rows_oldest_first() {
    for (long sequence = 1; sequence <= 5; sequence++) {
      state.ingest(telemetry(sequence, new Sample("vibration", T0 + sequence * 1000, sequence)));
    }

    List<DeviceView.RecentReading> recent = state.view(true, 2).recent();

    assertThat(recent).extracting(DeviceView.RecentReading::timestampMillis).containsExactly(T0 + 4000, T0 + 5000);
    assertThat(recent.get(1).values()).containsExactly(entry("vibration", 5.0));
  }

  @Test
  void counts_rejections_by_their_code() {
    state.recordRejection(RejectReason.METRIC_UNKNOWN);
    state.recordRejection(RejectReason.VALUE_OUT_OF_RANGE);
    state.recordRejection(RejectReason.METRIC_UNKNOWN);

    DeviceView view = state.view(false, 20);

    assertThat(view.rejectsByReason())
        .containsOnly(entry("metric.unknown", 2L), entry("value.out-of-range", 1L));
    assertThat(view.accepted()).isZero();
  }

  @Test
  void a_state_rebuilt_from_stored_messages_equals_the_one_that_saw_them_live() {
    List<Telemetry> stored = new java.util.ArrayList<>();
    for (long sequence = 1; sequence <= 200; sequence++) {
      stored.add(telemetry(sequence, new Sample("vibration", T0 + sequence * 1000, Math.sin(sequence) * 3 + 10),
          new Sample("pressure", T0 + sequence * 1000, 101_325 + sequence % 7)));
    }
    stored.forEach(state::ingest);
    DeviceState rebuilt = new DeviceState(PUMP, profile, SETTINGS);
    stored.forEach(rebuilt::recover);

    DeviceView live = state.view(false, 20);
    DeviceView recovered = rebuilt.view(false, 20);
    assertThat(recovered.metrics()).isEqualTo(live.metrics());
    assertThat(recovered.recent()).isEqualTo(live.recent());
    assertThat(recovered.highestSequence()).isEqualTo(200L);
    assertThat(recovered.recovered()).isEqualTo(200);
    assertThat(recovered.accepted()).as("counted by the state that saw them live").isZero();
    assertThat(recovered.lastSeenMillis()).isEqualTo(live.lastSeenMillis());
  }

  @Test
  void the_first_live_delivery_of_a_recovered_message_is_accepted_without_being_applied_again() {
    Telemetry storedBeforeTheCrash = telemetry(41, new Sample("vibration", T0, 5.0));
    assertThat(state.recover(storedBeforeTheCrash)).isTrue();
    assertThat(state.recover(storedBeforeTheCrash)).as("read back twice, applied once").isFalse();

    assertThat(state.ingest(storedBeforeTheCrash)).isEqualTo(new IngestOutcome.Accepted("pump-7", 41));
    assertThat(state.ingest(storedBeforeTheCrash)).isEqualTo(new IngestOutcome.Duplicate("pump-7", 41));
    assertThat(state.ingest(telemetry(42, new Sample("vibration", T0 + 1000, 7.0))))
        .isEqualTo(new IngestOutcome.Accepted("pump-7", 42));

    DeviceView view = state.view(true, 20);
    assertThat(view.accepted()).isEqualTo(2);
    assertThat(view.duplicates()).isEqualTo(1);
    assertThat(view.recovered()).isEqualTo(1);
    WindowedStatistics.Summary window = view.metrics().get(0).windows().get(0);
    assertThat(window.count()).as("5.0 once, 7.0 once").isEqualTo(2);
    assertThat(window.mean()).isEqualTo(6.0);
  }

  @Test
  void a_gateway_retry_of_a_recovered_message_s_live_delivery_is_accepted_again() {
    Telemetry stored = telemetry(41, new Sample("vibration", T0, 5.0));
    state.recover(stored);
    Telemetry live = stored.withDeliveryId(77);

    assertThat(state.ingest(live, T0)).isEqualTo(new IngestOutcome.Accepted("pump-7", 41));
    assertThat(state.ingest(live, T0 + 5200)).as("its answer was lost").isEqualTo(new IngestOutcome.Accepted("pump-7", 41));
    assertThat(state.ingest(stored.withDeliveryId(78), T0 + 5300)).isEqualTo(new IngestOutcome.Duplicate("pump-7", 41));
    assertThat(state.view(true, 20).accepted()).isEqualTo(1);
  }

  @Test
  void closed_minutes_and_predictions_are_recorded_for_the_data_teams() {
    List<DeviceRecords.MinuteRollup> rollups = new java.util.ArrayList<>();
    List<DeviceRecords.PredictionRecord> predictions = new java.util.ArrayList<>();
    DeviceState recorded = new DeviceState(PUMP, profile, SETTINGS, new DeviceRecords() {
      @Override
      public void deviceSeen(DeviceIdentity device, long atMillis) {}

      @Override
      public void rollup(DeviceIdentity device, DeviceRecords.MinuteRollup rollup) {
        assertThat(device).isEqualTo(PUMP);
        rollups.add(rollup);
      }

      @Override
      public void prediction(DeviceIdentity device, DeviceRecords.PredictionRecord prediction) {
        predictions.add(prediction);
      }
    });
    long minute = 60_000L * 28_333_334L; // a whole minute
    recorded.ingest(telemetry(1, new Sample("vibration", minute + 1_000, 1.0)));
    recorded.ingest(telemetry(2, new Sample("vibration", minute + 59_000, 3.0)));
    recorded.ingest(telemetry(3, new Sample("vibration", minute + 61_000, 10.0)));
    assertThat(rollups).as("the minute before the newest stays open for late readings").isEmpty();
    recorded.ingest(telemetry(4, new Sample("vibration", minute + 125_000, 20.0)));
    assertThat(rollups).containsExactly(
        new DeviceRecords.MinuteRollup("vibration", minute, 2, 2.0, 1.0, 3.0, Math.sqrt(2.0)));

    // A redelivery for the closed minute rewrites its roll-up whole...
    recorded.ingest(telemetry(5, new Sample("vibration", minute + 2_000, 5.0)));
    assertThat(rollups).last().isEqualTo(
        new DeviceRecords.MinuteRollup("vibration", minute, 3, 3.0, 1.0, 5.0, 2.0));
    // ...one older than the longest aggregation window (15 min) is left out and counted.
    recorded.ingest(telemetry(6, new Sample("vibration", minute - 20 * 60_000, 7.0)));
    assertThat(recorded.view(true, 20).lateForRollups()).isEqualTo(1);

    recorded.closeRollups();
    assertThat(rollups).extracting(DeviceRecords.MinuteRollup::minuteMillis)
        .containsExactly(minute, minute, minute + 60_000, minute + 120_000);

    recorded.inferenceAnswered("rul", new io.fleetpulse.serving.InferenceReply.Prediction(
        "rul", "3", new float[] {0.25f, 0.5f}, 10, 4), T0 + 99, T0, 4);
    assertThat(predictions).containsExactly(new DeviceRecords.PredictionRecord("rul", "3", 4, T0, List.of(0.25f, 0.5f)));
  }

  @Test
  void a_late_message_re_runs_the_window_it_changes_after_the_model_answered() {
    DeviceState modelled = withRulModel(2);
    modelled.ingest(telemetry(1, new Sample("vibration", T0 + 1000, 1.0)));
    assertThat(modelled.dueInferences()).isEmpty(); // one row, the window needs two
    modelled.ingest(telemetry(3, new Sample("vibration", T0 + 3000, 3.0)));
    List<DeviceState.InferenceRequest> first = modelled.dueInferences();
    assertThat(first).singleElement().satisfies(request -> {
      assertThat(request.values()).containsExactly(1f, 3f);
      assertThat(request.endSequence()).isEqualTo(3);
    });
    // 2 arrives late, while the model is busy: nothing runs now...
    modelled.ingest(telemetry(2, new Sample("vibration", T0 + 2000, 2.0)));
    assertThat(modelled.dueInferences()).isEmpty();
    // ...and once the model answered, the window ending at 3 runs again, now with 2 in it.
    answerRul(modelled, 3);
    assertThat(modelled.dueInferences()).as("its own window first").singleElement().satisfies(request -> {
      assertThat(request.values()).containsExactly(1f, 2f);
      assertThat(request.endSequence()).isEqualTo(2);
    });
    answerRul(modelled, 2);
    assertThat(modelled.dueInferences()).singleElement().satisfies(request -> {
      assertThat(request.values()).containsExactly(2f, 3f);
      assertThat(request.endSequence()).isEqualTo(3);
      assertThat(request.endTimestampMillis()).isEqualTo(T0 + 3000);
    });
  }

  @Test
  void after_a_restart_a_message_late_for_the_previous_actor_re_runs_the_windows_it_may_have_run_without_it() {
    DeviceState restarted = withRulModel(2);
    // The previous actor ran the windows ending at 1 and 3 while 2 was on its way; 2 was never stored.
    restarted.recover(telemetry(1, new Sample("vibration", T0 + 1000, 1.0)));
    restarted.recover(telemetry(3, new Sample("vibration", T0 + 3000, 3.0)));
    assertThat(restarted.dueInferences()).as("the recovery runs nothing").isEmpty();
    // The broker redelivers 2: its own window, then the window ending at 3, now with 2 in it.
    restarted.ingest(telemetry(2, new Sample("vibration", T0 + 2000, 2.0)));
    assertThat(restarted.dueInferences()).singleElement().satisfies(request -> {
      assertThat(request.values()).containsExactly(1f, 2f);
      assertThat(request.endSequence()).isEqualTo(2);
    });
    answerRul(restarted, 2);
    assertThat(restarted.dueInferences()).singleElement().satisfies(request -> {
      assertThat(request.values()).containsExactly(2f, 3f);
      assertThat(request.endSequence()).isEqualTo(3);
    });
  }

  @Test
  void after_a_restart_the_redelivery_of_a_stored_message_re_runs_the_newer_windows_the_previous_actor_may_have_run_without_it() {
    DeviceState restarted = withRulModel(2);
    // 2 was stored, but the previous actor stopped before it saw it, after running the window ending at 3 without it.
    for (int sequence = 1; sequence <= 3; sequence++) {
      restarted.recover(telemetry(sequence, new Sample("vibration", T0 + sequence * 1000L, sequence)));
    }
    restarted.ingest(telemetry(2, new Sample("vibration", T0 + 2000, 2.0)));
    assertThat(restarted.dueInferences()).singleElement().satisfies(request -> assertThat(request.endSequence()).isEqualTo(2));
    answerRul(restarted, 2);
    assertThat(restarted.dueInferences()).singleElement().satisfies(request -> {
      assertThat(request.values()).containsExactly(2f, 3f);
      assertThat(request.endSequence()).isEqualTo(3);
    });
    answerRul(restarted, 3);
    // The newest message's redelivery re-runs nothing newer: there is nothing newer.
    restarted.ingest(telemetry(3, new Sample("vibration", T0 + 3000, 3.0)));
    assertThat(restarted.dueInferences()).singleElement().satisfies(request -> assertThat(request.endSequence()).isEqualTo(3));
  }

  @Test
  void a_window_the_pool_was_too_busy_for_is_tried_again_up_to_three_times_but_a_failure_is_not() {
    DeviceState modelled = withRulModel(1);
    modelled.ingest(telemetry(1, new Sample("vibration", T0, 1.0)));
    for (int attempt = 1; attempt <= 3; attempt++) {
      assertThat(modelled.dueInferences()).as("attempt %d", attempt).singleElement()
          .satisfies(request -> assertThat(request.endSequence()).isEqualTo(1));
      modelled.inferenceAnswered("rul", new io.fleetpulse.serving.InferenceReply.Expired("rul", io.fleetpulse.serving.Lane.EMBB, 25), T0, T0, 1);
    }
    assertThat(modelled.dueInferences()).as("given up after three").isEmpty();

    modelled.ingest(telemetry(2, new Sample("vibration", T0 + 1000, 2.0)));
    assertThat(modelled.dueInferences()).singleElement().satisfies(request -> assertThat(request.endSequence()).isEqualTo(2));
    modelled.inferenceAnswered("rul", new io.fleetpulse.serving.InferenceReply.Failed("rul", "model.unknown", "x"),
        T0, T0 + 1000, 2);
    assertThat(modelled.dueInferences()).isEmpty();
  }

  @Test
  void a_window_no_pool_answered_is_tried_again_so_a_just_started_node_loses_no_prediction() {
    DeviceState modelled = withRulModel(1);
    modelled.ingest(telemetry(1, new Sample("vibration", T0, 1.0)));
    for (int attempt = 1; attempt <= 2; attempt++) {
      assertThat(modelled.dueInferences()).as("attempt %d", attempt).singleElement()
          .satisfies(request -> assertThat(request.endSequence()).isEqualTo(1));
      modelled.inferenceAnswered("rul", new io.fleetpulse.serving.InferenceReply.Failed(
          "rul", io.fleetpulse.serving.InferenceReply.Failed.POOL_UNAVAILABLE, "no pool answered"), T0, T0, 1);
    }
    assertThat(modelled.dueInferences()).as("third attempt").singleElement()
        .satisfies(request -> assertThat(request.endSequence()).isEqualTo(1));
    modelled.inferenceAnswered("rul", new io.fleetpulse.serving.InferenceReply.Prediction(
        "rul", "1", new float[] {42f}, 1, 1), T0, T0, 1);
    assertThat(modelled.view(true, 20).predictions()).singleElement().satisfies(prediction -> {
      assertThat(prediction.outputs()).containsExactly(42.0);
      assertThat(prediction.runs()).containsEntry("unavailable", 2L).containsEntry("failed", 0L).containsEntry("predictions", 1L);
    });
  }

  @Test
  void a_queued_window_whose_rows_newer_messages_pushed_out_of_the_ring_is_counted_as_skipped_behind() {
    DeviceState modelled = withRulModel(4); // a ring of 8 rows
    for (int sequence = 1; sequence <= 4; sequence++) {
      modelled.ingest(telemetry(sequence, new Sample("vibration", T0 + sequence * 1000L, sequence)));
    }
    assertThat(modelled.dueInferences()).singleElement().satisfies(request -> assertThat(request.endSequence()).isEqualTo(4));
    // While 4 is at the pool, 5..12 arrive: the ring now holds 5..12, so windows ending 5, 6 and 7
    // lack their first rows; 8 is the oldest whole one.
    for (int sequence = 5; sequence <= 12; sequence++) {
      modelled.ingest(telemetry(sequence, new Sample("vibration", T0 + sequence * 1000L, sequence)));
    }
    modelled.inferenceAnswered("rul", new io.fleetpulse.serving.InferenceReply.Prediction(
        "rul", "1", new float[] {1f}, 1, 1), T0 + 13_000, T0 + 4000, 4);
    assertThat(modelled.dueInferences()).singleElement().satisfies(request -> {
      assertThat(request.endSequence()).isEqualTo(8);
      assertThat(request.values()).containsExactly(5f, 6f, 7f, 8f);
    });
    assertThat(modelled.view(true, 20).predictions()).singleElement()
        .satisfies(prediction -> assertThat(prediction.runs()).containsEntry("skippedBehind", 3L));
  }

  @Test
  void a_window_that_found_too_few_rows_runs_once_the_late_message_completing_it_arrives() {
    DeviceState modelled = withRulModel(4);
    for (int sequence = 2; sequence <= 4; sequence++) { // 1 is late
      modelled.ingest(telemetry(sequence, new Sample("vibration", T0 + sequence * 1000L, sequence)));
      assertThat(modelled.dueInferences()).as("three rows, the window needs four").isEmpty();
    }
    modelled.ingest(telemetry(1, new Sample("vibration", T0 + 1000L, 1)));
    assertThat(modelled.dueInferences()).singleElement().satisfies(request -> {
      assertThat(request.endSequence()).isEqualTo(4);
      assertThat(request.values()).containsExactly(1f, 2f, 3f, 4f);
    });
  }

  @Test
  void a_min_window_runs_a_device_s_first_windows_filled_with_its_first_message() {
    DeviceState modelled = withRulModel(4, 2);
    modelled.ingest(telemetry(1, new Sample("vibration", T0 + 1000, 1.0)));
    assertThat(modelled.dueInferences()).as("one message, the min-window is two").isEmpty();
    modelled.ingest(telemetry(3, new Sample("vibration", T0 + 3000, 3.0))); // 2 is late
    assertThat(modelled.dueInferences()).singleElement().satisfies(request -> {
      assertThat(request.values()).containsExactly(1f, 1f, 1f, 3f);
      assertThat(request.endSequence()).isEqualTo(3);
    });
    modelled.inferenceAnswered("rul", new io.fleetpulse.serving.InferenceReply.Prediction(
        "rul", "1", new float[] {9f}, 1, 1), T0 + 4000, T0 + 3000, 3);
    // 2 arrives: its own window, and the one ending at 3 again, now as it really was.
    modelled.ingest(telemetry(2, new Sample("vibration", T0 + 2000, 2.0)));
    assertThat(modelled.dueInferences()).singleElement().satisfies(request -> {
      assertThat(request.values()).containsExactly(1f, 1f, 1f, 2f);
      assertThat(request.endSequence()).isEqualTo(2);
    });
    modelled.inferenceAnswered("rul", new io.fleetpulse.serving.InferenceReply.Prediction(
        "rul", "1", new float[] {8f}, 1, 1), T0 + 5000, T0 + 2000, 2);
    assertThat(modelled.dueInferences()).singleElement().satisfies(request -> {
      assertThat(request.values()).containsExactly(1f, 1f, 2f, 3f);
      assertThat(request.endSequence()).isEqualTo(3);
    });
    modelled.inferenceAnswered("rul", new io.fleetpulse.serving.InferenceReply.Prediction(
        "rul", "1", new float[] {7f}, 1, 1), T0 + 6000, T0 + 3000, 3);
    modelled.ingest(telemetry(4, new Sample("vibration", T0 + 4000, 4.0)));
    assertThat(modelled.dueInferences()).as("a whole window from now on").singleElement()
        .satisfies(request -> assertThat(request.values()).containsExactly(1f, 2f, 3f, 4f));
  }

  @Test
  void a_binding_s_fill_rows_fill_a_device_s_first_windows_with_the_mean_of_its_first_messages() {
    DeviceState modelled = withRulModel(5, 2, 2);
    modelled.ingest(telemetry(1, new Sample("vibration", T0 + 1000, 1.0)));
    assertThat(modelled.dueInferences()).as("one message, the min-window is two").isEmpty();
    modelled.ingest(telemetry(2, new Sample("vibration", T0 + 2000, 2.0)));
    assertThat(modelled.dueInferences()).singleElement()
        .satisfies(request -> assertThat(request.values()).containsExactly(1.5f, 1.5f, 1.5f, 1f, 2f));
    modelled.inferenceAnswered("rul", new io.fleetpulse.serving.InferenceReply.Prediction(
        "rul", "1", new float[] {9f}, 1, 1), T0 + 3000, T0 + 2000, 2);
    modelled.ingest(telemetry(3, new Sample("vibration", T0 + 3000, 6.0)));
    assertThat(modelled.dueInferences()).as("the fill stays the mean of the first two").singleElement()
        .satisfies(request -> assertThat(request.values()).containsExactly(1.5f, 1.5f, 1f, 2f, 6f));
  }

  @Test
  void the_live_delivery_of_a_recovered_message_runs_its_window_which_no_model_may_have_seen() {
    DeviceState modelled = withRulModel(3);
    for (int sequence = 1; sequence <= 4; sequence++) {
      modelled.recover(telemetry(sequence, new Sample("vibration", T0 + sequence * 1000L, sequence)));
    }
    assertThat(modelled.dueInferences()).as("recovery runs nothing: its windows were run before").isEmpty();
    // 4 was stored, then the node stopped before any actor applied it; the broker redelivers it.
    assertThat(modelled.ingest(telemetry(4, new Sample("vibration", T0 + 4000, 4.0))))
        .isEqualTo(new IngestOutcome.Accepted("pump-7", 4));
    assertThat(modelled.dueInferences()).singleElement().satisfies(request -> {
      assertThat(request.values()).containsExactly(2f, 3f, 4f);
      assertThat(request.endSequence()).isEqualTo(4);
      assertThat(request.endTimestampMillis()).isEqualTo(T0 + 4000);
    });
  }

  /** A pump whose profile runs model "rul" on windows of {@code window} vibration readings, every message. */
  private DeviceState withRulModel(int window) {
    return withRulModel(window, window);
  }

  /** Also from {@code minWindow} readings on, the first one repeated to fill the window. */
  private DeviceState withRulModel(int window, int minWindow) {
    return withRulModel(window, minWindow, 1);
  }

  /** Also from {@code minWindow} readings on, the mean of the first {@code fillRows} filling the window. */
  private DeviceState withRulModel(int window, int minWindow, int fillRows) {
    DeviceProfile withModel = new DeviceProfile("pump-model", "test", profile.metrics(), java.time.Duration.ofMinutes(1),
        io.fleetpulse.api.profile.NetworkSlice.EMBB, 8,
        List.of(new io.fleetpulse.api.profile.ModelBinding("rul", List.of("vibration"), window, minWindow, 1, 0, fillRows)));
    return new DeviceState(PUMP, withModel, SETTINGS);
  }

  /** The RUL model's answer for the window ending with message {@code sequence} (its event time T0 + sequence s). */
  private static void answerRul(DeviceState state, long sequence) {
    state.inferenceAnswered("rul", new io.fleetpulse.serving.InferenceReply.Prediction(
        "rul", "1", new float[] {9f}, 1, 1), T0 + 10_000, T0 + sequence * 1000, sequence);
  }

  private static Telemetry telemetry(long sequence, Sample... samples) {
    long timestamp = samples[0].timestampMillis();
    return new Telemetry(PUMP, sequence, timestamp, List.of(samples), timestamp);
  }
}
