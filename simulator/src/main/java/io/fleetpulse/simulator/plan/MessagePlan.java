package io.fleetpulse.simulator.plan;

import io.fleetpulse.simulator.signal.Seeds;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Decides, exactly and reproducibly, what every publish slot sends. Slot {@code s} belongs to
 * device {@code s % devices} (round-robin). Bad input is planned per block: a fixed message count
 * is one block, so with 10,000 messages and 5% malformed exactly 500 slots are malformed; an
 * unlimited run repeats blocks of {@code unlimitedBlockRounds} messages per device.
 *
 * <p>Within a block, every device's first slot is {@link MessageKind#VALID} (a duplicate always
 * has an original), each {@link MessageKind#LATE_LEAD} is directly followed by that device's
 * {@link MessageKind#LATE}, and the special slots are dealt round-robin over devices, then
 * shuffled within each device by the seed. Not thread-safe: the publishing loop owns it.
 */
public final class MessagePlan {

  private final int devices;
  private final long messages;
  private final long blockSize;
  private final Shares shares;
  private final long seed;
  private final BlockCounts firstBlockCounts;
  private long cachedBlock = -1;
  private byte[] cachedKinds;

  /** Shares of all messages; a late message also needs a lead slot, so it costs two. */
  public record Shares(double malformed, double duplicate, double late) {
    public Shares {
      for (double share : new double[] {malformed, duplicate, late}) {
        if (!(share >= 0 && share <= 1)) {
          throw new IllegalArgumentException("shares must lie in [0, 1]: " + this);
        }
      }
    }
  }

  /** Exact counts of one block. {@code validUnique} includes late messages and their leads. */
  public record BlockCounts(long messages, long malformed, long duplicates, long late, long validUnique) {}

  private MessagePlan(int devices, long messages, long blockSize, Shares shares, long seed) {
    this.devices = devices;
    this.messages = messages;
    this.blockSize = blockSize;
    this.shares = shares;
    this.seed = seed;
    this.firstBlockCounts = counts(blockSize);
    kinds(0); // fails fast when the shares do not fit
  }

  /**
   * @param messages total messages, or 0 for an unlimited run
   * @param unlimitedBlockRounds messages per device per block when unlimited
   */
  public static MessagePlan create(long messages, int devices, Shares shares, long seed, int unlimitedBlockRounds) {
    if (devices < 1 || messages < 0 || unlimitedBlockRounds < 1) {
      throw new IllegalArgumentException("devices and block rounds must be positive and messages not negative");
    }
    long blockSize = messages > 0 ? messages : (long) unlimitedBlockRounds * devices;
    if (blockSize > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("a plan block holds at most " + Integer.MAX_VALUE + " messages");
    }
    return new MessagePlan(devices, messages, blockSize, shares, seed);
  }

  /** Whether the run has a slot with this index (always, when unlimited). */
  public boolean hasSlot(long slot) {
    return messages == 0 || slot < messages;
  }

  public int deviceOf(long slot) {
    return (int) (slot % devices);
  }

  public MessageKind kindOf(long slot) {
    return MessageKind.values()[kinds(slot / blockSize)[(int) (slot % blockSize)]];
  }

  /** Exact counts of the whole run when it has a fixed message count, else of each block. */
  public BlockCounts blockCounts() {
    return firstBlockCounts;
  }

  private BlockCounts counts(long size) {
    long malformed = Math.round(size * shares.malformed());
    long duplicates = Math.round(size * shares.duplicate());
    long late = Math.round(size * shares.late());
    long capacity = size - Math.min(size, devices);
    if (2 * late + duplicates + malformed > capacity) {
      throw new IllegalArgumentException(String.format(
          "%d messages over %d devices leave room for %d special messages after each device's first"
              + " valid one, but %d malformed + %d duplicates + 2 x %d late were asked for",
          size, devices, capacity, malformed, duplicates, late));
    }
    return new BlockCounts(size, malformed, duplicates, late, size - malformed - duplicates);
  }

  private byte[] kinds(long block) {
    if (block != cachedBlock) {
      cachedKinds = layoutBlock(Seeds.mix(seed, block));
      cachedBlock = block;
    }
    return cachedKinds;
  }

  private enum Unit { PAIR, DUPLICATE, MALFORMED, VALID }

  private byte[] layoutBlock(long blockSeed) {
    int size = (int) blockSize;
    long[] capacity = new long[devices];
    for (int device = 0; device < devices; device++) {
      long slots = size / devices + (device < size % devices ? 1 : 0);
      capacity[device] = Math.max(0, slots - 1);
    }
    int[] pairs = new int[devices];
    int[] duplicates = new int[devices];
    int[] malformed = new int[devices];
    Dealer dealer = new Dealer(capacity, new Random(blockSeed).nextInt(devices));
    dealer.deal(firstBlockCounts.late(), 2, pairs);
    dealer.deal(firstBlockCounts.duplicates(), 1, duplicates);
    dealer.deal(firstBlockCounts.malformed(), 1, malformed);

    byte[] kinds = new byte[size];
    for (int device = 0; device < Math.min(devices, size); device++) {
      List<Unit> units = new ArrayList<>();
      units.addAll(Collections.nCopies(pairs[device], Unit.PAIR));
      units.addAll(Collections.nCopies(duplicates[device], Unit.DUPLICATE));
      units.addAll(Collections.nCopies(malformed[device], Unit.MALFORMED));
      units.addAll(Collections.nCopies((int) dealer.remaining(device), Unit.VALID));
      Collections.shuffle(units, new Random(Seeds.mix(blockSeed, device)));
      int slot = device;
      kinds[slot] = (byte) MessageKind.VALID.ordinal();
      for (Unit unit : units) {
        for (MessageKind kind : expand(unit)) {
          slot += devices;
          kinds[slot] = (byte) kind.ordinal();
        }
      }
    }
    return kinds;
  }

  private static MessageKind[] expand(Unit unit) {
    return switch (unit) {
      case PAIR -> new MessageKind[] {MessageKind.LATE_LEAD, MessageKind.LATE};
      case DUPLICATE -> new MessageKind[] {MessageKind.DUPLICATE};
      case MALFORMED -> new MessageKind[] {MessageKind.MALFORMED};
      case VALID -> new MessageKind[] {MessageKind.VALID};
    };
  }

  /** Deals special slots round-robin over devices that still have room for them. */
  private static final class Dealer {
    private final long[] remaining;
    private int cursor;

    Dealer(long[] capacity, int start) {
      this.remaining = capacity;
      this.cursor = start;
    }

    void deal(long count, int cost, int[] perDevice) {
      for (long dealt = 0; dealt < count; dealt++) {
        int device = nextWithRoom(cost);
        perDevice[device]++;
        remaining[device] -= cost;
        cursor = (device + 1) % remaining.length;
      }
    }

    long remaining(int device) {
      return remaining[device];
    }

    private int nextWithRoom(int cost) {
      for (int step = 0; step < remaining.length; step++) {
        int device = (cursor + step) % remaining.length;
        if (remaining[device] >= cost) {
          return device;
        }
      }
      throw new IllegalArgumentException(
          "too many late messages for the messages per device: each needs two slots of one device");
    }
  }
}
