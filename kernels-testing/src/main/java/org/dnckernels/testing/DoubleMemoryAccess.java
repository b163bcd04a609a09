package org.dnckernels.testing;

/**
 * The memory access kernels in double precision, for finite differences and for a double-precision memory step:
 * erase and add, read, the read-mode mix and the write weightings, with the equations of the scalar forwards
 * ({@link org.dnckernels.DncKernels#eraseAndAdd}, {@link org.dnckernels.DncKernels#read},
 * {@link org.dnckernels.DncKernels#readModeMix}, {@link org.dnckernels.DncKernels#writeWeights}). Arrays are
 * row-major and batch first like the tensors; every method returns a new array and leaves its inputs alone.
 */
public final class DoubleMemoryAccess {
  private DoubleMemoryAccess() {}

  /**
   * The memory after erase then add: {@code M[b,i,j] · Π_h (1 − w[b,h,i] e[b,h,j]) + Σ_h w[b,h,i] a[b,h,j]}.
   *
   * @param memory       M [B,N,W]
   * @param writeWeights w [B,Wh,N]
   * @param erase        e [B,Wh,W]
   * @param add          a [B,Wh,W]
   * @return the updated memory [B,N,W]
   */
  public static double[] eraseAndAdd(
      double[] memory, double[] writeWeights, double[] erase, double[] add, int b, int n, int w, int wh) {
    double[] out = new double[b * n * w];
    for (int bi = 0; bi < b; bi++) {
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < w; j++) {
          double keep = 1, added = 0;
          for (int h = 0; h < wh; h++) {
            int bh = bi * wh + h;
            double wi = writeWeights[bh * n + i];
            keep *= 1 - wi * erase[bh * w + j];
            added += wi * add[bh * w + j];
          }
          int k = (bi * n + i) * w + j;
          out[k] = memory[k] * keep + added;
        }
      }
    }
    return out;
  }

  /**
   * The read vectors {@code r[b,h,j] = Σ_i w[b,h,i] M[b,i,j]}.
   *
   * @param memory      M [B,N,W]
   * @param readWeights w [B,R,N]
   * @return r [B,R,W]
   */
  public static double[] read(double[] memory, double[] readWeights, int b, int n, int w, int r) {
    double[] out = new double[b * r * w];
    for (int bi = 0; bi < b; bi++) {
      for (int h = 0; h < r; h++) {
        for (int j = 0; j < w; j++) {
          double sum = 0;
          for (int i = 0; i < n; i++) {
            sum += readWeights[(bi * r + h) * n + i] * memory[(bi * n + i) * w + j];
          }
          out[(bi * r + h) * w + j] = sum;
        }
      }
    }
    return out;
  }

  /**
   * The read weightings {@code min(1, Σ_h π[h] backward[h] + π[Wh] content + Σ_h π[Wh+1+h] forward[h])}, modes
   * ordered [backward_1..Wh, content, forward_1..Wh]. The clamp at 1 is the scalar forward's (it only absorbs
   * rounding of sums that are at most 1 for modes summing to 1 over weightings); a finite-difference check keeps
   * its inputs below it.
   *
   * @param modes    π [B,R,2Wh+1]
   * @param backward [B,R,Wh,N]
   * @param content  [B,R,N]
   * @param forward  [B,R,Wh,N]
   * @return [B,R,N]
   */
  public static double[] readModeMix(
      double[] modes, double[] backward, double[] content, double[] forward, int b, int r, int wh, int n) {
    int m = 2 * wh + 1;
    double[] out = new double[b * r * n];
    for (int br = 0; br < b * r; br++) {
      for (int i = 0; i < n; i++) {
        double sum = 0;
        for (int h = 0; h < wh; h++) {
          sum += modes[br * m + h] * backward[(br * wh + h) * n + i];
        }
        sum += modes[br * m + wh] * content[br * n + i];
        for (int h = 0; h < wh; h++) {
          sum += modes[br * m + wh + 1 + h] * forward[(br * wh + h) * n + i];
        }
        out[br * n + i] = Math.min(1, sum);
      }
    }
    return out;
  }

  /**
   * The write weightings {@code g^w[b,h] (g^a[b,h] a[b,h,i] + (1 − g^a[b,h]) c[b,h,i])}.
   *
   * @param allocation      a [B,Wh,N]
   * @param content         c [B,Wh,N]
   * @param writeGates      g^w [B,Wh]
   * @param allocationGates g^a [B,Wh]
   * @return [B,Wh,N]
   */
  public static double[] writeWeights(
      double[] allocation, double[] content, double[] writeGates, double[] allocationGates, int b, int wh, int n) {
    double[] out = new double[b * wh * n];
    for (int bh = 0; bh < b * wh; bh++) {
      double write = writeGates[bh], alloc = allocationGates[bh];
      for (int i = 0; i < n; i++) {
        int k = bh * n + i;
        out[k] = write * (alloc * allocation[k] + (1 - alloc) * content[k]);
      }
    }
    return out;
  }
}
