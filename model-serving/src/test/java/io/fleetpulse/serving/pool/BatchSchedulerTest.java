package io.fleetpulse.serving.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.serving.Lane;
import io.fleetpulse.serving.ServingSettings.LaneSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The batcher on a fake clock: every time below is an explicit nanoTime reading, nothing sleeps. */
class BatchSchedulerTest {

  private static final long MS = 1_000_000L;
  /** An arbitrary clock origin far from zero, as System.nanoTime() readings are. */
  private static final long T0 = 5_000_000_000L;

  private static final LaneSettings URLLC = new LaneSettings(4, Duration.ZERO, Duration.ofMillis(20), 16);
  private static final LaneSettings EMBB = new LaneSettings(8, Duration.ofMillis(5), Duration.ofMillis(200), 32);
  private static final LaneSettings MMTC = new LaneSettings(16, Duration.ofMillis(20), Duration.ofSeconds(2), 64);
  private static final Map<Lane, LaneSettings> LANES = Map.of(Lane.URLLC, URLLC, Lane.EMBB, EMBB, Lane.MMTC, MMTC);

  private static BatchScheduler scheduler(int maxConcurrent, int reservedUrllc) {
    return new BatchScheduler(LANES, maxConcurrent, reservedUrllc);
  }

  private static BatchScheduler roomy() {
    return scheduler(8, 1);
  }

  private static int sequence;

  /** A request enqueued at {@code atNanos} with its lane's deadline; the values carry a serial number. */
  private static PendingRequest request(String model, Lane lane, long atNanos) {
    return new PendingRequest(model, lane, new float[] {sequence++}, atNanos,
        atNanos + LANES.get(lane).deadline().toNanos(), null);
  }

