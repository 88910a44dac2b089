package io.fleetpulse.evaluation.nab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads a NAB corpus's data directory ({@code data/<category>/<series>.csv}, columns {@code
 * timestamp,value}). Rows come back in file order, which NAB scores by, even where a file repeats
 * or reorders timestamps (a few NAB series do, around daylight-saving changes).
 */
public final class NabDataFiles {

  private NabDataFiles() {}

  /** The rows of one data file. */
  public static List<NabDataPoint> read(Path dataFile) {
    return NabCsv.read(dataFile, header -> {
      int timestamp = NabCsv.column(dataFile, header, "timestamp");
      int value = NabCsv.column(dataFile, header, "value");
      return line -> new NabDataPoint(NabTimestamps.parse(line.field(timestamp)), line.number(value));
    });
  }

  /** The series of a data directory as NAB names them: CSV paths relative to it, with '/', sorted. */
  public static List<String> seriesPaths(Path dataDirectory) {
    try (Stream<Path> files = Files.walk(dataDirectory)) {
      return files.filter(Files::isRegularFile)
          .filter(file -> file.getFileName().toString().endsWith(".csv"))
          .map(file -> dataDirectory.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list NAB data directory " + dataDirectory, e);
    }
  }
}
