package io.fleetpulse.evaluation.cmapss;

/**
 * The two numbers C-MAPSS results are compared by: root mean squared error and NASA's asymmetric
 * score (Saxena et al. 2008), which punishes late predictions (predicted life longer than true)
 * more than early ones: sum of exp(-d/13) - 1 for d < 0 and exp(d/10) - 1 for d >= 0, d =
 * predicted - true.
 */
public final class RulMetrics {

  private RulMetrics() {}

  public static double rmse(double[] predicted, double[] truth) {
    check(predicted, truth);
    double sum = 0;
    for (int i = 0; i < predicted.length; i++) {
      double d = predicted[i] - truth[i];
      sum += d * d;
    }
    return Math.sqrt(sum / predicted.length);
  }

  public static double nasaScore(double[] predicted, double[] truth) {
    check(predicted, truth);
    double sum = 0;
    for (int i = 0; i < predicted.length; i++) {
      double d = predicted[i] - truth[i];
      sum += d < 0 ? Math.exp(-d / 13.0) - 1 : Math.exp(d / 10.0) - 1;
    }
    return sum;
  }

  private static void check(double[] predicted, double[] truth) {
    if (predicted.length != truth.length || predicted.length == 0) {
      throw new IllegalArgumentException("need as many predictions as truths, at least one: "
          + predicted.length + " vs " + truth.length);
    }
  }
}
