package io.fleetpulse.fleet.device;

import io.fleetpulse.api.telemetry.Telemetry;

/**
 * The delivery ids of a device's recently accepted messages, so that a gateway retry whose
 * earlier attempt got the message in (its answer was lost to the ask timeout) is answered as
 * accepted again, while another message with the same sequence stays a duplicate: the sequence
 * window alone cannot tell the two apart. A delivery id names one message, so the ids alone are
 * kept: a retry carries the message its delivery got in.
 *
 * <p>A delivery is remembered for {@code horizonMillis} (node clock), how long the gateway may
 * still retry it. The ring starts with room for two and doubles while its oldest delivery is
 * within the horizon, up to {@code capacity}: memory follows the device's rate (16 bytes a
 * delivery), so a device sending every few seconds keeps a handful and a burst keeps what it
 * needs. A retry of a delivery pushed out by more than {@code capacity} newer ones within the
 * horizon is answered as a duplicate. Not thread-safe: owned by one actor.
 */
final class AcceptedDeliveries {

  private final long horizonMillis;
  private final int capacity;
  private long[] ids = new long[2];
  private long[] times = new long[2];
  /** The slot the next delivery takes: the oldest one once the ring is full. */
  private int next;
  private int size;

  AcceptedDeliveries(java.time.Duration horizon, int capacity) {
    if (capacity < 2) {
      throw new IllegalArgumentException("delivery memory must hold at least two deliveries, got " + capacity);
    }
    this.horizonMillis = horizon.toMillis();
    this.capacity = capacity;
  }

  /** Remembers that the delivery {@code id} got its message accepted at {@code nowMillis}. */
  void remember(long id, long nowMillis) {
    if (id == Telemetry.NO_DELIVERY) {
      return; // nobody retries it
    }
    if (size == ids.length && nowMillis - times[next] < horizonMillis && ids.length < capacity) {
      grow();
    }
    ids[next] = id;
    times[next] = nowMillis;
    next = (next + 1) % ids.length;
    size = Math.min(size + 1, ids.length);
  }

  /** Whether the delivery {@code id} got its message accepted. */
  boolean contains(long id) {
    if (id == Telemetry.NO_DELIVERY) {
      return false;
    }
    for (int i = 0; i < size; i++) {
      if (ids[i] == id) {
        return true;
      }
    }
    return false;
  }

  /** Deliveries it has room for now. */
  int room() {
    return ids.length;
  }

  /** Doubles the full ring, oldest first, so the next delivery goes after the newest. */
  private void grow() {
    int length = Math.min(ids.length * 2, capacity);
    ids = unrolled(ids, length);
    times = unrolled(times, length);
    next = size;
  }

  private long[] unrolled(long[] ring, int length) {
    long[] grown = new long[length];
    int tail = ring.length - next;
    System.arraycopy(ring, next, grown, 0, tail);
    System.arraycopy(ring, 0, grown, tail, next);
    return grown;
  }
}
