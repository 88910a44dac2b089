package io.fleetpulse.gateway.ingest;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Events per second over a sliding window of whole seconds: one slot per second, each tagged
 * with its second so stale slots are ignored without a background timer.
 */
public final class RateMeter {

  private final int windowSeconds;
  private final LongSupplier clockMillis;
  private final AtomicLongArray slotSecond;
  private final LongAdder[] slotCount;

  public RateMeter(int windowSeconds, LongSupplier clockMillis) {
    if (windowSeconds < 1) {
      throw new IllegalArgumentException("window must be at least one second");
    }
    this.windowSeconds = windowSeconds;
    this.clockMillis = clockMillis;
    int slots = windowSeconds + 1;
    this.slotSecond = new AtomicLongArray(slots);
    this.slotCount = new LongAdder[slots];
    for (int i = 0; i < slots; i++) {
      slotCount[i] = new LongAdder();
      slotSecond.set(i, -1);
    }
  }

  public void mark() {
    long second = clockMillis.getAsLong() / 1000;
    int slot = (int) (second % slotCount.length);
    long tagged = slotSecond.get(slot);
    if (tagged != second && slotSecond.compareAndSet(slot, tagged, second)) {
      slotCount[slot].reset();
    }
    slotCount[slot].increment();
  }

  /** Average rate over the last {@code windowSeconds} complete seconds. */
  public double perSecond() {
    long current = clockMillis.getAsLong() / 1000;
    long total = 0;
    for (int i = 0; i < slotCount.length; i++) {
      long second = slotSecond.get(i);
      if (second < current && second >= current - windowSeconds) {
        total += slotCount[i].sum();
      }
    }
    return (double) total / windowSeconds;
  }
}
