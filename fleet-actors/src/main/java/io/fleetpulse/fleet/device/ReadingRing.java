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
 * For the same reason each row's timestamp and sequence number are kept as int offsets from a
 * base (8 bytes a row instead of 16). The bases move to the oldest keys when a new row's do not
 * fit (a device's timestamps outgrow them after 24 days); a ring whose rows span more than 2^31
 * (a sequence jump, a clock reset) widens to longs for good.
 * Not thread-safe: owned by one actor.
 */
public final class ReadingRing {

  private final int width;
  private final int capacity;
  private long timestampBase;
  private long sequenceBase;
  /** Per slot: timestamp and sequence minus their bases; null once widened. */
  private int[] offsets;
  /** Per slot: timestamp and sequence; null until a row's do not fit the offsets. */
  private long[] wide;
  private final float[] values;
  private int next;
  private int size;

  public ReadingRing(int capacity, int width) {
    if (capacity < 1 || width < 1) {
      throw new IllegalArgumentException("ring needs a positive capacity and width");
    }
    this.width = width;
    this.capacity = capacity;
    this.offsets = new int[2 * capacity];
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
    if (size == capacity && before(timestampMillis, sequence, next)) {
      return -1; // older than the oldest row of a full ring: outside every window
    }
    int slot = next;
    setKeys(slot, timestampMillis, sequence);
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
      result[count - k] = sequence(Math.floorMod(next - k, capacity));
    }
    return result;
  }

  /** The sequence numbers of the rows newer than the row of {@code sequence}, oldest first; none when it is not held. */
  public long[] newerThan(long sequence) {
    for (int k = 1; k <= size; k++) {
      if (sequence(Math.floorMod(next - k, capacity)) == sequence) {
        return newestSequences(k - 1);
      }
    }
    return new long[0];
  }

  /**
   * The {@code length} rows ending with the row of sequence {@code endSequence}, oldest first;
   * empty when that row is not in the ring or fewer than {@code length} rows end with it.
   */
  public List<Row> window(int length, long endSequence) {
    return window(length, length, 1, Long.MIN_VALUE, endSequence);
  }

  /**
   * Like {@link #window(int, long)}, but when fewer than {@code length} rows end with it, at least
   * {@code minLength} do and the oldest of them is the device's first message (its sequence
   * number is {@code firstSequence}), the window is filled at the front: with the mean of the
   * device's first {@code fillRows} rows (1 to {@code minLength}, so all of them are in the window;
   * 1: that first row repeated), summed in double in message order and rounded to float once, as
   * the training script does, with the first row's keys. The fill rows are one {@link Row}
   * instance, read-only like every row here. A ring that does not start with the first message
   * (past its capacity, or rebuilt after a restart from messages that no longer reach back to it)
   * has no such window: filling with a later row would invent a history.
   */
  public List<Row> window(int length, int minLength, int fillRows, long firstSequence, long endSequence) {
    if (fillRows < 1 || fillRows > minLength) {
      throw new IllegalArgumentException("fill-rows must be between 1 and the min-window (" + minLength + "), not " + fillRows);
    }
    for (int k = 1; k <= size; k++) {
      int slot = Math.floorMod(next - k, capacity);
      if (sequence(slot) == endSequence) {
        int available = size - k + 1;
        int first = Math.floorMod(slot - (available - 1), capacity);
        if (available < length && (available < minLength || sequence(first) != firstSequence)) {
          return List.of();
        }
        List<Row> rows = new ArrayList<>(length);
        Row fill = available < length ? fill(first, fillRows) : null;
        for (int j = length - 1; j >= 0; j--) {
          rows.add(j >= available ? fill : row(Math.floorMod(slot - j, capacity)));
        }
        return rows;
      }
    }
    return List.of();
  }

  /** The mean of the {@code count} rows from {@code first} on, with the keys of the first. */
  private Row fill(int first, int count) {
    if (count == 1) {
      return row(first);
    }
    float[] mean = new float[width];
    for (int i = 0; i < width; i++) {
      double sum = 0;
      for (int r = 0; r < count; r++) {
        sum += values[Math.floorMod(first + r, capacity) * width + i];
      }
      mean[i] = (float) (sum / count);
    }
    return new Row(timestamp(first), sequence(first), mean);
  }

  /** Whether (timestamp, sequence) sorts before the row in {@code slot}. */
  private boolean before(long timestampMillis, long sequence, int slot) {
    long timestamp = timestamp(slot);
    return timestampMillis < timestamp || (timestampMillis == timestamp && sequence < sequence(slot));
  }

  private long timestamp(int slot) {
    return wide != null ? wide[2 * slot] : timestampBase + offsets[2 * slot];
  }

  private long sequence(int slot) {
    return wide != null ? wide[2 * slot + 1] : sequenceBase + offsets[2 * slot + 1];
  }

  /** Stores a new row's keys in {@code slot} (the next free one, or the oldest row's when full). */
  private void setKeys(int slot, long timestampMillis, long sequence) {
    if (wide == null && !(fits(timestampMillis, timestampBase) && fits(sequence, sequenceBase))) {
      rebase(slot, timestampMillis, sequence);
    }
    if (wide != null) {
      wide[2 * slot] = timestampMillis;
      wide[2 * slot + 1] = sequence;
    } else {
      offsets[2 * slot] = (int) (timestampMillis - timestampBase);
      offsets[2 * slot + 1] = (int) (sequence - sequenceBase);
    }
  }

  /** Whether {@code value - base} is an int (and did not overflow). */
  private static boolean fits(long value, long base) {
    long difference = value - base;
    return ((value ^ base) & (value ^ difference)) >= 0 && difference == (int) difference;
  }

  /**
   * Moves the bases to the smallest keys of the rows kept and the new one, or widens to longs when
   * they span more than an int: a device's timestamps outgrow the first base after 24 days.
   */
  private void rebase(int slot, long timestampMillis, long sequence) {
    int kept = Math.min(size, capacity - 1); // a full ring's oldest row, in slot, is being replaced
    long[] keys = new long[2 * capacity];
    long lowestTimestamp = timestampMillis;
    long lowestSequence = sequence;
    long highestTimestamp = timestampMillis;
    long highestSequence = sequence;
    for (int k = 1; k <= kept; k++) {
      int at = Math.floorMod(slot - k, capacity);
      keys[2 * at] = timestamp(at);
      keys[2 * at + 1] = sequence(at);
      lowestTimestamp = Math.min(lowestTimestamp, keys[2 * at]);
      highestTimestamp = Math.max(highestTimestamp, keys[2 * at]);
      lowestSequence = Math.min(lowestSequence, keys[2 * at + 1]);
      highestSequence = Math.max(highestSequence, keys[2 * at + 1]);
    }
    if (fits(highestTimestamp, lowestTimestamp) && fits(highestSequence, lowestSequence)) {
      timestampBase = lowestTimestamp;
      sequenceBase = lowestSequence;
      for (int k = 1; k <= kept; k++) {
        int at = Math.floorMod(slot - k, capacity);
        offsets[2 * at] = (int) (keys[2 * at] - timestampBase);
        offsets[2 * at + 1] = (int) (keys[2 * at + 1] - sequenceBase);
      }
    } else {
      wide = keys;
      offsets = null;
    }
  }

  /** A copy of the row in {@code slot}. */
  private Row row(int slot) {
    float[] row = new float[width];
    System.arraycopy(values, slot * width, row, 0, width);
    return new Row(timestamp(slot), sequence(slot), row);
  }

  private void swap(int a, int b) {
    if (wide != null) {
      swapPair(wide, a, b);
    } else {
      swapPair(offsets, a, b);
    }
    float[] row = new float[width];
    System.arraycopy(values, a * width, row, 0, width);
    System.arraycopy(values, b * width, values, a * width, width);
    System.arraycopy(row, 0, values, b * width, width);
  }

  private static void swapPair(long[] keys, int a, int b) {
    for (int k = 0; k < 2; k++) {
      long kept = keys[2 * a + k];
      keys[2 * a + k] = keys[2 * b + k];
      keys[2 * b + k] = kept;
    }
  }

  private static void swapPair(int[] keys, int a, int b) {
    for (int k = 0; k < 2; k++) {
      int kept = keys[2 * a + k];
      keys[2 * a + k] = keys[2 * b + k];
      keys[2 * b + k] = kept;
    }
  }

  public int size() {
    return size;
  }

  public int capacity() {
    return capacity;
  }

  /** The newest {@code limit} rows, oldest first, copied. */
  public List<Row> latest(int limit) {
    int n = Math.min(limit, size);
    List<Row> rows = new ArrayList<>(n);
    for (int k = n; k >= 1; k--) {
      rows.add(row(Math.floorMod(next - k, capacity)));
    }
    return rows;
  }

  /** One message's values; the array is a copy owned by the receiver. */
  public record Row(long timestampMillis, long sequence, float[] values) {}
}
