package org.dnckernels.testing;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Finite-difference checks of a backward against its forward, in double precision.
 *
 * <p>A backward is a vector-Jacobian product: with a fixed random projection g of the forward's output, the loss
 * ℓ(x) = Σ g·(forward(x) − forward(x₀)) has ∇ℓ = backward(x, g) at x₀. The test code evaluates ℓ with a
 * double-precision forward (the {@code Double*} classes of this package) on the float inputs widened to double,
 * and takes central differences there. Their truncation error is about h²|ℓ'''|/6; their cancellation error about
 * 2⁻⁵³|ℓ|/h, which is why the loss is measured from its value at x₀ ({@link #project(float[], double[], double[])}):
 * then |ℓ| is of order h·|∇ℓ| and that error is near 2⁻⁵³ of the gradient, where a plain Σ g·y would leave
 * 2⁻⁵³|Σ g·y|/h (up to 1e-7 of a gradient at h = 1e-6). Both are far below the float32 rounding of the backward's
 * result (2⁻²⁴ ≈ 6e-8). Central differences in float32 itself would carry an error of order 2⁻²⁴/h: too coarse to
 * catch a wrong term, which is why they are never used here.
 *
 * <p>The comparison is {@code |analytic − numeric| ≤ rtol·(|numeric| + floor·max|numeric|)}: relative per
 * element, with a floor relative to the largest gradient of the tensor for elements that cancel to near zero.
 * {@link #RTOL} and {@link #FLOOR} are the bar the scalar reference is held to (docs/precision.md); DeepMind's
 * addressing tests ask for an error below 1e-2. A float backend's sums that cancel carry about u·Σ|terms|, which
 * can exceed the floor (1e-8 of the largest gradient, below one float ulp of it); such a backend is held to the
 * bar plus its cross-check bound against the reference ({@link #compare(float[], double[], double, double,
 * double[])}): the reference is within the bar of the differences, the backend within its bound of the reference.
 */
public final class GradientCheck {
  /** Relative bar: 1e-5, i.e. about 170 float roundings of headroom over the backward's own rounding. */
  public static final double RTOL = 1e-5;
  /** Floor, as a fraction of the tensor's largest numeric gradient, for elements that cancel. */
  public static final double FLOOR = 1e-3;
  /** Central-difference step per unit of the input's magnitude. */
  public static final double STEP = 1e-6;

  private GradientCheck() {}

  /** A scalar loss of the inputs, evaluated in double. */
  @FunctionalInterface
  public interface Loss {
    double at(double[][] inputs);
  }

  /** The inputs widened to double (a fresh copy each). */
  public static double[][] widen(float[]... inputs) {
    double[][] out = new double[inputs.length][];
    for (int i = 0; i < inputs.length; i++) {
      out[i] = widen(inputs[i]);
    }
    return out;
  }

  public static double[] widen(float[] x) {
    double[] d = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      d[i] = x[i];
    }
    return d;
  }

  /** Σ g·(y − y0): the loss whose gradient is the backward with gradOut = g, measured from its value at y0. */
  public static double project(float[] g, double[] y, double[] y0) {
    if (g.length != y.length || y.length != y0.length) {
      throw new IllegalArgumentException("projection of length " + g.length + " on outputs of " + y.length + ", "
          + y0.length);
    }
    double s = 0;
    for (int i = 0; i < g.length; i++) {
      s += g[i] * (y[i] - y0[i]);
    }
    return s;
  }

  /** Σ g·y: the projection that turns an output into a loss whose gradient is the backward with gradOut = g. */
  public static double project(float[] g, double[] y) {
    if (g.length != y.length) {
      throw new IllegalArgumentException("projection of length " + g.length + " on an output of " + y.length);
    }
    double s = 0;
    for (int i = 0; i < g.length; i++) {
      s += g[i] * y[i];
    }
    return s;
  }

  /**
   * ∂loss/∂inputs[which], by central differences with step {@code STEP·max(1, |x|)} per element. The inputs are
   * restored afterwards.
   */
  public static double[] numeric(Loss loss, double[][] inputs, int which) {
    double[] x = inputs[which];
    double[] grad = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double saved = x[i];
      double h = STEP * Math.max(1, Math.abs(saved));
      x[i] = saved + h;
      double up = loss.at(inputs);
      x[i] = saved - h;
      double down = loss.at(inputs);
      x[i] = saved;
      grad[i] = (up - down) / (2 * h);
    }
    return grad;
  }

  /** Fails unless {@code analytic} is within the bar of {@code numeric}, naming the worst element. */
  public static void assertClose(String what, float[] analytic, double[] numeric) {
    assertClose(what, analytic, numeric, RTOL, FLOOR);
  }

  /** As {@link #assertClose(String, float[], double[])} with an explicit bar (a test documents why). */
  public static void assertClose(String what, float[] analytic, double[] numeric, double rtol, double floor) {
    String error = compare(analytic, numeric, rtol, floor);
    if (error != null) {
      fail(what + ": " + error);
    }
  }

  /** The first element outside the bar (or a length mismatch, or a non-finite value), or null if all pass. */
  public static String compare(float[] analytic, double[] numeric, double rtol, double floor) {
    return compare(analytic, numeric, rtol, floor, null);
  }

  /**
   * As {@link #compare(float[], double[], double, double)} with {@code extra[i]} added to element i's bound (a
   * float backend's cross-check bound; null for none).
   */
  public static String compare(float[] analytic, double[] numeric, double rtol, double floor, double[] extra) {
    if (analytic.length != numeric.length) {
      return "length " + analytic.length + " but the numeric gradient has " + numeric.length;
    }
    double max = 0;
    for (double n : numeric) {
      max = Math.max(max, Math.abs(n));
    }
    int worst = -1;
    double worstRatio = 1;
    for (int i = 0; i < analytic.length; i++) {
      if (!Float.isFinite(analytic[i])) {
        return "element " + i + " is " + analytic[i] + " (numeric " + numeric[i] + ")";
      }
      double bound = rtol * (Math.abs(numeric[i]) + floor * max) + (extra == null ? 0 : extra[i]);
      double err = Math.abs(analytic[i] - numeric[i]);
      if (err > bound && (bound == 0 ? err > 0 : err / bound > worstRatio)) {
        worst = i;
        worstRatio = bound == 0 ? Double.POSITIVE_INFINITY : err / bound;
      }
    }
    if (worst < 0) {
      return null;
    }
    return "element " + worst + ": analytic " + analytic[worst] + " vs numeric " + numeric[worst] + " (error "
        + Math.abs(analytic[worst] - numeric[worst]) + ", bound "
        + (rtol * (Math.abs(numeric[worst]) + floor * max) + (extra == null ? 0 : extra[worst]))
        + ", largest gradient " + max + ")";
  }
}
