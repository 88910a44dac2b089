package io.fleetpulse.evaluation.nab;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A detector's outcome over a NAB corpus for one profile at one threshold (the best one, when it
 * comes from {@link NabScorer#sweep(NabProfile)}): the raw score, the perfect and null detectors'
 * raw scores it is normalised between, the normalised score, and the per-series breakdown in the
 * order the corpus was given.
 *
 * @param normalisedScore 100 * (raw - null) / (perfect - null); NaN when the corpus has no scorable window
 */
public record NabCorpusResult(NabProfile profile, double threshold, double rawScore, double perfectScore,
    double nullScore, double normalisedScore, List<NabSeriesResult> series) {

  public NabCorpusResult {
    series = List.copyOf(series);
  }

  /** The per-series results summed per NAB category (data directory), sorted by category. */
  public Map<String, NabSeriesResult> categoryTotals() {
    Map<String, List<NabSeriesResult>> byCategory = new TreeMap<>();
    for (NabSeriesResult one : series) {
      byCategory.computeIfAbsent(one.category(), category -> new ArrayList<>()).add(one);
    }
    Map<String, NabSeriesResult> totals = new LinkedHashMap<>();
    byCategory.forEach((category, parts) -> totals.put(category, NabSeriesResult.sumOf(category, parts)));
    return totals;
  }

  /** All series summed: the corpus's window outcomes and row counts. */
  public NabSeriesResult corpusTotal() {
    return NabSeriesResult.sumOf("corpus", series);
  }

  /**
   * A part's raw score on the same 0..100 scale, measured against its own scorable windows (e.g. a
   * category's); not a NAB figure, as NAB only normalises the whole corpus, and NaN for a part
   * without scorable windows.
   */
  public double normalisedScoreOf(NabSeriesResult part) {
    double perfect = profile.truePositiveWeight() * part.scorableWindows();
    double none = -profile.falseNegativeWeight() * part.scorableWindows();
    return perfect == none ? Double.NaN : 100.0 * (part.rawScore() - none) / (perfect - none);
  }
}
