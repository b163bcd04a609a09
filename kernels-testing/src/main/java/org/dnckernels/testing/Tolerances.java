package org.dnckernels.testing;

/**
 * The precision contract: how far a backend's result may be from the scalar reference, element by element. Every
 * backend is held to these numbers; {@code docs/precision.md} derives them.
 *
 * <p>The scalar reference accumulates in double and rounds once, so it is within half an ulp of the exact result
 * of the float inputs. A float32 backend that accumulates a reduction of length L in float (in any order, with or
 * without FMA, in lanes or sequentially) is within {@code L·u·Σ|terms|} of it, u = 2^-24 (the standard bound
 * {@code |fl(Σx) − Σx| ≤ γ_L Σ|x|}, γ_L ≈ L·u). Each bound below is that worst case for the kernel's equation,
 * times {@link #SAFETY}, plus {@link #TINY} for results in float's subnormal range. Results are compared as
 * {@code |actual − expected| ≤ bound}; NaN or an infinity where the reference is finite always fails.
 *
 * <p>All methods take the kernel's float inputs (and, where the bound depends on the output's size, the scalar
 * reference's output) and return one bound per output element, in the output's row-major order.
 */
public final class Tolerances {
  /** u: the unit roundoff of float32 (half an ulp of 1). */
  public static final double UNIT_ROUNDOFF = 0x1p-24;
  /** c: headroom over the first-order bound (second-order terms, the reference's own rounding). */
  public static final double SAFETY = 2;
  /** Absolute slack for results below float's normal range (flush-to-zero, subnormal rounding). */
  public static final double TINY = 1e-36;

  /** Golden vectors of read and erase/add: inputs such as 0.01 are not floats; outputs are ≤ 3.1 in magnitude. */
  public static final double GOLDEN_READ_WRITE = 1e-6;
  /**
   * Golden content weights: the ε-form cosine ({@code sqrt(Σx² + ε)}, {@code + ε} in the denominator) moves the
   * printed exact-cosine values by at most 8.6e-7 (β = 10); plus float rounding.
   */
  public static final double GOLDEN_CONTENT = 2e-6;
  /** Golden allocation: the remap ũ = ε + (1 − ε) u moves the printed values by at most 8e-7; plus rounding. */
  public static final double GOLDEN_ALLOCATION = 2e-6;

  private static final double U = UNIT_ROUNDOFF;
  private static final double C = SAFETY;

  private Tolerances() {}

  /** {@code c·u·terms}: the bound for {@code terms} roundings on a result of magnitude ≤ 1. */
  public static double ulps(double terms) {
    return C * U * terms;
  }

  /**
   * Slack on "a weighting row sums to 1" or "≤ 1" for a row of {@code n} float values: summing them (in double,
   * by the checker) is exact enough, but each value carries its own rounding, and the row's total was itself a
   * reduction of length n: {@code c·u·(n + 2)}.
   */
  public static double rowSum(int n) {
    return ulps(n + 2);
  }

  // ---------------------------------------------------------------------------------------------------------
  // content addressing

  /**
   * Content weights [B,H,N]. The cosine D costs three reductions of length W (dot and two norms) and a division:
   * {@code |ΔD| ≤ (2W + 8)·u}, since {@code Σ|k_j M_j| ≤ ‖k‖‖M‖}. The softmax turns an error δ in βD into a
   * relative error ≤ 2δ in every output (its own and the normaliser's), and its sum of N terms adds (N + 3)·u:
   * {@code bound = c·u·(2β(2W + 8) + N + 4)·out + TINY}. Large β amplifies the cosine's rounding: this is the
   * kernel's conditioning, not slack.
   */
  public static double[] contentWeights(
      float[] strengths, float[] reference, int batch, int heads, int slots, int wordSize) {
    double[] bound = new double[reference.length];
    for (int bh = 0; bh < batch * heads; bh++) {
      double rel = C * U * (2.0 * Math.abs(strengths[bh]) * (2.0 * wordSize + 8) + slots + 4);
      for (int i = 0; i < slots; i++) {
        int k = bh * slots + i;
        bound[k] = rel * Math.abs(reference[k]) + TINY;
      }
    }
    return bound;
  }

  // ---------------------------------------------------------------------------------------------------------
  // write and read

