package io.fleetpulse.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The benchmark datasets in the {@code shared/datasets} folder beside the checkout, which are
 * never copied into the repository. A test that needs one asks for it here: on a developer's
 * machine without the folder the test is skipped with a message saying where it looked; under CI
 * (the {@code CI} environment variable set) a missing dataset fails the test, so a green CI run
 * never means that the benchmark tests did not run.
 */
public enum SharedDatasets {
  /** The Numenta Anomaly Benchmark subset: {@code labels/combined_windows.json}, {@code data/}. */
  NAB("fleetpulse.nab.path", "nab", "labels/combined_windows.json"),
  /** NASA's C-MAPSS turbofan data: {@code train_FD00n.txt}, {@code test_FD00n.txt}, {@code RUL_FD00n.txt}. */
  CMAPSS("fleetpulse.cmapss.path", "cmapss", "train_FD001.txt");

  private final String property;
  private final String folder;
  private final String marker;

  SharedDatasets(String property, String folder, String marker) {
    this.property = property;
    this.folder = folder;
    this.marker = marker;
  }

  /**
   * The dataset's root: the system property when set, else {@code shared/datasets/<name>} two
   * or three levels up from the module directory the test runs in.
   */
  public Optional<Path> find() {
    return candidates().stream().filter(candidate -> Files.isRegularFile(candidate.resolve(marker))).findFirst();
  }

  /**
   * The dataset's root, or the test is skipped (failed under CI) with the places looked at.
   * {@code file}, when given, must exist in it too (a dataset whose folder lacks one of its
   * files is treated as missing).
   */
  public Path required(String... files) {
    Optional<Path> root = find().filter(found -> List.of(files).stream().allMatch(file -> Files.isRegularFile(found.resolve(file))));
    if (root.isEmpty()) {
      String message = name() + " dataset" + (files.length == 0 ? "" : " with " + String.join(", ", files))
          + " not found (looked at " + candidates() + "; set -D" + property + "=DIR)";
      if (System.getenv("CI") != null) {
        Assertions.fail(message + ": CI must run the tests on the shared datasets");
      }
      Assumptions.abort(message + "; skipping");
    }
    return root.orElseThrow();
  }

  private List<Path> candidates() {
    String configured = System.getProperty(property);
    if (configured != null && !configured.isBlank()) {
      return List.of(Path.of(configured));
    }
    return List.of(Path.of("../../shared/datasets", folder), Path.of("../../../shared/datasets", folder));
  }
}
