package io.fleetpulse.evaluation.nab;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * One series of a NAB corpus as the scorer takes it: its path relative to the data directory
 * (e.g. {@code realKnownCause/nyc_taxi.csv}), the detector's rows in file order, and the series'
 * labelled windows (sorted by start here).
 */
public record NabSeries(String path, List<NabScoredRow> rows, List<NabWindow> windows) {

  public NabSeries {
    Objects.requireNonNull(path, "path");
    rows = List.copyOf(rows);
    windows = windows.stream().sorted(Comparator.comparing(NabWindow::start)).toList();
  }

  /** The NAB category, i.e. the data directory the series sits in (e.g. {@code realKnownCause}); empty at top level. */
  public String category() {
    return categoryOf(path);
  }

  static String categoryOf(String seriesPath) {
    int slash = seriesPath.lastIndexOf('/');
    return slash < 0 ? "" : seriesPath.substring(0, slash);
  }
}
