package io.fleetpulse.anomaly;

import com.typesafe.config.Config;
import java.util.List;

/**
 * The streaming anomaly detector's configuration, {@code fleetpulse.anomaly.detector}: one for
 * every series (see {@link StreamingAnomalyDetector}).
 *
 * @param embeddingLength points per compared subsequence
 * @param resolutions readings averaged per point, one detector stage each
 * @param history earlier subsequences each new one is compared with, per resolution
 * @param neighbours nearest earlier subsequences whose mean distance measures novelty
 * @param minHistory earlier subsequences a resolution's history must hold before it measures novelty
 * @param calibration earlier measures a new one is ranked against, per resolution
 * @param warmUp measures a resolution collects before it scores, and readings before the range channel scores
 * @param restReadings a reading is reported only when its novelty exceeds the previous ones' this far back
 * @param rangeTolerance share of the range so far a reading must pass its extremes by to be novel by range alone
 */
public record AnomalySettings(
    int embeddingLength, List<Integer> resolutions, int history, int neighbours, int minHistory, int calibration,
    int warmUp,
    int restReadings, double rangeTolerance) {

  /** Stored with every score: a change of the algorithm or its defaults gets a new one. */
  public static final String DETECTOR_VERSION = "msknn-3";

  public AnomalySettings {
    resolutions = List.copyOf(resolutions);
    require(embeddingLength >= 1, "embedding-length must be at least 1");
    require(!resolutions.isEmpty() && resolutions.stream().allMatch(size -> size >= 1), "resolutions must be positive");
    require(history >= neighbours, "history must hold at least the neighbours");
    require(neighbours >= 1, "neighbours must be at least 1");
    require(minHistory >= neighbours && minHistory <= history, "min-history must be between the neighbours and the history");
    require(calibration >= 1, "calibration must be at least 1");
    require(warmUp >= 1 && warmUp <= calibration, "warm-up must be between 1 and the calibration size");
    require(restReadings >= 0, "rest-readings must not be negative");
    require(rangeTolerance >= 0, "range-tolerance must not be negative");
  }

  /** Reads {@code fleetpulse.anomaly.detector} from the full configuration. */
  public static AnomalySettings fromConfig(Config config) {
    Config detector = config.getConfig("fleetpulse.anomaly.detector");
    return new AnomalySettings(
        detector.getInt("embedding-length"),
        detector.getIntList("resolutions"),
        detector.getInt("history"),
        detector.getInt("neighbours"),
        detector.getInt("min-history"),
        detector.getInt("calibration"),
        detector.getInt("warm-up"),
        detector.getInt("rest-readings"),
        detector.getDouble("range-tolerance"));
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException("fleetpulse.anomaly.detector: " + message);
    }
  }
}
