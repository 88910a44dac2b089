package io.fleetpulse.anomaly;

import java.util.Arrays;

/**
 * Scores each reading of one univariate signal as it arrives, using only the readings before it:
 * a multi-resolution nearest-neighbour novelty measure, calibrated by rank against its own recent
 * history (the conformal-prediction idea behind KNN-CAD), plus a range channel, reported once per
 * event.
 *
 * <p>At each resolution r (readings averaged per point), the newest {@code embeddingLength} points
 * form a subsequence; its novelty measure is the log of the mean distance to its nearest
 * {@code neighbours} among the {@code history} earlier subsequences that do not overlap it, in the
 * signal's own units. A resolution measures only once its history holds {@code minHistory}
 * subsequences: with barely more candidates than neighbours the "nearest" ones are simply all of
 * them, the early measures come out far larger than any later one, and a calibration set holding
 * them ranks a real change of a coarse resolution as ordinary. The measure is then ranked against that resolution's last {@code calibration}
 * measures: the share of them it exceeds maps to [0, 0.9), and a measure beyond all of them to
 * [0.9, 1) by how far beyond (in log ratio). Ranking makes scores of different signals comparable,
 * so one threshold serves a whole fleet, and needs no normalisation of the distance: dividing by
 * the range seen so far (which only grows) would inflate the early measures of the calibration set
 * and mute later events. The raw resolution sees spikes, the coarse ones changes of level, rhythm
 * or shape that no single reading shows.
 *
 * <p>The range channel scores a reading beyond the lowest or highest reading so far by more than
 * {@code rangeTolerance} of that range (the "spatial anomaly" of Numenta's HTM detector): a failure
 * that drives a sensor where it has never been is novel however its shape compares. It maps the
 * excess, in ranges, to [0.9, 1) like a measure beyond its calibration set. A reading's novelty is
 * the highest of its resolutions and the range channel.
 *
 * <p>The anomaly score repeats the novelty when it exceeds the novelty of each of the previous
 * {@code restReadings} readings and none of them was beyond its calibration (novelty 0.9 or more),
 * and is 0 otherwise: an event is reported once, when it begins, not again as it grows nor at every
 * reading it lasts (what NAB rewards: only the earliest detection in a window counts, and every
 * further report outside one is a false positive; and what an operator wants). Readings that stay
 * within their calibration are still reported when they exceed the recent ones, so the score
 * keeps its ordering below 0.9.
 *
 * <p>Deterministic, bounded memory (float arrays sized by the settings), no look-ahead: a
 * reading's score depends on that reading and the ones before it only. Not thread-safe: one
 * instance per signal, owned by one actor.
 */
public final class StreamingAnomalyDetector {

  /** The novelty of one reading and the anomaly score reported for it, both in [0, 1]. */
  public record Score(double novelty, double anomaly) {}

  /** Ranks below the calibration set's maximum share this part of [0, 1]; beyond it, the rest. */
  private static final double RANKED_SHARE = 0.9;
  /** Distances below this share of the range count as equal: keeps the log of a flat signal finite. */
  private static final double DISTANCE_FLOOR = 1e-4;

  private final AnomalySettings settings;
  private final Resolution[] resolutions;
  private final double[] recentNovelty;
  private long readings;
  private double lowest = Double.POSITIVE_INFINITY;
  private double highest = Double.NEGATIVE_INFINITY;

  public StreamingAnomalyDetector(AnomalySettings settings) {
    this.settings = settings;
    this.resolutions = settings.resolutions().stream().map(Resolution::new).toArray(Resolution[]::new);
    this.recentNovelty = new double[Math.max(settings.restReadings(), 1)];
  }

  /** How many readings were scored. */
  public long readings() {
    return readings;
  }