  /**
   * Erase and add [B,N,W]: per element a product of Wh erase factors and a sum of Wh adds, 2Wh + 3 roundings on
   * terms of magnitude {@code |M| + Σ_h |w_h a_h|}: {@code c·u·(2Wh + 3)·(|M| + Σ|w a|) + TINY}.
   */
  public static double[] eraseAndAdd(
      float[] memory, float[] writeWeights, float[] add, int batch, int slots, int wordSize, int writeHeads) {
    double[] bound = new double[memory.length];
    for (int b = 0; b < batch; b++) {
      for (int i = 0; i < slots; i++) {
        for (int j = 0; j < wordSize; j++) {
          int k = (b * slots + i) * wordSize + j;
          double mag = Math.abs(memory[k]);
          for (int h = 0; h < writeHeads; h++) {
            mag += Math.abs(writeWeights[(b * writeHeads + h) * slots + i] * add[(b * writeHeads + h) * wordSize + j]);
          }
          bound[k] = C * U * (2.0 * writeHeads + 3) * mag + TINY;
        }
      }
    }
    return bound;
  }

  /** Read [B,R,W]: a reduction of length N: {@code c·u·(N + 1)·Σ_i |w_i M_ij| + TINY}. */
  public static double[] read(float[] memory, float[] readWeights, int batch, int slots, int wordSize, int heads) {
    double[] bound = new double[batch * heads * wordSize];
    for (int b = 0; b < batch; b++) {
      for (int h = 0; h < heads; h++) {
        for (int j = 0; j < wordSize; j++) {
          double mag = 0;
          for (int i = 0; i < slots; i++) {
            mag += Math.abs((double) readWeights[(b * heads + h) * slots + i] * memory[(b * slots + i) * wordSize + j]);
          }
          bound[(b * heads + h) * wordSize + j] = C * U * (slots + 1.0) * mag + TINY;
        }
      }
    }
    return bound;
  }

  // ---------------------------------------------------------------------------------------------------------
  // dynamic memory allocation

  /**
   * Usage [B,N]: every factor is in [0,1], Wh + R products and 4 more operations: an absolute
   * {@code c·u·(2Wh + 2R + 6)}.
   */
  public static double usage(int writeHeads, int readHeads) {
    return ulps(2.0 * writeHeads + 2.0 * readHeads + 6);
  }

  /**
   * Allocation [B,Wh,N]. The j-th slot in the free list gets {@code (1 − ũ_j) Π_{i<j} ũ_i}: a product of up to N
   * factors, each rounding relative u, so a float product is within (N + 2)·u relative, plus an absolute u from
   * {@code 1 − ũ}. Head h starts from the usage updated by heads 0..h−1, whose errors enter every factor of its
   * products relatively: {@code bound = c·u·(2 + (h + 1)(N + 3)·|a|)}. Exact ties are broken by index on every
   * backend (the test data puts usages on a 1/1024 grid, so there are no near-ties that float and double could
   * order differently; see precision.md).
   */
  public static double[] allocation(float[] reference, int batch, int writeHeads, int slots) {
    double[] bound = new double[reference.length];
    for (int b = 0; b < batch; b++) {
      for (int h = 0; h < writeHeads; h++) {
        for (int i = 0; i < slots; i++) {
          int k = (b * writeHeads + h) * slots + i;
          bound[k] = C * U * (2 + (h + 1.0) * (slots + 3.0) * Math.abs(reference[k]));
        }
      }
    }
    return bound;
  }

  /**
   * Write weights [B,Wh,N]: {@code g^w (g^a a + (1 − g^a) c)}, five roundings on terms ≤ |a| + |c|:
   * {@code c·u·5·(|a| + |c|) + TINY}.
   */
  public static double[] writeWeights(float[] allocation, float[] content) {
    double[] bound = new double[allocation.length];
    for (int k = 0; k < bound.length; k++) {
      bound[k] = C * U * 5 * (Math.abs(allocation[k]) + Math.abs(content[k])) + TINY;
    }
    return bound;
  }

  // ---------------------------------------------------------------------------------------------------------
  // temporal linkage

  /**
   * Precedence [B,Wh,N]: Σw is a reduction of length N (error ≤ N·u·Σ|w|) that multiplies p:
   * {@code c·u·((N + 2)·Σ|w|·|p_i| + 3(|p_i| + |w_i|)) + TINY}.
   */
  public static double[] precedence(float[] precedence, float[] writeWeights, int rows, int slots) {
    double[] bound = new double[precedence.length];
    for (int r = 0; r < rows; r++) {
      double sum = 0;
      for (int i = 0; i < slots; i++) {
        sum += Math.abs(writeWeights[r * slots + i]);
      }
      for (int i = 0; i < slots; i++) {
        int k = r * slots + i;
        double p = Math.abs(precedence[k]), w = Math.abs(writeWeights[k]);
        bound[k] = C * U * ((slots + 2.0) * sum * p + 3 * (p + w)) + TINY;
      }
    }
    return bound;
  }

