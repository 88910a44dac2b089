/**
 * Numenta Anomaly Benchmark (NAB) scoring, in Java: the benchmark's labels ({@link
 * io.fleetpulse.evaluation.nab.NabLabels}), application profiles ({@link
 * io.fleetpulse.evaluation.nab.NabProfile}), the scorer with its corpus-wide threshold sweep and
 * normalisation ({@link io.fleetpulse.evaluation.nab.NabScorer}), and the per-series results files
 * in NAB's layout ({@link io.fleetpulse.evaluation.nab.NabResultsWriter}, {@link
 * io.fleetpulse.evaluation.nab.NabResultsReader}).
 *
 * <p>The rules follow the corpus's SCORING.md and, where it is silent, NAB's own {@code nab}
 * Python package ({@code sweeper.py}, {@code optimizer.py}, {@code runner.py}, {@code
 * labeler.py}, {@code detectors/base.py}). The benchmark data itself lives outside the repository
 * (shared/datasets/nab) and is never copied in.
 */
package io.fleetpulse.evaluation.nab;
