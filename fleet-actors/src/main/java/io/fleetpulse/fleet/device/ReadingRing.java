package io.fleetpulse.fleet.device;

import java.util.ArrayList;
import java.util.List;

/**
 * The last {@code capacity} messages of a device as rows of floats in its profile's metric order
 * (NaN where a message lacked a metric): the window a model reads. Arrival order. Floats, not
 * doubles, because that is what the models take and it halves the memory per device. Not
 * thread-safe: owned by one actor.
 */
public final class ReadingRing {

  private final int width;
  private final long[] timestamps;
  private final float[] values;
  private int next;
  private int size;

  public ReadingRing(int capacity, int width) {
    if (capacity < 1 || width < 1) {
      throw new IllegalArgumentException("ring needs a positive capacity and width");
    }
    this.width = width;
    this.timestamps = new long[capacity];
    this.values = new float[capacity * width];
  }

  /** Appends a row, overwriting the oldest when full. {@code row.length} must equal the width. */
  public void add(long timestampMillis, float[] row) {
    if (row.length != width) {
      throw new IllegalArgumentException("row has " + row.length + " values, ring width is " + width);
    }
    timestamps[next] = timestampMillis;
    System.arraycopy(row, 0, values, next * width, width);
    next = (next + 1) % timestamps.length;
    size = Math.min(size + 1, timestamps.length);
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
      rows.add(new Row(timestamps[slot], row));
    }
    return rows;
  }

  /** One message's values; the array is a copy owned by the receiver. */
  public record Row(long timestampMillis, float[] values) {}
}
