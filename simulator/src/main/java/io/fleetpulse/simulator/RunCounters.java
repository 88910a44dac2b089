package io.fleetpulse.simulator;

import io.fleetpulse.simulator.plan.OutgoingMessage;
import io.fleetpulse.simulator.plan.SimulatedDevice;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The run's tallies, updated from the publishing loop and from MQTT callback threads. Categories
 * (valid unique, duplicate, late, malformed) are counted on PUBACK only.
 */
final class RunCounters {

  private final List<SimulatedDevice> fleet;
  private final LongAdder sent = new LongAdder();
  private final LongAdder acknowledged = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder late = new LongAdder();
  private final LongAdder deadLetters = new LongAdder();
  private final Map<String, LongAdder> malformedByCode = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> deadLettersByCode = new ConcurrentHashMap<>();
  private final AtomicLongArray validUniqueByDevice;

  RunCounters(List<SimulatedDevice> fleet) {
    this.fleet = fleet;
    this.validUniqueByDevice = new AtomicLongArray(fleet.size());
  }

  void onSent() {
    sent.increment();
  }

  void onAcknowledged(OutgoingMessage message) {
    acknowledged.increment();
    if (message.kind().validUnique()) {
      validUniqueByDevice.incrementAndGet(message.device().index());
    }
    switch (message.kind()) {
      case LATE -> late.increment();
      case DUPLICATE -> duplicates.increment();
      case MALFORMED -> message.malformed().ifPresent(kind ->
          malformedByCode.computeIfAbsent(kind.code(), code -> new LongAdder()).increment());
      default -> { }
    }
  }

  void onFailed(long count) {
    failed.add(count);
  }

  void onDeadLetter(String code) {
    deadLetters.increment();
    deadLettersByCode.computeIfAbsent(code, key -> new LongAdder()).increment();
  }

  long sent() {
    return sent.sum();
  }

  long acknowledged() {
    return acknowledged.sum();
  }

  long failed() {
    return failed.sum();
  }

  long deadLetters() {
    return deadLetters.sum();
  }

  long duplicates() {
    return duplicates.sum();
  }

  long late() {
    return late.sum();
  }

  Map<String, Long> malformedByCode() {
    return snapshot(malformedByCode);
  }

  Map<String, Long> deadLettersByCode() {
    return snapshot(deadLettersByCode);
  }

  Map<String, Long> validUniqueByDevice() {
    Map<String, Long> byDevice = new TreeMap<>();
    for (SimulatedDevice device : fleet) {
      long count = validUniqueByDevice.get(device.index());
      if (count > 0) {
        byDevice.put(device.deviceId(), count);
      }
    }
    return byDevice;
  }

  private static Map<String, Long> snapshot(Map<String, LongAdder> counters) {
    Map<String, Long> copy = new TreeMap<>();
    counters.forEach((key, adder) -> copy.put(key, adder.sum()));
    return copy;
  }
}
