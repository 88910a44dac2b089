package io.fleetpulse.evaluation.nab;

/**
 * One point of a threshold sweep: the corpus raw score when every row whose anomaly score is at
 * least {@code threshold} is a detection. The sweep's first point, at {@link
 * NabScorer#NO_DETECTION_THRESHOLD}, is the detector that never fires.
 */
public record NabThresholdScore(double threshold, double rawScore) {}