  /**
   * Link update [B,Wh,N,N]: {@code (1 − w_i − w_j) L_ij + w_i p_j}, five roundings on terms ≤ |L| + |w_i p_j|:
   * {@code c·u·(4|L_ij| + 2|w_i p_j|) + TINY}. The diagonal is exactly 0 on every backend.
   */
  public static double[] linkUpdate(
      float[] link, float[] prevPrecedence, float[] writeWeights, int rows, int slots) {
    double[] bound = new double[link.length];
    for (int r = 0; r < rows; r++) {
      for (int i = 0; i < slots; i++) {
        double w = Math.abs(writeWeights[r * slots + i]);
        for (int j = 0; j < slots; j++) {
          int k = (r * slots + i) * slots + j;
          bound[k] = C * U * (4 * Math.abs(link[k]) + 2 * w * Math.abs(prevPrecedence[r * slots + j])) + TINY;
        }
      }
    }
    return bound;
  }

  /**
   * Forward or backward weightings [B,R,Wh,N] from a link matrix: reductions of length N,
   * {@code c·u·(N + 1)·Σ_j |L_ij w_j| + Σ_j linkBound_ij·w_j + TINY}, where {@code linkBound} is the bound on
   * the link matrix itself when it was just updated by the same call (null when the link is an input).
   *
   * @param link      L [B,Wh,N,N] (for a fused update, the reference's updated link)
   * @param linkBound per-element bound on L, or null
   * @param forward   true for forward (rows of L), false for backward (columns)
   */
  public static double[] linkWeightings(
      float[] link, double[] linkBound, float[] readWeights, int batch, int readHeads, int writeHeads, int slots,
      boolean forward) {
    double[] bound = new double[batch * readHeads * writeHeads * slots];
    for (int b = 0; b < batch; b++) {
      for (int r = 0; r < readHeads; r++) {
        int wBase = (b * readHeads + r) * slots;
        for (int h = 0; h < writeHeads; h++) {
          int lBase = (b * writeHeads + h) * slots * slots;
          for (int i = 0; i < slots; i++) {
            double mag = 0, inherited = 0;
            for (int j = 0; j < slots; j++) {
              int l = forward ? lBase + i * slots + j : lBase + j * slots + i;
              double w = Math.abs(readWeights[wBase + j]);
              mag += Math.abs(link[l]) * w;
              if (linkBound != null) {
                inherited += linkBound[l] * w;
              }
            }
            bound[((b * readHeads + r) * writeHeads + h) * slots + i] = C * U * (slots + 1.0) * mag + inherited + TINY;
          }
        }
      }
    }
    return bound;
  }

  /**
   * Read-mode mix [B,R,N]: a sum of 2Wh + 1 products: {@code c·u·(2Wh + 2)·Σ_k |π_k x_k| + TINY}.
   *
   * @param modes    π [B,R,2Wh+1]
   * @param backward [B,R,Wh,N]
   * @param content  [B,R,N]
   * @param forward  [B,R,Wh,N]
   */
  public static double[] readModeMix(
      float[] modes, float[] backward, float[] content, float[] forward, int batch, int readHeads, int writeHeads,
      int slots) {
    int m = 2 * writeHeads + 1;
    double[] bound = new double[batch * readHeads * slots];
    for (int br = 0; br < batch * readHeads; br++) {
      for (int i = 0; i < slots; i++) {
        double mag = Math.abs(modes[br * m + writeHeads] * content[br * slots + i]);
        for (int h = 0; h < writeHeads; h++) {
          int x = (br * writeHeads + h) * slots + i;
          mag += Math.abs(modes[br * m + h] * backward[x]) + Math.abs(modes[br * m + writeHeads + 1 + h] * forward[x]);
        }
        bound[br * slots + i] = C * U * (2.0 * writeHeads + 2) * mag + TINY;
      }
    }
    return bound;
  }

  // ---------------------------------------------------------------------------------------------------------
  // NTM addressing

  /** Interpolation [B,H,N]: {@code g c + (1 − g) w}, four roundings: {@code c·u·4·(|c| + |w|) + TINY}. */
  public static double[] ntmInterpolate(float[] content, float[] previous) {
    double[] bound = new double[content.length];
    for (int k = 0; k < bound.length; k++) {
      bound[k] = C * U * 4 * (Math.abs(content[k]) + Math.abs(previous[k])) + TINY;
    }
    return bound;
  }

