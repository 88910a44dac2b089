package io.fleetpulse.evaluation.nab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The ground truth of a NAB corpus: per series, its labelled anomaly windows, read from NAB's
 * labels/combined_windows.json ({@code {"realKnownCause/nyc_taxi.csv": [["start", "end"], ...],
 * ...}}). Series are keyed by their path relative to the data directory, with forward slashes, as
 * NAB keys them; a series with no anomaly has an empty list and still counts (its false positives
 * are scored). Windows of one series come back sorted by start.
 */
public final class NabLabels {

  private final Map<String, List<NabWindow>> windowsBySeries;

  private NabLabels(Map<String, List<NabWindow>> windowsBySeries) {
    this.windowsBySeries = windowsBySeries;
  }

  /** Labels from windows already at hand, e.g. in tests; each series' windows are sorted by start. */
  public static NabLabels of(Map<String, List<NabWindow>> windowsBySeries) {
    Map<String, List<NabWindow>> sorted = new TreeMap<>();
    windowsBySeries.forEach((series, windows) -> sorted.put(series, sortedByStart(windows)));
    return new NabLabels(sorted);
  }

  /** Reads a NAB combined_windows.json. */
  public static NabLabels read(Path combinedWindowsJson) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(combinedWindowsJson.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read NAB windows " + combinedWindowsJson, e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(combinedWindowsJson + ": expected an object of series to windows");
    }
    Map<String, List<NabWindow>> windowsBySeries = new TreeMap<>();
    for (Map.Entry<String, JsonNode> series : root.properties()) {
      windowsBySeries.put(series.getKey(), windows(combinedWindowsJson, series.getKey(), series.getValue()));
    }
    return of(windowsBySeries);
  }

  /** The labelled series' paths, sorted. */
  public Set<String> seriesPaths() {
    return windowsBySeries.keySet();
  }

  public boolean contains(String seriesPath) {
    return windowsBySeries.containsKey(seriesPath);
  }

  /** The windows of one series, sorted by start; an unlabelled series is an error, not "no windows". */
  public List<NabWindow> windowsOf(String seriesPath) {
    List<NabWindow> windows = windowsBySeries.get(seriesPath);
    if (windows == null) {
      throw new IllegalArgumentException("no labels for series " + seriesPath);
    }
    return windows;
  }

  /** All windows of all series. */
  public int windowCount() {
    return windowsBySeries.values().stream().mapToInt(List::size).sum();
  }

  private static List<NabWindow> windows(Path file, String series, JsonNode limits) {
    if (!limits.isArray()) {
      throw new IllegalArgumentException(file + ": windows of " + series + " are not a list");
    }
    List<NabWindow> windows = new ArrayList<>();
    for (JsonNode limit : limits) {
      if (!limit.isArray() || limit.size() != 2 || !limit.get(0).isTextual() || !limit.get(1).isTextual()) {
        throw new IllegalArgumentException(file + ": a window of " + series + " is not [start, end]: " + limit);
      }
      windows.add(NabWindow.parse(limit.get(0).asText(), limit.get(1).asText()));
    }
    return windows;
  }

  private static List<NabWindow> sortedByStart(List<NabWindow> windows) {
    return windows.stream().sorted(Comparator.comparing(NabWindow::start)).toList();
  }
}
