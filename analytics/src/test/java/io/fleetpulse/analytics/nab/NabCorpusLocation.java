package io.fleetpulse.analytics.nab;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where the tests find the shared NAB corpus, which is never copied into the repository: the
 * system property {@code fleetpulse.nab.path} when set, else {@code ../../shared/datasets/nab}
 * relative to the analytics module (the shared folder next to the checkout), else {@code
 * /work/shared/datasets/nab}. CI clones lack it, so the tests that need it are skipped there.
 */
final class NabCorpusLocation {

  static final String PROPERTY = "fleetpulse.nab.path";

  private NabCorpusLocation() {}

  static Optional<Path> find() {
    String configured = System.getProperty(PROPERTY);
    List<Path> candidates = configured != null && !configured.isBlank()
        ? List.of(Path.of(configured))
        : List.of(Path.of("../../shared/datasets/nab"), Path.of("/work/shared/datasets/nab"));
    return candidates.stream()
        .filter(candidate -> Files.isRegularFile(candidate.resolve("labels/combined_windows.json")))
        .findFirst();
  }

  /** The corpus root, or the test is skipped with a message saying where it was looked for. */
  static Path required() {
    Optional<Path> root = find();
    assumeTrue(root.isPresent(), "NAB corpus not found (looked at -D" + PROPERTY
        + ", ../../shared/datasets/nab and /work/shared/datasets/nab); skipping the tests on real NAB data");
    return root.orElseThrow();
  }
}
