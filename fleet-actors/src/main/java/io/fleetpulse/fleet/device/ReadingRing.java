package io.fleetpulse.fleet.device;

import java.util.ArrayList;
import java.util.List;

/**
 * The last {@code capacity} messages of a device as rows of floats in its profile's metric order
 * (NaN where a message lacked a metric): the window a model reads. Rows are kept in event order
 * (message time, then sequence number), not arrival order: a device's messages can overtake each
 * other between the broker and the actor (two gateway connections share the subscription, and
 * redeliveries come late), and a model trained on time-ordered windows must see them in order.
 * A late row is inserted in its place; one older than every row of a full ring is dropped.
 * Floats, not doubles, because that is what the models take and it halves the memory per device.
 * Not thread-safe: owned by one actor.
 */
public final class ReadingRing {

  private final int width;
  private final long[] timestamps;
  private final long[] sequences;
  private final float[] values;
  private int next;
  private int size;

  public ReadingRing(int capacity, int width) {
    if (capacity < 1 || width < 1) {
      throw new IllegalArgumentException("ring needs a positive capacity and width");
    }
    this.width = width;
    this.timestamps = new long[capacity];
    this.sequences = new long[capacity];
    this.values = new float[capacity * width];
  }

  /** Adds a row in event order with its timestamp as sequence number. */
  public void add(long timestampMillis, float[] row) {
    add(timestampMillis, timestampMillis, row);
  }

  /**
   * Adds a row in event order, overwriting the oldest when full. Returns how many rows are newer
   * than it (0 when it came in order), or -1 when the ring is full and the row is older than all
   * it holds (dropped). {@code row.length} must equal the width.
   */
  public int add(long timestampMillis, long sequence, float[] row) {
    if (row.length != width) {
      throw new IllegalArgumentException("row has " + row.length + " values, ring width is " + width);
    }
    int capacity = timestamps.length;
    if (size == capacity && before(timestampMillis, sequence, next)) {
      return -1; // older than the oldest row of a full ring: outside every window
    }
    int slot = next;
    timestamps[slot] = timestampMillis;
    sequences[slot] = sequence;
    System.arraycopy(row, 0, values, slot * width, width);
    next = (next + 1) % capacity;
    size = Math.min(size + 1, capacity);
    // Move it back past newer rows: in order, the loop does not run at all.
    int newer = 0;
    for (int moved = 1; moved < size; moved++) {
      int previous = Math.floorMod(slot - 1, capacity);
      if (!before(timestampMillis, sequence, previous)) {
        break;
      }
      swap(slot, previous);
      slot = previous;
      newer++;
    }
    return newer;
  }

  /** The sequence numbers of the {@code n} newest rows, oldest first. */
  public long[] newestSequences(int n) {
    int count = Math.min(n, size);
    long[] result = new long[count];
    for (int k = count; k >= 1; k--) {
      result[count - k] = sequences[Math.floorMod(next - k, timestamps.length)];
    }
    return result;
  }

  /**
   * The {@code length} rows ending with the row of sequence {@code endSequence}, oldest first;
   * empty when that row is not in the ring or fewer than {@code length} rows end with it.
   */
  public List<Row> window(int length, long endSequence) {
    for (int k = 1; k <= size; k++) {
      int slot = Math.floorMod(next - k, timestamps.length);
      if (sequences[slot] == endSequence) {
        int available = size - k + 1;
        if (available < length) {
          return List.of();
        }
        List<Row> rows = new ArrayList<>(length);
        for (int j = length - 1; j >= 0; j--) {
          int at = Math.floorMod(slot - j, timestamps.length);
          float[] row = new float[width];
          System.arraycopy(values, at * width, row, 0, width);
          rows.add(new Row(timestamps[at], sequences[at], row));
        }
        return rows;
      }
    }
    return List.of();
  }

  /** Whether (timestamp, sequence) sorts before the row in {@code slot}. */
  private boolean before(long timestampMillis, long sequence, int slot) {
    return timestampMillis < timestamps[slot] || (timestampMillis == timestamps[slot] && sequence < sequences[slot]);
  }

  private void swap(int a, int b) {
    long t = timestamps[a];
    timestamps[a] = timestamps[b];
    timestamps[b] = t;
    long s = sequences[a];
    sequences[a] = sequences[b];
    sequences[b] = s;
    float[] row = new float[width];
    System.arraycopy(values, a * width, row, 0, width);
    System.arraycopy(values, b * width, values, a * width, width);
    System.arraycopy(row, 0, values, b * width, width);
  }

  public int size() {
    return size;
  }

  public int capacity() {
    return timestamps.length;
  }

  /** The newest {@code limit} rows, oldest first, copied. */
  public List<Row> latest(int limit) {
    int n = Math.min(limit, size);
    List<Row> rows = new ArrayList<>(n);
    for (int k = n; k >= 1; k--) {
      int slot = Math.floorMod(next - k, timestamps.length);
      float[] row = new float[width];
      System.arraycopy(values, slot * width, row, 0, width);
      rows.add(new Row(timestamps[slot], sequences[slot], row));
    }
    return rows;
  }

  /** One message's values; the array is a copy owned by the receiver. */
  public record Row(long timestampMillis, long sequence, float[] values) {}
}
