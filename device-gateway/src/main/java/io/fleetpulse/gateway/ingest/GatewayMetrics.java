package io.fleetpulse.gateway.ingest;

import io.fleetpulse.api.telemetry.RejectReason;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one node's gateway. Written from MQTT client threads and actor replies, read by
 * the HTTP API; LongAdder keeps the hot path free of contention.
 */
public final class GatewayMetrics {

  private final LongAdder received = new LongAdder();
  private final LongAdder accepted = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder acknowledged = new LongAdder();
  private final LongAdder deliveryRetries = new LongAdder();
  private final LongAdder deadLettersPublished = new LongAdder();
  private final LongAdder deadLettersFailed = new LongAdder();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Map<RejectReason, LongAdder> rejected = new EnumMap<>(RejectReason.class);
  private final RateMeter processedRate;

  public GatewayMetrics(RateMeter processedRate) {
    this.processedRate = processedRate;
    for (RejectReason reason : RejectReason.values()) {
      rejected.put(reason, new LongAdder());
    }
  }

  void received() {
    received.increment();
    inFlight.incrementAndGet();
  }

  void accepted() {
    accepted.increment();
    processedRate.mark();
  }

  void duplicate() {
    duplicates.increment();
    processedRate.mark();
  }

  void rejected(RejectReason reason) {
    rejected.get(reason).increment();
    processedRate.mark();
  }

  void acknowledged() {
    acknowledged.increment();
    inFlight.decrementAndGet();
  }

  /** A message left the pipeline without acknowledgement; the broker will redeliver it. */
  void abandoned() {
    inFlight.decrementAndGet();
  }

  void deliveryRetry() {
    deliveryRetries.increment();
  }

  void deadLetterPublished() {
    deadLettersPublished.increment();
  }

  void deadLetterFailed() {
    deadLettersFailed.increment();
  }

  public Snapshot snapshot() {
    Map<String, Long> byReason = new LinkedHashMap<>();
    long rejectedTotal = 0;
    for (Map.Entry<RejectReason, LongAdder> entry : rejected.entrySet()) {
      long count = entry.getValue().sum();
      rejectedTotal += count;
      if (count > 0) {
        byReason.put(entry.getKey().code(), count);
      }
    }
    return new Snapshot(
        received.sum(),
        accepted.sum(),
        duplicates.sum(),
        rejectedTotal,
        Map.copyOf(byReason),
        acknowledged.sum(),
        inFlight.get(),
        deliveryRetries.sum(),
        deadLettersPublished.sum(),
        deadLettersFailed.sum(),
        processedRate.perSecond());
  }

  /** A consistent-enough copy of the counters for reporting. */
  public record Snapshot(
      long received,
      long accepted,
      long duplicates,
      long rejected,
      Map<String, Long> rejectsByReason,
      long acknowledged,
      int inFlight,
      long deliveryRetries,
      long deadLettersPublished,
      long deadLettersFailed,
      double processedPerSecond) {}
}
