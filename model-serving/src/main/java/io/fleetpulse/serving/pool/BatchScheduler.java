package io.fleetpulse.serving.pool;

import io.fleetpulse.serving.Lane;
import io.fleetpulse.serving.ServingSettings;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The pool's dynamic batcher, without actors so it can be tested with a fake clock: bounded
 * queues per lane and model, batches formed when full or when the oldest request waited long
 * enough, lanes served in priority order with run slots reserved for URLLC, models within a lane
 * served round-robin, expired requests taken out before they run. Not thread-safe: owned by the
 * pool's actor.
 */
final class BatchScheduler {

  /** Whether {@link #offer} queued the request. */
  enum Admission {
    QUEUED,
    OVERLOADED
  }

  private final Map<Lane, ServingSettings.LaneSettings> lanes;
  private final Map<Lane, LinkedHashMap<String, ArrayDeque<PendingRequest>>> queues = new EnumMap<>(Lane.class);
  private final int maxConcurrent;
  private final int reservedUrllc;
  private int running;
  private int runningOutsideUrllc;

  BatchScheduler(Map<Lane, ServingSettings.LaneSettings> lanes, int maxConcurrent, int reservedUrllc) {
    this.lanes = lanes;
    this.maxConcurrent = maxConcurrent;
    this.reservedUrllc = reservedUrllc;
    for (Lane lane : Lane.values()) {
      queues.put(lane, new LinkedHashMap<>());
    }
  }

  Admission offer(PendingRequest request) {
    ArrayDeque<PendingRequest> queue = queues.get(request.lane()).computeIfAbsent(request.model(), m -> new ArrayDeque<>());
    if (queue.size() >= lanes.get(request.lane()).queueCapacity()) {
      return Admission.OVERLOADED;
    }
    queue.addLast(request);
    return Admission.QUEUED;
  }

  int queued(String model, Lane lane) {
    ArrayDeque<PendingRequest> queue = queues.get(lane).get(model);
    return queue == null ? 0 : queue.size();
  }

  /** Removes and returns every request whose deadline has passed. */
  List<PendingRequest> drainExpired(long nowNanos) {
    List<PendingRequest> expired = new ArrayList<>();
    for (LinkedHashMap<String, ArrayDeque<PendingRequest>> byModel : queues.values()) {
      for (ArrayDeque<PendingRequest> queue : byModel.values()) {
        while (!queue.isEmpty() && queue.peekFirst().deadlineNanos() <= nowNanos) {
          expired.add(queue.pollFirst());
        }
      }
    }
    return expired;
  }

  /** The next batch to run now, if a slot is free and a queue is ready; takes the slot. */
  Optional<Batch> next(long nowNanos) {
    for (Lane lane : Lane.values()) {
      if (!slotFreeFor(lane)) {
        continue;
      }
      ServingSettings.LaneSettings settings = lanes.get(lane);
      LinkedHashMap<String, ArrayDeque<PendingRequest>> byModel = queues.get(lane);
      Iterator<Map.Entry<String, ArrayDeque<PendingRequest>>> models = byModel.entrySet().iterator();
      while (models.hasNext()) {
        Map.Entry<String, ArrayDeque<PendingRequest>> entry = models.next();
        ArrayDeque<PendingRequest> queue = entry.getValue();
        if (queue.isEmpty() || !ready(queue, settings, nowNanos)) {
          continue;
        }
        List<PendingRequest> requests = new ArrayList<>(Math.min(queue.size(), settings.maxBatchSize()));
        while (!queue.isEmpty() && requests.size() < settings.maxBatchSize()) {
          requests.add(queue.pollFirst());
        }
        // Round-robin between models of a lane: the served model goes to the back.
        models.remove();
        byModel.put(entry.getKey(), queue);
        running++;
        if (lane != Lane.URLLC) {
          runningOutsideUrllc++;
        }
        return Optional.of(new Batch(entry.getKey(), lane, requests));
      }
    }
    return Optional.empty();
  }

  void finished(Batch batch) {
    running--;
    if (batch.lane() != Lane.URLLC) {
      runningOutsideUrllc--;
    }
  }

  /** When the next queue becomes ready or the next request expires, if anything waits. */
  OptionalLong nextDueNanos() {
    long due = Long.MAX_VALUE;
    for (Map.Entry<Lane, LinkedHashMap<String, ArrayDeque<PendingRequest>>> lane : queues.entrySet()) {
      long delay = lanes.get(lane.getKey()).maxQueueDelay().toNanos();
      for (ArrayDeque<PendingRequest> queue : lane.getValue().values()) {
        PendingRequest oldest = queue.peekFirst();
        if (oldest != null) {
          due = Math.min(due, Math.min(oldest.enqueuedNanos() + delay, oldest.deadlineNanos()));
        }
      }
    }
    return due == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(due);
  }

  int running() {
    return running;
  }

  private boolean slotFreeFor(Lane lane) {
    if (running >= maxConcurrent) {
      return false;
    }
    return lane == Lane.URLLC || runningOutsideUrllc < maxConcurrent - reservedUrllc;
  }

  private static boolean ready(ArrayDeque<PendingRequest> queue, ServingSettings.LaneSettings settings, long nowNanos) {
    return queue.size() >= settings.maxBatchSize()
        || nowNanos - queue.peekFirst().enqueuedNanos() >= settings.maxQueueDelay().toNanos();
  }
}