  /** Circular shift [B,H,N]: a sum of 2k + 1 products: {@code c·u·(2k + 2)·Σ_d |w s_d| + TINY}. */
  public static double[] ntmShift(float[] weights, float[] shift, int rows, int slots, int width) {
    int k = width / 2;
    double[] bound = new double[weights.length];
    for (int r = 0; r < rows; r++) {
      for (int i = 0; i < slots; i++) {
        double mag = 0;
        for (int d = -k; d <= k; d++) {
          int from = Math.floorMod(i - d, slots);
          mag += Math.abs(weights[r * slots + from] * shift[r * width + d + k]);
        }
        bound[r * slots + i] = C * U * (width + 1.0) * mag + TINY;
      }
    }
    return bound;
  }

  /**
   * Sharpening [B,H,N]: {@code x_i = w_i / max w} rounds relative u, {@code x^γ} then carries γ·u from it and
   * {@code γ|ln x|·u} from evaluating {@code exp(γ ln x)}; the normaliser is a sum of N terms whose own errors,
   * weighted by their mass, add at most N·u (since {@code x^γ γ|ln x| ≤ 1/e}):
   * {@code c·u·(2N + 6 + γ(2 + |ln x_i|))·out + TINY}. An all-zero row gives exactly-rounded 1/N.
   */
  public static double[] ntmSharpen(float[] weights, float[] gamma, float[] reference, int rows, int slots) {
    double[] bound = new double[weights.length];
    for (int r = 0; r < rows; r++) {
      double max = 0;
      for (int i = 0; i < slots; i++) {
        max = Math.max(max, weights[r * slots + i]);
      }
      double g = Math.abs(gamma[r]);
      for (int i = 0; i < slots; i++) {
        int k = r * slots + i;
        double x = max == 0 ? 1 : weights[k] / max;
        double log = x > 0 ? Math.abs(Math.log(x)) : 0;
        bound[k] = C * U * (2.0 * slots + 6 + g * (2 + log)) * Math.abs(reference[k]) + TINY;
      }
    }
    return bound;
  }

  // ---------------------------------------------------------------------------------------------------------
  // interface split

  /** oneplus: {@code 1 + max(x,0) + log1p(e^−|x|)}, a few roundings on a result ≥ 1: {@code c·u·4·|β|}. */
  public static double oneplus(double reference) {
    return C * U * 4 * Math.abs(reference);
  }

  /**
   * Sigmoid: a result in [0,1] from one exp and a division; {@code c·u·(4σ + 1)} also admits forms that lose the
   * tail's relative accuracy (such as 1 − σ(−x)).
   */
  public static double sigmoid(double reference) {
    return C * U * (4 * Math.abs(reference) + 1);
  }

  /**
   * Softmax of K values (read modes): an absolute {@code c·u·(K + 4)}: an input rounding δ = u|x| moves an
   * output by at most {@code out·u|x| ≤ u/e}, the normaliser by (K + 3)·u.
   */
  public static double softmax(int width) {
    return ulps(width + 4.0);
  }

  // ---------------------------------------------------------------------------------------------------------
  // memory step

  /**
   * The whole memory step after {@code steps} steps from the same state: the per-step budget is the sum of the
   * per-kernel bounds above at the step's sizes (content weights with the largest strength, allocation,
   * linkage, two reductions over N and one over W), errors of earlier steps carried forward through
   * contractions (every weighting has row sums ≤ 1, erase factors are in [0,1]), so the budget grows linearly
   * with the step count. Compared as {@code c·u·S·t·(|x| + scale)} where {@code scale} is the tensor's typical
   * magnitude (1 for weightings, the largest |value| for memory and read vectors). A naive float32 backend
   * (sequential float sums, the worst case) uses under 1% of it: the bound is there to catch a wrong order or a
   * wrong input of the step, while each kernel's own precision is held by its own cross-check.
   */
  public static double memoryStepBudget(
      int slots, int wordSize, int readHeads, int writeHeads, double maxStrength) {
    return C * U * (2 * maxStrength * (2.0 * wordSize + 8) + 4.0 * slots + 2.0 * wordSize
        + (writeHeads + 1.0) * (slots + 3.0) + 8.0 * (readHeads + writeHeads) + 16);
  }

  /** Per-element bounds {@code budget·steps·(|x| + scale)}. */
  public static double[] memoryStep(float[] reference, double budget, int steps, double scale) {
    double[] bound = new double[reference.length];
    for (int k = 0; k < bound.length; k++) {
      bound[k] = budget * steps * (Math.abs(reference[k]) + scale) + TINY;
    }
    return bound;
  }
}
