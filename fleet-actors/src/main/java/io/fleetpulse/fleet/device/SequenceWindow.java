package io.fleetpulse.fleet.device;

/**
 * Duplicate detection by device-local sequence number, in the manner of IPsec's anti-replay
 * window: the highest sequence seen plus a bitmap of the {@code size} numbers below it. A number
 * above the highest is new; one inside the window is new unless its bit is set; one below the
 * window cannot be told apart from a duplicate and is refused as too old. Memory is {@code
 * size / 8} bytes however long the device lives (twice that with the recovery marks, and again
 * for a while after a restart, below). Not thread-safe: owned by one actor.
 *
 * <p>After a restart the window is rebuilt from stored telemetry with {@link #recover}: those
 * numbers are marked as recovered. The first live delivery of a recovered number (the broker
 * redelivering a message whose acknowledgement the crash lost, or a message stored just before
 * the actor started) is {@link Verdict#RECOVERED}: already applied, to be confirmed but not
 * applied again. A second delivery is a plain duplicate.
 *
 * <p><b>Counter resets.</b> A device whose counter starts again at 1 (a reboot without persistent
 * state) or that once sent a huge number (a bug, a corrupted counter) would otherwise have every
 * later message refused as too old, forever. So the window <em>restarts</em> at a too-old number
 * when it is the {@code restartAfter}-th such in a row (no new number accepted in between) and
 * each of them was <em>current</em>: timed at or after the newest message the window accepted.
 * The restarting message is accepted ({@link Verdict#NEW}) and becomes the highest, with an empty
 * bitmap below it; the {@code restartAfter - 1} before it were refused (they are not
 * duplicates, and may be sent again). The timing condition keeps old messages from ever
 * restarting it: a broker redelivering a backlog more than a window behind the device (a node
 * that died with messages in flight while others took the device's newer ones) sends messages
 * timed before the newest, which stay refused and count for nothing.
 *
 * <p>The window it leaves is kept as the <em>previous</em> one, for redeliveries of the old
 * counter's messages that arrive after the restart: a number above the new highest that lies
 * inside the previous window is judged by that window (a duplicate when it saw it), rather than
 * taken as new and moving the window back. It is dropped once the new counter comes within a
 * window of it, where the two ranges could no longer be told apart, or at the next restart.
 *
 * <p>Nothing about a restart is stored: recovery replays the stored telemetry (which holds the
 * refused messages too: the gateway stores before the actor decides) in time order through the
 * same rule, so the run of current too-old messages restarts the rebuilt window where it
 * restarted the live one, and a run that the replay ends in the middle of is finished by the
 * next live messages. A replay that begins inside the run starts empty and takes its first
 * message as the highest, where the live window was headed anyway (it applies the few messages of
 * the run the live window refused).
 *
 * <p>Limits: a device that sends no timestamps is timed by the gateway's receipt, so a
 * redelivered backlog looks current and, {@code restartAfter} messages long and more than a window
 * behind, can restart the window (the messages after the restart point are then applied again);
 * a device whose huge number was timed ahead of its clock waits for its clock to pass that time
 * (at most the gateway's {@code max-future-skew}); a redelivery of a message sent before the huge
 * number, arriving after the restart, is taken as new (the jump to the huge number had forgotten
 * it). A counter that resets to below its old highest while still inside the window hits numbers
 * the window has seen: such a message timed after every message accepted cannot be a redelivery
 * (that carries its original, older time), so it is refused as too old and counts toward the
 * restart like one below the window (a device that sends no timestamps gives plain duplicates
 * there until it passes the old highest). Devices that send timestamps as sequence
 * numbers never see a restart: a current message is never too old for them.
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

  /** Time of a message whose time is unknown ({@link #record(long)}): it counts as current. */
  private static final long NO_TIME = Long.MIN_VALUE;

  private final int size;
  /** Current too-old messages in a row that restart the window; 0: never. */
  private final int restartAfter;
  private final long[] bits;
  /** Recovery marks; null until the first {@link #recover} (a device that never restarted has none). */
  private long[] recovered;
  private boolean empty = true;
  private long highest;
  /** Time of the newest message accepted as new since the window (re)started. */
  private long newestMillis = NO_TIME;
  /** Current too-old messages since the last new one. */
  private int staleRun;
  /** The window a restart left, for late redeliveries of the old counter; null when none. */
  private SequenceWindow previous;

  /** A window that never restarts. */
  public SequenceWindow(int size) {
    this(size, 0);
  }

  /** A window that restarts at the {@code restartAfter}-th current too-old number in a row (0: never). */
  public SequenceWindow(int size, int restartAfter) {
    if (size < 64 || size % 64 != 0) {
      throw new IllegalArgumentException("sequence window size must be a positive multiple of 64, got " + size);
    }
    if (restartAfter < 0) {
      throw new IllegalArgumentException("sequence restart count must not be negative, got " + restartAfter);
    }
    this.size = size;
    this.restartAfter = restartAfter;
    this.bits = new long[size / 64];
  }

  /** {@link #recover(long, long)} of a message whose time is unknown: it counts as current. */
  public Verdict recover(long sequence) {
    return recover(sequence, NO_TIME);
  }

  /**
   * Records {@code sequence}, of a message timed {@code timestampMillis}, read back from storage;
   * says whether it was new (to be applied). Marked recovered when new, so its first live
   * delivery is told apart from a duplicate.
   */
  public Verdict recover(long sequence, long timestampMillis) {
    SequenceWindow owner = owner(sequence);
    Verdict verdict = owner.record(sequence, timestampMillis);
    if (verdict == Verdict.NEW || verdict == Verdict.RECOVERED) {
      owner.markRecovered(sequence); // read back twice: still waiting for its live delivery
    }
    return verdict == Verdict.RECOVERED ? Verdict.DUPLICATE : verdict;
  }

  /** {@link #record(long, long)} of a message whose time is unknown: it counts as current. */
  public Verdict record(long sequence) {
    return record(sequence, NO_TIME);
  }

  /** Records {@code sequence}, of a message timed {@code timestampMillis}, and says whether it was new. */
  public Verdict record(long sequence, long timestampMillis) {
    if (owner(sequence) != this && (timestampMillis == NO_TIME || previous.newestMillis == NO_TIME
        || timestampMillis <= previous.newestMillis)) {
      return previous.record(sequence, timestampMillis); // newer than all the old counter sent: the new counter's
    }
    Verdict verdict = judge(sequence);
    if (verdict == Verdict.NEW) {
      staleRun = 0;
      if (timestampMillis != NO_TIME) {
        newestMillis = Math.max(newestMillis, timestampMillis);
      }
      if (previous != null && previous.overlaps(highest)) {
        previous = null;
      }
    } else if (verdict == Verdict.DUPLICATE && timestampMillis != NO_TIME && newestMillis != NO_TIME
        && timestampMillis > newestMillis) {
      // A number seen before, on a message newer than every one accepted: not a redelivery (that
      // carries its original, older time) but a counter that went back inside the window.
      verdict = Verdict.TOO_OLD;
      if (restartAfter > 0 && ++staleRun >= restartAfter) {
        restart(sequence, timestampMillis);
        return Verdict.NEW;
      }
    } else if (verdict == Verdict.TOO_OLD && restartAfter > 0
        && (timestampMillis == NO_TIME || timestampMillis >= newestMillis) && ++staleRun >= restartAfter) {
      restart(sequence, timestampMillis);
      return Verdict.NEW;
    }
    return verdict;
  }

  /** The window that judges {@code sequence}: the previous one for a late number of the counter before a restart. */
  private SequenceWindow owner(long sequence) {
    if (previous == null || sequence <= highest) {
      return this;
    }
    long behind = previous.highest - sequence;
    return behind >= 0 && behind < size ? previous : this; // negative: above it, or far below (overflow)
  }

  /** Whether the new counter, at {@code highest}, has come within a window of this (previous) window. */
  private boolean overlaps(long currentHighest) {
    long gap = highest - currentHighest;
    return currentHighest >= highest || (gap > 0 && gap < 2L * size);
  }

  /** Starts the window afresh at {@code sequence}; the one it leaves becomes the previous one. */
  private void restart(long sequence, long timestampMillis) {
    SequenceWindow left = new SequenceWindow(size);
    System.arraycopy(bits, 0, left.bits, 0, bits.length);
    left.recovered = recovered;
    left.empty = false;
    left.highest = highest;
    left.newestMillis = newestMillis;
    previous = left;
    java.util.Arrays.fill(bits, 0L);
    recovered = null;
    highest = sequence;
    set(sequence);
    newestMillis = timestampMillis;
    staleRun = 0;
  }

  private void markRecovered(long sequence) {
    if (recovered == null) {
      recovered = new long[bits.length];
    }
    int i = index(sequence);
    recovered[i >>> 6] |= 1L << (i & 63);
  }

  /** The verdict of the window as it stands, recording the number when it is new. */
  private Verdict judge(long sequence) {
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
