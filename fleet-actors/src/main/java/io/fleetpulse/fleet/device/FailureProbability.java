package io.fleetpulse.fleet.device;

/**
 * The probability that a device fails within {@code horizon} cycles given a remaining-useful-life
 * prediction: the model's error on held-out engines is taken as normal with the standard
 * deviation its metadata records ({@code residual-sd}), so P(RUL <= horizon) =
 * Phi((horizon - predicted) / sd). A calibration on held-out data, not a second model: as good as
 * that error model (it is wider near the RUL cap, where predictions saturate, than near failure).
 */
final class FailureProbability {

  private FailureProbability() {}

  static double within(int horizon, double predictedRul, double residualSd) {
    return normalCdf((horizon - predictedRul) / residualSd);
  }

  /** Phi(x) through erf (Abramowitz and Stegun 7.1.26, absolute error below 1.5e-7). */
  static double normalCdf(double x) {
    double z = Math.abs(x) / Math.sqrt(2);
    double t = 1 / (1 + 0.3275911 * z);
    double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    double erf = 1 - poly * Math.exp(-z * z);
    return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
  }
}
