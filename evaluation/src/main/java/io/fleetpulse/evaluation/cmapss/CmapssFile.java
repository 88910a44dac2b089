package io.fleetpulse.evaluation.cmapss;

import io.fleetpulse.serving.registry.ModelMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One NASA C-MAPSS text file (train_FDxxx.txt or test_FDxxx.txt): whitespace-separated rows of
 * {@code unit cycle setting1..3 sensor1..21}. Each engine's cycles come back in file order as
 * rows of the 24 values a turbofan device sends per message, in the {@code turbofan} profile's
 * metric order.
 */
public final class CmapssFile {

  /** Settings and sensors per cycle: the turbofan profile's metrics, in order. */
  public static final int VALUES_PER_CYCLE = 24;

  public static final List<String> METRICS = metrics();

  private CmapssFile() {}

  /** The device id a replayed engine publishes as: {@code tf-<dataset>-<unit, three digits>}, e.g. tf-fd001-007. */
  public static String deviceId(String dataset, int unit) {
    return String.format(java.util.Locale.ROOT, "tf-%s-%03d", dataset.toLowerCase(java.util.Locale.ROOT), unit);
  }

  /** Every engine's cycles, by unit number; each row holds {@link #VALUES_PER_CYCLE} values. */
  public static Map<Integer, List<float[]>> read(Path file) {
    Map<Integer, List<float[]>> engines = new TreeMap<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read C-MAPSS file " + file, e);
    }
    int lineNumber = 0;
    for (String line : lines) {
      lineNumber++;
      String trimmed = line.strip();
      if (trimmed.isEmpty()) {
        continue;
      }
      String[] fields = trimmed.split("\\s+");
      if (fields.length != 2 + VALUES_PER_CYCLE) {
        throw new IllegalArgumentException(file + ":" + lineNumber + ": expected 26 columns, found " + fields.length);
      }
      float[] row = new float[VALUES_PER_CYCLE];
      for (int i = 0; i < VALUES_PER_CYCLE; i++) {
        row[i] = Float.parseFloat(fields[i + 2]);
      }
      engines.computeIfAbsent(Integer.parseInt(fields[0]), unit -> new ArrayList<>()).add(row);
    }
    return engines;
  }

  /** The true remaining life of each test engine at its last cycle (RUL_FDxxx.txt), in unit order. */
  public static List<Integer> readRul(Path file) {
    try {
      return Files.readAllLines(file).stream().map(String::strip).filter(s -> !s.isEmpty()).map(Integer::parseInt).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read C-MAPSS file " + file, e);
    }
  }

  /**
   * The window of an engine's cycles that ends with cycle {@code end} (1-based) that a model version
   * with this input takes, flattened row by row: the last {@code window} cycles, or, for an engine
   * that has run at least the min-window but fewer than {@code window} cycles, all of them after a
   * fill: the mean of its first {@code fill-rows} cycles (summed in double, rounded to float once;
   * 1: its first cycle), as the node fills a device's first windows and the model was trained.
   */
  public static float[] window(List<float[]> cycles, int end, ModelMetadata.Input input) {
    int window = input.window();
    int minWindow = input.minWindow();
    int fillRows = input.fillRows();
    if (end < minWindow || end > cycles.size()) {
      throw new IllegalArgumentException(
          "no window ends with cycle " + end + " of " + cycles.size() + " (at least " + minWindow + " cycles needed)");
    }
    float[] fill = cycles.get(0);
    if (fillRows > 1 && end < window) {
      fill = new float[VALUES_PER_CYCLE];
      for (int i = 0; i < VALUES_PER_CYCLE; i++) {
        double sum = 0;
        for (int r = 0; r < fillRows; r++) {
          sum += cycles.get(r)[i];
        }
        fill[i] = (float) (sum / fillRows);
      }
    }
    float[] values = new float[window * VALUES_PER_CYCLE];
    for (int row = 0; row < window; row++) {
      int cycle = end - window + row;
      System.arraycopy(cycle < 0 ? fill : cycles.get(cycle), 0, values, row * VALUES_PER_CYCLE, VALUES_PER_CYCLE);
    }
    return values;
  }

  private static List<String> metrics() {
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      names.add("setting-" + i);
    }
    for (int i = 1; i <= 21; i++) {
      names.add("sensor-" + i);
    }
    return List.copyOf(names);
  }
}