  private static List<PendingRequest> offerAll(BatchScheduler scheduler, String model, Lane lane, int count, long atNanos) {
    List<PendingRequest> offered = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      PendingRequest request = request(model, lane, atNanos);
      assertThat(scheduler.offer(request)).isEqualTo(BatchScheduler.Admission.QUEUED);
      offered.add(request);
    }
    return offered;
  }

  @Test
  void dispatches_a_batch_as_soon_as_max_batch_size_requests_wait() {
    BatchScheduler scheduler = roomy();
    List<PendingRequest> first = offerAll(scheduler, "scorer", Lane.EMBB, EMBB.maxBatchSize() - 1, T0);

    assertThat(scheduler.next(T0)).isEmpty();

    PendingRequest last = request("scorer", Lane.EMBB, T0);
    scheduler.offer(last);
    Optional<Batch> batch = scheduler.next(T0);

    assertThat(batch).isPresent();
    assertThat(batch.get().model()).isEqualTo("scorer");
    assertThat(batch.get().lane()).isEqualTo(Lane.EMBB);
    assertThat(batch.get().requests()).hasSize(EMBB.maxBatchSize()).startsWith(first.get(0)).endsWith(last);
    assertThat(scheduler.queued("scorer", Lane.EMBB)).isZero();
    assertThat(scheduler.running()).isEqualTo(1);
  }

  @Test
  void holds_a_partial_batch_until_the_oldest_request_waited_max_queue_delay() {
    BatchScheduler scheduler = roomy();
    PendingRequest oldest = request("scorer", Lane.EMBB, T0);
    PendingRequest younger = request("scorer", Lane.EMBB, T0 + 3 * MS);
    scheduler.offer(oldest);
    scheduler.offer(younger);
    long due = T0 + EMBB.maxQueueDelay().toNanos();

    assertThat(scheduler.next(due - 1)).isEmpty();
    assertThat(scheduler.running()).isZero();

    Optional<Batch> batch = scheduler.next(due);
    assertThat(batch).isPresent();
    assertThat(batch.get().requests()).containsExactly(oldest, younger);
  }

  @Test
  void dispatches_urllc_with_no_queue_delay_at_once() {
    BatchScheduler scheduler = roomy();
    PendingRequest urgent = request("scorer", Lane.URLLC, T0);
    scheduler.offer(urgent);

    Optional<Batch> batch = scheduler.next(T0);

    assertThat(batch).isPresent();
    assertThat(batch.get().lane()).isEqualTo(Lane.URLLC);
    assertThat(batch.get().requests()).containsExactly(urgent);
  }

  @Test
  void serves_ready_lanes_in_priority_order_urllc_then_embb_then_mmtc() {
    BatchScheduler scheduler = roomy();
    // Offered lowest priority first, so insertion order cannot explain the result.
    offerAll(scheduler, "scorer", Lane.MMTC, 1, T0);
    offerAll(scheduler, "scorer", Lane.EMBB, 1, T0);
    offerAll(scheduler, "scorer", Lane.URLLC, 1, T0);
    long allReady = T0 + MMTC.maxQueueDelay().toNanos();

    List<Lane> served = new ArrayList<>();
    Optional<Batch> batch;
    while ((batch = scheduler.next(allReady)).isPresent()) {
      served.add(batch.get().lane());
    }

    assertThat(served).containsExactly(Lane.URLLC, Lane.EMBB, Lane.MMTC);
  }

  @Test
  void keeps_a_reserved_slot_for_urllc_when_other_lanes_are_ready() {
    BatchScheduler scheduler = scheduler(2, 1);
    offerAll(scheduler, "scorer", Lane.MMTC, MMTC.maxBatchSize(), T0);
    offerAll(scheduler, "other", Lane.MMTC, MMTC.maxBatchSize(), T0);

    Optional<Batch> first = scheduler.next(T0);
    assertThat(first).isPresent();
    assertThat(first.get().lane()).isEqualTo(Lane.MMTC);
    assertThat(scheduler.next(T0)).as("the second slot is reserved for URLLC").isEmpty();
    assertThat(scheduler.queued("other", Lane.MMTC)).isEqualTo(MMTC.maxBatchSize());

    PendingRequest urgent = request("scorer", Lane.URLLC, T0 + MS);
    scheduler.offer(urgent);
    Optional<Batch> reserved = scheduler.next(T0 + MS);
    assertThat(reserved).isPresent();
    assertThat(reserved.get().requests()).containsExactly(urgent);
    assertThat(scheduler.running()).isEqualTo(2);
  }

  @Test
  void dispatches_nothing_while_every_slot_is_busy() {
    BatchScheduler scheduler = scheduler(2, 1);
    offerAll(scheduler, "scorer", Lane.URLLC, 1, T0);
    offerAll(scheduler, "other", Lane.URLLC, 1, T0);
    assertThat(scheduler.next(T0)).isPresent();
    assertThat(scheduler.next(T0)).isPresent();

    offerAll(scheduler, "scorer", Lane.URLLC, 1, T0 + MS);

    assertThat(scheduler.next(T0 + MS)).isEmpty();
    assertThat(scheduler.queued("scorer", Lane.URLLC)).isEqualTo(1);
  }

  @Test
  void a_finished_batch_frees_its_slot() {
    BatchScheduler scheduler = scheduler(2, 1);
    offerAll(scheduler, "scorer", Lane.MMTC, MMTC.maxBatchSize() * 2, T0);
    Batch running = scheduler.next(T0).orElseThrow();
    assertThat(scheduler.next(T0)).isEmpty();

    scheduler.finished(running);

    assertThat(scheduler.running()).isZero();
    Optional<Batch> next = scheduler.next(T0);
    assertThat(next).isPresent();
    assertThat(next.get().lane()).isEqualTo(Lane.MMTC);
  }

  @Test
  void a_finished_urllc_batch_frees_a_slot_for_the_other_lanes() {
    BatchScheduler scheduler = scheduler(2, 1);
    Batch urgent1 = dispatchOne(scheduler, "a", Lane.URLLC, T0);
    dispatchOne(scheduler, "b", Lane.URLLC, T0);
    offerAll(scheduler, "scorer", Lane.EMBB, EMBB.maxBatchSize(), T0);
    assertThat(scheduler.next(T0)).isEmpty();

    scheduler.finished(urgent1);

    assertThat(scheduler.next(T0)).map(Batch::lane).contains(Lane.EMBB);
  }

  private static Batch dispatchOne(BatchScheduler scheduler, String model, Lane lane, long now) {
    scheduler.offer(request(model, lane, now));
    return scheduler.next(now).orElseThrow();
  }

  @Test
  void reports_overloaded_exactly_at_queue_capacity_and_queues_nothing_then() {
    BatchScheduler scheduler = roomy();
    offerAll(scheduler, "scorer", Lane.EMBB, EMBB.queueCapacity(), T0);

    PendingRequest overflow = request("scorer", Lane.EMBB, T0);
    assertThat(scheduler.offer(overflow)).isEqualTo(BatchScheduler.Admission.OVERLOADED);
    assertThat(scheduler.queued("scorer", Lane.EMBB)).isEqualTo(EMBB.queueCapacity());

    List<PendingRequest> dispatched = new ArrayList<>();
    Optional<Batch> batch;
    while ((batch = scheduler.next(T0)).isPresent()) {
      dispatched.addAll(batch.get().requests());
    }
    assertThat(dispatched).hasSize(EMBB.queueCapacity()).doesNotContain(overflow);
  }

  @Test
  void capacity_is_counted_per_model_and_lane() {
    BatchScheduler scheduler = roomy();
    offerAll(scheduler, "scorer", Lane.URLLC, URLLC.queueCapacity(), T0);

    assertThat(scheduler.offer(request("scorer", Lane.URLLC, T0))).isEqualTo(BatchScheduler.Admission.OVERLOADED);
    assertThat(scheduler.offer(request("other", Lane.URLLC, T0))).isEqualTo(BatchScheduler.Admission.QUEUED);
    assertThat(scheduler.offer(request("scorer", Lane.EMBB, T0))).isEqualTo(BatchScheduler.Admission.QUEUED);
  }

  @Test
  void drains_only_requests_past_their_deadline_in_arrival_order() {
    BatchScheduler scheduler = scheduler(1, 0);
    PendingRequest first = request("scorer", Lane.EMBB, T0);
    PendingRequest second = request("scorer", Lane.EMBB, T0 + MS);
    PendingRequest third = request("scorer", Lane.EMBB, T0 + 2 * MS);
    PendingRequest otherLane = request("scorer", Lane.MMTC, T0);
    scheduler.offer(first);
    scheduler.offer(second);
    scheduler.offer(third);
    scheduler.offer(otherLane);
    long secondDeadline = second.deadlineNanos();

    assertThat(scheduler.drainExpired(first.deadlineNanos() - 1)).isEmpty();

    assertThat(scheduler.drainExpired(secondDeadline)).containsExactly(first, second);
    assertThat(scheduler.queued("scorer", Lane.EMBB)).isEqualTo(1);
    assertThat(scheduler.queued("scorer", Lane.MMTC)).isEqualTo(1);
    assertThat(scheduler.drainExpired(secondDeadline)).isEmpty();

    Batch remaining = scheduler.next(secondDeadline).orElseThrow();
    assertThat(remaining.requests()).containsExactly(third);
  }

  @Test
  void serves_the_models_of_one_lane_round_robin() {
    BatchScheduler scheduler = roomy();
    offerAll(scheduler, "scorer", Lane.EMBB, EMBB.maxBatchSize() * 3, T0);
    offerAll(scheduler, "other", Lane.EMBB, EMBB.maxBatchSize() * 3, T0);

    List<String> served = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Batch batch = scheduler.next(T0).orElseThrow();
      served.add(batch.model());
      scheduler.finished(batch);
    }

    assertThat(served).containsExactly("scorer", "other", "scorer", "other");
  }

  @Test
  void the_next_due_time_is_the_earliest_queue_delay_or_deadline() {
    BatchScheduler scheduler = roomy();
    assertThat(scheduler.nextDueNanos()).isEmpty();

    scheduler.offer(request("scorer", Lane.MMTC, T0));
    assertThat(scheduler.nextDueNanos()).hasValue(T0 + MMTC.maxQueueDelay().toNanos());

    scheduler.offer(request("scorer", Lane.EMBB, T0 + 10 * MS));
    assertThat(scheduler.nextDueNanos()).hasValue(T0 + 10 * MS + EMBB.maxQueueDelay().toNanos());

    // A request whose deadline comes before its lane's queue delay is due at its deadline.
    PendingRequest tight = new PendingRequest("other", Lane.MMTC, new float[1], T0 + MS, T0 + 2 * MS, null);
    scheduler.offer(tight);
    assertThat(scheduler.nextDueNanos()).hasValue(T0 + 2 * MS);

    scheduler.drainExpired(T0 + 2 * MS);
    assertThat(scheduler.nextDueNanos()).hasValue(T0 + 10 * MS + EMBB.maxQueueDelay().toNanos());
  }

  @Test
  void nothing_is_due_once_every_queue_is_dispatched() {
    BatchScheduler scheduler = roomy();
    offerAll(scheduler, "scorer", Lane.URLLC, 1, T0);
    scheduler.next(T0).orElseThrow();

    assertThat(scheduler.nextDueNanos()).isEmpty();
  }

  @Test
  void a_batch_never_exceeds_max_batch_size_and_keeps_arrival_order() {
    BatchScheduler scheduler = roomy();
    int count = MMTC.maxBatchSize() * 2 + 3;
    List<PendingRequest> offered = offerAll(scheduler, "scorer", Lane.MMTC, count, T0);
    long late = T0 + MMTC.maxQueueDelay().toNanos();

    List<Batch> batches = new ArrayList<>();
    Optional<Batch> batch;
    while ((batch = scheduler.next(late)).isPresent()) {
      batches.add(batch.get());
      scheduler.finished(batch.get());
    }

    assertThat(batches).extracting(b -> b.requests().size())
        .containsExactly(MMTC.maxBatchSize(), MMTC.maxBatchSize(), 3);
    assertThat(batches.stream().flatMap(b -> b.requests().stream()).toList()).containsExactlyElementsOf(offered);
  }
}
