package io.fleetpulse.fleet.device;

/**
 * Duplicate detection by device-local sequence number, in the manner of IPsec's anti-replay
 * window: the highest sequence seen plus a bitmap of the {@code size} numbers below it. A number
 * above the highest is new; one inside the window is new unless its bit is set; one below the
 * window cannot be told apart from a duplicate and is refused as too old. Memory is {@code
 * size / 8} bytes however long the device lives (twice that with the recovery marks). Not
 * thread-safe: owned by one actor.
 *
 * <p>After a restart the window is rebuilt from stored telemetry with {@link #recover}: those
 * numbers are marked as recovered. The first live delivery of a recovered number (the broker
 * redelivering a message whose acknowledgement the crash lost, or a message stored just before
 * the actor started) is {@link Verdict#RECOVERED}: already applied, to be confirmed but not
 * applied again. A second delivery is a plain duplicate.
 */
public final class SequenceWindow {

  /** The verdict on one sequence number. */
  public enum Verdict {
    NEW,
    DUPLICATE,
    TOO_OLD,
    /** Applied from stored telemetry while recovering; this is its first live delivery. */
    RECOVERED
  }

  private final int size;
  private final long[] bits;
  /** Recovery marks; null until the first {@link #recover} (a device that never restarted has none). */
  private long[] recovered;
  private boolean empty = true;
  private long highest;

  public SequenceWindow(int size) {
    if (size < 64 || size % 64 != 0) {
      throw new IllegalArgumentException("sequence window size must be a positive multiple of 64, got " + size);
    }
    this.size = size;
    this.bits = new long[size / 64];
  }

  /**
   * Records {@code sequence} read back from storage; says whether it was new (to be applied).
   * Marked recovered when new, so its first live delivery is told apart from a duplicate.
   */
  public Verdict recover(long sequence) {
    Verdict verdict = record(sequence);
    if (verdict == Verdict.NEW || verdict == Verdict.RECOVERED) {
      if (recovered == null) {
        recovered = new long[bits.length];
      }
      int i = index(sequence);
      recovered[i >>> 6] |= 1L << (i & 63); // read back twice: still waiting for its live delivery
    }
    return verdict == Verdict.RECOVERED ? Verdict.DUPLICATE : verdict;
  }

  /** Records {@code sequence} and says whether it was new. */
  public Verdict record(long sequence) {
    if (empty) {
      empty = false;
      highest = sequence;
      set(sequence);
      return Verdict.NEW;
    }
    if (sequence > highest) {
      long shift = sequence - highest;
      if (shift >= size || shift < 0) { // negative: the difference overflowed, a jump of over 2^63
        java.util.Arrays.fill(bits, 0L);
        if (recovered != null) {
          java.util.Arrays.fill(recovered, 0L);
        }
      } else {
        for (long s = highest + 1; s < sequence; s++) {
          clear(s);
        }
      }
      highest = sequence;
      set(sequence);
      return Verdict.NEW;
    }
    long behind = highest - sequence;
    if (behind >= size || behind < 0) { // negative: the difference overflowed, far below the window
      return Verdict.TOO_OLD;
    }
    if (isSet(sequence)) {
      int i = index(sequence);
      if (recovered != null && (recovered[i >>> 6] & (1L << (i & 63))) != 0) {
        recovered[i >>> 6] &= ~(1L << (i & 63));
        return Verdict.RECOVERED;
      }
      return Verdict.DUPLICATE;
    }
    set(sequence);
    return Verdict.NEW;
  }

  /** The highest sequence number recorded, or empty before the first. */
  public java.util.OptionalLong highest() {
    return empty ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(highest);
  }

  private int index(long sequence) {
    return (int) Math.floorMod(sequence, (long) size);
  }

  private void set(long sequence) {
    int i = index(sequence);
    bits[i >>> 6] |= 1L << (i & 63);
    if (recovered != null) {
      recovered[i >>> 6] &= ~(1L << (i & 63)); // the mark belonged to the number a window below
    }
  }

  private void clear(long sequence) {
    int i = index(sequence);
    bits[i >>> 6] &= ~(1L << (i & 63));
    if (recovered != null) {
      recovered[i >>> 6] &= ~(1L << (i & 63));
    }
  }

  private boolean isSet(long sequence) {
    int i = index(sequence);
    return (bits[i >>> 6] & (1L << (i & 63))) != 0;
  }
}
