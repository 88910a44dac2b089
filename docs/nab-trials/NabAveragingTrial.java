import io.fleetpulse.anomaly.AnomalySettings;
import io.fleetpulse.anomaly.StreamingAnomalyDetector;
import io.fleetpulse.evaluation.nab.NabDataPoint;
import io.fleetpulse.evaluation.nab.NabEvaluation;
import io.fleetpulse.evaluation.nab.NabResultRow;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The two averaging trials of docs/nab-trials.md ("Averaging with other members"), kept so their
 * numbers can be rerun. Not part of the build, and not the detector FleetPulse runs: both trials
 * were rejected. Run from the repository root after {@code mvn -B -o install -DskipTests}:
 *
 * <pre>
 * java -cp "evaluation/target/evaluation.jar:evaluation/target/lib/*" \
 *     docs/nab-trials/NabAveragingTrial.java ../shared/datasets/nab MODE
 * </pre>
 *
 * MODE: {@code knn} (msknn-3 alone, through this script's own report-once rule: reproduces
 * NabEvaluation's numbers, the harness check), {@code rcf} (the forest alone, a diagnostic),
 * {@code mean} (first trial: msknn-3 and the forest averaged), {@code lengths} (second trial:
 * msknn-3 with embedding lengths 5, 10 and 20 averaged).
 */
public final class NabAveragingTrial {

  private static final int TREES = 100;
  private static final int SAMPLE = 256;
  private static final double RANKED_SHARE = 0.9;
  /** msknn-3's settings (reference.conf): the forest shares its embedding length, calibration, warm-up and min-history, the mean its rest. */
  private static final AnomalySettings MSKNN = AnomalySettings.fromConfig(com.typesafe.config.ConfigFactory.load());
  private static final int SHINGLE = MSKNN.embeddingLength();
  private static final int CALIBRATION = MSKNN.calibration();
  private static final int WARM_UP = MSKNN.warmUp();
  private static final int MIN_HISTORY = MSKNN.minHistory();
  private static final int REST = MSKNN.restReadings();

  public static void main(String[] args) {
    Path nab = Path.of(args[0]);
    String mode = args.length > 1 ? args[1] : "mean";
    AnomalySettings settings = MSKNN;
    Map<String, List<NabResultRow>> rows = new LinkedHashMap<>();
    long readings = 0;
    long started = System.nanoTime();
    for (Map.Entry<String, List<NabDataPoint>> series : NabEvaluation.corpus(nab).entrySet()) {
      StreamingAnomalyDetector knn = new StreamingAnomalyDetector(settings);
      StreamingAnomalyDetector[] lengths = IntStream.of(5, 10, 20)
          .mapToObj(length -> new StreamingAnomalyDetector(new AnomalySettings(length, settings.resolutions(),
              settings.history(), settings.neighbours(), settings.neighbours() + length, settings.calibration(),
              settings.warmUp(), settings.restReadings(), settings.rangeTolerance())))
          .toArray(StreamingAnomalyDetector[]::new);
      Forest forest = new Forest();
      double[] recent = new double[REST];
      long count = 0;
      List<NabResultRow> scored = new ArrayList<>();
      for (NabDataPoint point : series.getValue()) {
        double novelty = switch (mode) {
          case "knn" -> knn.score(point.value()).novelty();
          case "rcf" -> forest.add(point.value());
          case "mean" -> (knn.score(point.value()).novelty() + forest.add(point.value())) / 2;
          case "lengths" -> Arrays.stream(lengths).mapToDouble(d -> d.score(point.value()).novelty()).average().orElseThrow();
          default -> throw new IllegalArgumentException("mode must be knn, rcf, mean or lengths, not " + mode);
        };
        double highestRecent = Arrays.stream(recent).max().orElse(0);
        double anomaly = novelty > highestRecent && highestRecent < RANKED_SHARE ? novelty : 0;
        recent[(int) (++count % REST)] = novelty;
        scored.add(new NabResultRow(point.timestamp(), point.value(), (float) anomaly));
      }
      readings += count;
      rows.put(series.getKey(), scored);
    }
    double micros = (System.nanoTime() - started) / 1e3 / readings;
    NabEvaluation.print("trial " + mode + " on " + rows.size() + " series:", NabEvaluation.score(nab, rows).profiles(), System.out);
    System.out.printf(Locale.ROOT, "  %.1f us per reading%n", micros);
  }

  /**
   * A robust random cut forest (Guha et al., ICML 2016) over shingles of the last {@link #SHINGLE}
   * readings, every tree holding the most recent {@link #SAMPLE} shingles. A reading's measure is
   * the log of its shingle's collusive displacement averaged over the trees, ranked against the
   * last {@link #CALIBRATION} measures with msknn-3's mapping.
   */
  static final class Forest {
    final Tree[] trees = new Tree[TREES];
    final ArrayDeque<Long> window = new ArrayDeque<>();
    private final double[] last = new double[SHINGLE];
    private final float[] calibration = new float[CALIBRATION];
    private long readings;
    private int measures;

    Forest() {
      SplittableRandom seeds = new SplittableRandom(2026);
      for (int t = 0; t < TREES; t++) {
        trees[t] = new Tree(SHINGLE, seeds.split());
      }
    }

    double add(double value) {
      last[(int) (readings++ % SHINGLE)] = value;
      if (readings < SHINGLE) {
        return 0;
      }
      double[] shingle = new double[SHINGLE];
      for (int j = 0; j < SHINGLE; j++) {
        shingle[j] = last[(int) ((readings - SHINGLE + j) % SHINGLE)];
      }
      if (window.size() == SAMPLE) {
        long oldest = window.removeFirst();
        for (Tree tree : trees) {
          tree.forget(oldest);
        }
      }
      double displacement = 0;
      for (Tree tree : trees) {
        displacement += Tree.collusiveDisplacement(tree.insert(readings, shingle));
      }
      window.addLast(readings);
      return window.size() <= MIN_HISTORY ? 0 : rank((float) Math.log(displacement / TREES + 1e-9));
    }

    /** msknn-3's rank mapping: [0, 0.9) by share exceeded, [0.9, 1) beyond all by log excess. */
    private double rank(float measure) {
      int held = Math.min(measures, CALIBRATION);
      int atLeast = 0;
      float largest = Float.NEGATIVE_INFINITY;
      for (int i = 0; i < held; i++) {
        atLeast += calibration[i] >= measure ? 1 : 0;
        largest = Math.max(largest, calibration[i]);
      }
      calibration[measures++ % CALIBRATION] = measure;
      if (held < WARM_UP) {
        return 0;
      }
      if (atLeast > 0) {
        return RANKED_SHARE * (1.0 - (double) atLeast / held);
      }
      return RANKED_SHARE + (1 - RANKED_SHARE) * (1 - Math.exp(-(measure - largest)));
    }
  }

  abstract static class Node {
    Branch parent;
    int count;

    abstract double min(int dimension);

    abstract double max(int dimension);
  }

  /** A shingle; {@code count} above 1 for equal shingles held once. */
  static final class Leaf extends Node {
    final double[] point;

    Leaf(double[] point) {
      this.point = point;
      this.count = 1;
    }

    double min(int dimension) {
      return point[dimension];
    }

    double max(int dimension) {
      return point[dimension];
    }
  }

  /** A cut: points with {@code point[dimension] <= cut} on the left; the bounding box of both sides. */
  static final class Branch extends Node {
    final double[] low;
    final double[] high;
    int dimension;
    double cut;
    Node left;
    Node right;

    Branch(int dimensions) {
      low = new double[dimensions];
      high = new double[dimensions];
    }

    double min(int d) {
      return low[d];
    }

    double max(int d) {
      return high[d];
    }

    void refresh() {
      count = left.count + right.count;
      for (int d = 0; d < low.length; d++) {
        low[d] = Math.min(left.min(d), right.min(d));
        high[d] = Math.max(left.max(d), right.max(d));
      }
    }
  }

  /** One random cut tree: insertion by Guha et al.'s random cut over the box including the point. */
  static final class Tree {
    final Map<Long, Leaf> leaves = new HashMap<>();
    private final int dimensions;
    private final SplittableRandom random;
    Node root;

    Tree(int dimensions, SplittableRandom random) {
      this.dimensions = dimensions;
      this.random = random;
    }

    Leaf insert(long index, double[] point) {
      if (root == null) {
        Leaf leaf = new Leaf(point);
        root = leaf;
        leaves.put(index, leaf);
        return leaf;
      }
      Node node = root;
      while (node instanceof Branch branch) {
        node = point[branch.dimension] <= branch.cut ? branch.left : branch.right;
      }
      if (Arrays.equals(((Leaf) node).point, point)) {
        for (Node up = node; up != null; up = up.parent) {
          up.count++;
        }
        leaves.put(index, (Leaf) node);
        return (Leaf) node;
      }
      Leaf leaf = new Leaf(point);
      Branch parent = null;
      node = root;
      double[] span = new double[dimensions];
      while (true) {
        double total = 0;
        for (int d = 0; d < dimensions; d++) {
          span[d] = Math.max(node.max(d), point[d]) - Math.min(node.min(d), point[d]);
          total += span[d];
        }
        double r = random.nextDouble() * total;
        int dimension = 0;
        double cumulative = 0;
        for (int d = 0; d < dimensions; d++) {
          cumulative += span[d];
          if (cumulative >= r) {
            dimension = d;
            break;
          }
        }
        double cut = Math.min(node.min(dimension), point[dimension]) + cumulative - r;
        if (cut < node.min(dimension) || cut >= node.max(dimension)) {
          Branch branch = new Branch(dimensions);
          branch.dimension = dimension;
          branch.cut = cut;
          branch.left = cut < node.min(dimension) ? leaf : node;
          branch.right = cut < node.min(dimension) ? node : leaf;
          branch.parent = parent;
          node.parent = branch;
          leaf.parent = branch;
          if (parent == null) {
            root = branch;
          } else if (parent.left == node) {
            parent.left = branch;
          } else {
            parent.right = branch;
          }
          for (Branch up = branch; up != null; up = up.parent) {
            up.refresh();
          }
          leaves.put(index, leaf);
          return leaf;
        }
        parent = (Branch) node;
        node = point[parent.dimension] <= parent.cut ? parent.left : parent.right;
      }
    }

    void forget(long index) {
      Leaf leaf = leaves.remove(index);
      if (leaf.count > 1) {
        for (Node up = leaf; up != null; up = up.parent) {
          up.count--;
        }
        return;
      }
      Branch parent = leaf.parent;
      if (parent == null) {
        root = null;
        return;
      }
      Node sibling = parent.left == leaf ? parent.right : parent.left;
      Branch grandparent = parent.parent;
      sibling.parent = grandparent;
      if (grandparent == null) {
        root = sibling;
        return;
      }
      if (grandparent.left == parent) {
        grandparent.left = sibling;
      } else {
        grandparent.right = sibling;
      }
      for (Branch up = grandparent; up != null; up = up.parent) {
        up.refresh();
      }
    }

    /** The largest ratio, over the leaf's ancestors, of the sibling's points to the side's own. */
    static double collusiveDisplacement(Leaf leaf) {
      double largest = 0;
      for (Node node = leaf; node.parent != null; node = node.parent) {
        Node sibling = node.parent.left == node ? node.parent.right : node.parent.left;
        largest = Math.max(largest, (double) sibling.count / node.count);
      }
      return largest;
    }
  }
}
