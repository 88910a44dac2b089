package io.fleetpulse.evaluation.nab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Writes a detector's per-series results in NAB's results layout, so NAB's own scorer (and {@link
 * NabResultsReader}) can read them: {@code <results>/<detector>/<category>/<detector>_<file>.csv},
 * e.g. {@code results/fleetpulse/realKnownCause/fleetpulse_nyc_taxi.csv}, with the header {@code
 * timestamp,value,anomaly_score,label} as NAB's {@code detectors/base.py} writes it (its detectors
 * may add columns between anomaly_score and label; NAB's scorer reads only anomaly_score).
 *
 * <p>{@code label} is 1 for a row whose timestamp lies in one of the series' windows and 0
 * otherwise, as NAB's labeler sets it. NAB pairs a results file with its data file by position, so
 * the rows must be the data file's rows, all of them, in file order.
 */
public final class NabResultsWriter {

  /** The header of a results file. */
  public static final String HEADER = "timestamp,value,anomaly_score,label";

  private final Path resultsDirectory;
  private final String detectorName;

  public NabResultsWriter(Path resultsDirectory, String detectorName) {
    this.resultsDirectory = Objects.requireNonNull(resultsDirectory, "resultsDirectory");
    this.detectorName = checkedDetectorName(detectorName);
  }

  /** Where a series' results go: {@code <results>/<detector>/<category>/<detector>_<file>}. */
  public Path resultFile(String seriesPath) {
    Path relative = Path.of(seriesPath);
    if (relative.isAbsolute() || seriesPath.contains("..") || relative.getFileName() == null) {
      throw new IllegalArgumentException("a series path is relative to the data directory: " + seriesPath);
    }
    Path directory = resultsDirectory.resolve(detectorName);
    if (relative.getParent() != null) {
      directory = directory.resolve(relative.getParent());
    }
    return directory.resolve(detectorName + "_" + relative.getFileName());
  }

  /** Writes one series' results (creating directories as needed) and returns the file. */
  public Path write(String seriesPath, List<NabResultRow> rows, List<NabWindow> windows) {
    Path file = resultFile(seriesPath);
    try {
      Files.createDirectories(file.getParent());
      try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        out.write(HEADER);
        out.write('\n');
        for (NabResultRow row : rows) {
          out.write(line(row, windows));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write NAB results " + file, e);
    }
    return file;
  }

  private static String line(NabResultRow row, List<NabWindow> windows) {
    boolean inWindow = windows.stream().anyMatch(window -> window.contains(row.timestamp()));
    return NabTimestamps.format(row.timestamp()) + ',' + NabCsv.number(row.value()) + ','
        + NabCsv.number(row.anomalyScore()) + ',' + (inWindow ? '1' : '0') + '\n';
  }

  private static String checkedDetectorName(String detectorName) {
    if (detectorName == null || detectorName.isBlank() || detectorName.contains("/") || detectorName.contains("\\")
        || detectorName.contains("..")) {
      throw new IllegalArgumentException("a detector name is one non-blank path segment: " + detectorName);
    }
    return detectorName;
  }
}
