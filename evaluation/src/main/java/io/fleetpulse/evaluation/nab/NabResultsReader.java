package io.fleetpulse.evaluation.nab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads a detector's results in NAB's layout ({@code <results>/<detector>/<category>/<detector>_<file>.csv},
 * as {@link NabResultsWriter} or NAB's own detectors write them) back into rows per series path.
 * Only the timestamp, value and anomaly_score columns are read, so files with NAB's extra columns
 * (label, raw scores, the {@code S(t)_<profile>} columns NAB's scorer appends) read as well.
 */
public final class NabResultsReader {

  private NabResultsReader() {}

  /** The rows of one results file, in file order. */
  public static List<NabResultRow> read(Path resultsFile) {
    return NabCsv.read(resultsFile, header -> {
      int timestamp = NabCsv.column(resultsFile, header, "timestamp");
      int value = NabCsv.column(resultsFile, header, "value");
      int anomalyScore = NabCsv.column(resultsFile, header, "anomaly_score");
      return line -> new NabResultRow(NabTimestamps.parse(line.field(timestamp)), line.number(value),
          line.number(anomalyScore));
    });
  }

  /**
   * Every series a detector has results for, keyed by the series path NAB derives from the results
   * path ({@code <category>/<file>}, the detector's prefix dropped), sorted. NAB's per-profile
   * summaries ({@code *_scores.csv}) are skipped, as NAB's optimiser skips them.
   */
  public static Map<String, List<NabResultRow>> readDetector(Path resultsDirectory, String detectorName) {
    Path detectorDirectory = resultsDirectory.resolve(detectorName);
    String prefix = detectorName + "_";
    Map<String, List<NabResultRow>> rowsBySeries = new TreeMap<>();
    try (Stream<Path> files = Files.walk(detectorDirectory)) {
      files.filter(Files::isRegularFile)
          .filter(file -> file.getFileName().toString().startsWith(prefix))
          .filter(file -> file.getFileName().toString().endsWith(".csv"))
          .filter(file -> !file.getFileName().toString().contains("_scores.csv"))
          .forEach(file -> rowsBySeries.put(seriesPath(detectorDirectory, file, prefix), read(file)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list NAB results " + detectorDirectory, e);
    }
    return rowsBySeries;
  }

  /** The rows as the scorer reads them, per series; every anomaly score must lie in [0, 1]. */
  public static Map<String, List<NabScoredRow>> scoredRows(Map<String, List<NabResultRow>> rowsBySeries) {
    Map<String, List<NabScoredRow>> scored = new LinkedHashMap<>();
    rowsBySeries.forEach((series, rows) -> scored.put(series, rows.stream().map(NabResultRow::toScoredRow).toList()));
    return scored;
  }

  private static String seriesPath(Path detectorDirectory, Path file, String prefix) {
    Path relative = detectorDirectory.relativize(file);
    String fileName = relative.getFileName().toString().substring(prefix.length());
    Path parent = relative.getParent();
    String category = parent == null ? "" : parent.toString().replace(file.getFileSystem().getSeparator(), "/") + "/";
    return category + fileName;
  }
}