  /** Scores the next reading; {@code value} must be a finite number. */
  public Score score(double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException("a reading must be a finite number, not " + value);
    }
    double novelty = beyondRange(value);
    readings++;
    lowest = Math.min(lowest, value);
    highest = Math.max(highest, value);
    double range = highest > lowest ? highest - lowest : 1.0;
    for (Resolution resolution : resolutions) {
      novelty = Math.max(novelty, resolution.add(value, range));
    }
    novelty = Math.min(1.0, novelty);
    double anomaly = novelty;
    if (settings.restReadings() > 0) {
      double recent = 0;
      for (double earlier : recentNovelty) {
        recent = Math.max(recent, earlier);
      }
      anomaly = novelty > recent && recent < RANKED_SHARE ? novelty : 0.0;
      recentNovelty[(int) (readings % recentNovelty.length)] = novelty;
    }
    return new Score(novelty, anomaly);
  }

  /**
   * The range channel: a reading beyond the range of the readings before it by more than the
   * tolerance scores in [0.9, 1) by its excess in ranges; any other reading scores 0. Silent until
   * the warm-up's number of readings has set a range.
   */
  private double beyondRange(double value) {
    if (readings < settings.warmUp() || highest <= lowest) {
      return 0;
    }
    double range = highest - lowest;
    double excess = Math.max(value - highest, lowest - value);
    if (excess <= settings.rangeTolerance() * range) {
      return 0;
    }
    return RANKED_SHARE + (1 - RANKED_SHARE) * (1 - Math.exp(-excess / range));
  }

  /** One resolution: its points (means of {@code size} readings), and its calibration set. */
  private final class Resolution {
    private final int size;
    private final int length = settings.embeddingLength();
    private final float[] points;
    private final float[] calibration;
    private final double[] nearest;
    private long pointCount;
    private int measures;
    private double blockSum;
    private int inBlock;
    private double novelty;

    Resolution(int size) {
      this.size = size;
      this.points = new float[settings.history() + 2 * length + 1];
      this.calibration = new float[settings.calibration()];
      this.nearest = new double[settings.neighbours()];
    }

    /** Adds a reading; a resolution's novelty holds until its next point is complete. */
    double add(double value, double range) {
      blockSum += value;
      if (++inBlock < size) {
        return novelty;
      }
      points[(int) (pointCount++ % points.length)] = (float) (blockSum / size);
      blockSum = 0;
      inBlock = 0;
      if (pointCount >= 2L * length + settings.minHistory()) {
        novelty = rank((float) Math.log(distance() + DISTANCE_FLOOR * range));
      }
      return novelty;
    }

    private float point(long index) {
      return points[(int) Math.floorMod(index, (long) points.length)];
    }

    /** Mean distance of the newest subsequence to its nearest non-overlapping earlier ones. */
    private double distance() {
      long newest = pointCount - 1;
      long lastEnd = newest - length;
      long firstEnd = Math.max(length - 1, lastEnd - settings.history() + 1);
      Arrays.fill(nearest, Double.POSITIVE_INFINITY);
      int k = nearest.length;
      for (long end = firstEnd; end <= lastEnd; end++) {
        double squared = 0;
        for (int j = 0; j < length && squared < nearest[k - 1]; j++) {
          double difference = point(newest - j) - point(end - j);
          squared += difference * difference;
        }
        if (squared < nearest[k - 1]) {
          int position = k - 1;
          while (position > 0 && nearest[position - 1] > squared) {
            nearest[position] = nearest[position - 1];
            position--;
          }
          nearest[position] = squared;
        }
      }
      double sum = 0;
      int found = 0;
      for (double squared : nearest) {
        if (squared != Double.POSITIVE_INFINITY) {
          sum += Math.sqrt(squared);
          found++;
        }
      }
      return found == 0 ? 0 : sum / found;
    }

    /** The measure's rank among the calibration set, then the measure joins it. */
    private double rank(float measure) {
      int held = Math.min(measures, calibration.length);
      int atLeast = 0;
      float largest = Float.NEGATIVE_INFINITY;
      for (int i = 0; i < held; i++) {
        if (calibration[i] >= measure) {
          atLeast++;
        }
        largest = Math.max(largest, calibration[i]);
      }
      calibration[measures % calibration.length] = measure;
      measures++;
      if (held < settings.warmUp()) {
        return 0;
      }
      if (atLeast > 0) {
        return RANKED_SHARE * (1.0 - (double) atLeast / held);
      }
      return RANKED_SHARE + (1 - RANKED_SHARE) * (1 - Math.exp(-(measure - largest)));
    }
  }
}
