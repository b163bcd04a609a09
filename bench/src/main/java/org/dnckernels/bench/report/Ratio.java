package org.dnckernels.bench.report;

import java.util.List;

/**
 * A ratio of measured values (a speedup, a fraction of the triad or of a ceiling) with its error, propagated from
 * the JMH errors of both values: for r = a / b, relative errors add in quadrature, e_r = r·√((e_a/a)² + (e_b/b)²).
 * JMH's errors are 99.9% confidence half-widths; treating them like standard deviations here is the usual first-order
 * approximation, so the propagated error is of the same kind.
 *
 * @param value the ratio
 * @param error its error; NaN when a score had none (JMH gives none for a single iteration), 0 for an exact ratio
 */
public record Ratio(double value, double error) {
  /** A ratio is not settled when its error is more than this fraction of its value. */
  public static final double UNSETTLED_RELATIVE_ERROR = 0.5;

  /** a / b with errors ea and eb. */
  public static Ratio of(double a, double ea, double b, double eb) {
    double r = a / b;
    return new Ratio(r, Math.abs(r) * Math.hypot(ea / a, eb / b));
  }

  /** An exact ratio (a value against itself: the reference of a speedup). */
  public static Ratio exact(double value) {
    return new Ratio(value, 0);
  }

  /** No ratio (a missing reference). */
  public static Ratio none() {
    return new Ratio(Double.NaN, Double.NaN);
  }

  /**
   * The geometric mean of ratios, with its error: the error of the mean of the logs, √(Σ (e_i/r_i)²) / n, carried
   * back to the ratio (e = mean · that).
   */
  public static Ratio geometricMean(List<Ratio> ratios) {
    double logSum = 0, relSq = 0;
    for (Ratio r : ratios) {
      logSum += Math.log(r.value);
      relSq += Math.pow(r.error / r.value, 2);
    }
    int n = ratios.size();
    double mean = Math.exp(logSum / n);
    return new Ratio(mean, mean * Math.sqrt(relSq) / n);
  }

  public boolean isPresent() {
    return Double.isFinite(value);
  }

  /** Whether its error is known and at most half its value. */
  public boolean settled() {
    return isPresent() && Double.isFinite(error) && error <= UNSETTLED_RELATIVE_ERROR * Math.abs(value);
  }

  /** The ratio plus a constant (the error is unchanged): (forward + backward) / forward = 1 + backward / forward. */
  public Ratio plus(double c) {
    return new Ratio(value + c, error);
  }

  public Ratio times(double c) {
    return new Ratio(value * c, error * Math.abs(c));
  }
}
