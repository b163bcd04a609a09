package org.dnckernels.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.dnckernels.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conformance of {@code precedence}, {@code linkUpdate}, {@code forwardBackward} and the fused
 * {@code linkUpdateAndWeightings}: link validity, one-hot transitions of planted sequences, precedence of
 * zero and full writes, and the reference.
 */
public abstract class TemporalLinkageConformance extends ConformanceBase {
  private static final String LINK = "org.dnckernels.testing.ShapeCase#link";

  // =========================================================================================================
  // properties

  @ParameterizedTest(name = "fused={0}")
  @MethodSource("org.dnckernels.testing.TemporalLinkageConformance#booleans")
  void linkStaysAValidLinkMatrix(boolean fused) {
    int b = 2, wh = 2, n = 17, r = 2;
    RandomTensors rnd = new RandomTensors(fused ? 16 : 17);
    // batch 0 starts from zero; batch 1 from a valid random link with zero precedence. Column sums stay ≤ 1
    // only while colsum_j(L) + p_j ≤ 1, which every history from the zero state keeps (see precision.md)
    float[] link0 = rnd.link(b, wh, n);
    Arrays.fill(link0, 0, wh * n * n, 0f);
    Tensor link = upload(link0, b, wh, n, n);
    Tensor prec = filled(kernels, 0f, b, wh, n);
    Tensor fwd = filled(kernels, Float.NaN, b, r, wh, n), bwd = filled(kernels, Float.NaN, b, r, wh, n);
    for (int step = 0; step < 8; step++) {
      Tensor w = upload(rnd.subWeightings(b * wh, n), b, wh, n);
      if (fused) {
        kernels.linkUpdateAndWeightings(link, prec, w, upload(rnd.subWeightings(b * r, n), b, r, n), fwd, bwd);
      } else {
        kernels.linkUpdate(link, prec, w);
      }
      kernels.precedence(prec, w);
      float[] l = link.toArray();
      for (int m = 0; m < b * wh; m++) {
        for (int i = 0; i < n; i++) {
          assertEquals(0f, l[(m * n + i) * n + i], 0f, "diagonal must be exactly 0 (step " + step + ")");
          double row = 0, col = 0;
          for (int j = 0; j < n; j++) {
            float v = l[(m * n + i) * n + j];
            assertTrue(v >= 0 && v <= 1, "link value " + v + " outside [0,1]");
            row += v;
            col += l[(m * n + j) * n + i];
          }
          assertTrue(row <= 1 + Tolerances.rowSum(n), "row sum " + row + " > 1 at step " + step);
          assertTrue(col <= 1 + Tolerances.rowSum(n), "column sum " + col + " > 1 at step " + step);
        }
      }
      if (fused) {
        assertNonNegative(fwd.toArray(), "forward");
        assertRowSums(fwd.toArray(), b * r * wh, n, 0, 1, "forward");
        assertRowSums(bwd.toArray(), b * r * wh, n, 0, 1, "backward");
      }
    }
  }

  static List<Boolean> booleans() {
    return List.of(false, true);
  }

  @ParameterizedTest(name = "fused={0}")
  @MethodSource("org.dnckernels.testing.TemporalLinkageConformance#booleans")
  void writesInSequenceGiveOneHotForwardAndBackward(boolean fused) {
    int b = 2, wh = 2, n = 16, r = 2;
    RandomTensors rnd = new RandomTensors(18);
    int[][] order = new int[b * wh][];
    for (int m = 0; m < b * wh; m++) {
      order[m] = rnd.permutation(n); // each (batch, head) writes its own sequence of slots
    }
    Tensor link = filled(kernels, 0f, b, wh, n, n), prec = filled(kernels, 0f, b, wh, n);
    Tensor fwd = filled(kernels, Float.NaN, b, r, wh, n), bwd = filled(kernels, Float.NaN, b, r, wh, n);
    int writes = 6;
    // read head 0 reads the 3rd write, head 1 the last one
    int[] readAt = {2, writes - 1};
    for (int t = 0; t < writes; t++) {
      float[] w = new float[b * wh * n];
      for (int m = 0; m < b * wh; m++) {
        w[m * n + order[m][t]] = 1;
      }
      Tensor wt = upload(w, b, wh, n);
      boolean last = t == writes - 1;
      if (fused && last) {
        float[] reads = new float[b * r * n];
        for (int bi = 0; bi < b; bi++) {
          for (int ri = 0; ri < r; ri++) {
            // a read head reads one slot: the one head 0 of this batch wrote at readAt[ri]
            reads[(bi * r + ri) * n + order[bi * wh][readAt[ri]]] = 1;
          }
        }
        kernels.linkUpdateAndWeightings(link, prec, wt, upload(reads, b, r, n), fwd, bwd);
      } else {
        kernels.linkUpdate(link, prec, wt);
      }
      kernels.precedence(prec, wt);
    }
    // reads of slots written by head 0 at readAt[ri]; head 1 wrote other slots at other times
    float[] reads = new float[b * r * n];
    for (int bi = 0; bi < b; bi++) {
      for (int ri = 0; ri < r; ri++) {
        reads[(bi * r + ri) * n + order[bi * wh][readAt[ri]]] = 1;
      }
    }
    if (!fused) {
      kernels.forwardBackward(link, upload(reads, b, r, n), fwd, bwd);
    }
    float[] f = fwd.toArray(), bk = bwd.toArray();
    for (int bi = 0; bi < b; bi++) {
      for (int ri = 0; ri < r; ri++) {
        int[] seq = order[bi * wh]; // head 0's sequence
        float[] expectF = new float[n], expectB = new float[n];
        if (readAt[ri] + 1 < writes) {
          expectF[seq[readAt[ri] + 1]] = 1;
        }
        expectB[seq[readAt[ri] - 1]] = 1;
        int base = ((bi * r + ri) * wh) * n;
        Compare.exact("forward of batch " + bi + " read " + ri, expectF, Arrays.copyOfRange(f, base, base + n), n);
        Compare.exact("backward of batch " + bi + " read " + ri, expectB, Arrays.copyOfRange(bk, base, base + n), n);
      }
    }
    // the link itself holds exact 0/1 entries: L[seq[t+1], seq[t]] = 1
    float[] l = link.toArray();
    for (int m = 0; m < b * wh; m++) {
      for (int t = 0; t + 1 < writes; t++) {
        assertEquals(1f, l[(m * n + order[m][t + 1]) * n + order[m][t]], 0f, "planted link " + m + " step " + t);
      }
    }
  }

  @Test
  void plantedLinkPermutationGivesOneHotForwardAndBackward() {
    int n = 33, r = 4;
    RandomTensors rnd = new RandomTensors(19);
    int[] next = rnd.derangement(n);
    float[] link = new float[n * n];
    for (int j = 0; j < n; j++) {
      link[next[j] * n + j] = 1; // next[j] was written right after j
    }
    int[] from = {0, 7, 19, 32};
    float[] reads = new float[r * n];
    for (int ri = 0; ri < r; ri++) {
      reads[ri * n + from[ri]] = 1;
    }
    Tensor fwd = filled(kernels, Float.NaN, 1, r, 1, n), bwd = filled(kernels, Float.NaN, 1, r, 1, n);
    kernels.forwardBackward(upload(link, 1, 1, n, n), upload(reads, 1, r, n), fwd, bwd);
    float[] ef = new float[r * n], eb = new float[r * n];
    for (int ri = 0; ri < r; ri++) {
      ef[ri * n + next[from[ri]]] = 1;
      for (int j = 0; j < n; j++) {
        if (next[j] == from[ri]) {
          eb[ri * n + j] = 1;
        }
      }
    }
    Compare.exact("forward", ef, fwd.toArray(), 1, r, 1, n);
    Compare.exact("backward", eb, bwd.toArray(), 1, r, 1, n);
  }

  @Test
  void precedenceIsUnchangedByAZeroWriteAndReplacedByAFullOne() {
    int n = 8;
    RandomTensors rnd = new RandomTensors(20);
    float[] p = rnd.subWeightings(4, n);
    // rows: zero write; one-hot write; dyadic write summing to exactly 1; random write summing to 1
    float[] w = new float[4 * n];
    w[n + 5] = 1;
    float[] dyadic = {0.5f, 0, 0.25f, 0, 0.125f, 0.0625f, 0, 0.0625f};
    System.arraycopy(dyadic, 0, w, 2 * n, n);
    float[] random = rnd.weightings(1, n);
    System.arraycopy(random, 0, w, 3 * n, n);
    Tensor prec = upload(p, 1, 4, n);
    kernels.precedence(prec, upload(w, 1, 4, n));
    float[] o = prec.toArray();
    Compare.exact("zero write", Arrays.copyOfRange(p, 0, n), Arrays.copyOfRange(o, 0, n), n);
    Compare.exact("one-hot write", Arrays.copyOfRange(w, n, 2 * n), Arrays.copyOfRange(o, n, 2 * n), n);
    Compare.exact("dyadic write", dyadic, Arrays.copyOfRange(o, 2 * n, 3 * n), n);
    double[] bound = Tolerances.precedence(Arrays.copyOfRange(p, 3 * n, 4 * n), random, 1, n);
    for (int i = 0; i < n; i++) {
      // Σw = 1 up to the float rounding of the row: p drops out
      bound[i] += Tolerances.rowSum(n) * Math.abs(p[3 * n + i]);
    }
    Compare.close("write summing to 1", random, Arrays.copyOfRange(o, 3 * n, 4 * n), bound, n);
  }

  // =========================================================================================================
  // cross-checks against the scalar reference

  @ParameterizedTest(name = "{0}")
  @MethodSource(GENERAL)
  void precedenceMatchesReference(ShapeCase c) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads();
    RandomTensors rnd = c.random("precedence");
    float[] p = rnd.subWeightings(b * wh, n), w = rnd.subWeightings(b * wh, n);
    Results r = crossRun("precedence " + c, new int[][] {s(b, wh, n), s(b, wh, n)}, new float[][] {p, w},
        (k, t) -> k.precedence(t[0], t[1]), 0);
    Compare.close("precedence " + c, r.expected()[0], r.actual()[0], Tolerances.precedence(p, w, b * wh, n), b, wh, n);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(LINK)
  void linkUpdateMatchesReference(ShapeCase c) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads();
    RandomTensors rnd = c.random("linkUpdate");
    float[] link = rnd.link(b, wh, n), p = rnd.subWeightings(b * wh, n), w = rnd.subWeightings(b * wh, n);
    Results r = crossRun("linkUpdate " + c, new int[][] {s(b, wh, n, n), s(b, wh, n), s(b, wh, n)},
        new float[][] {link, p, w}, (k, t) -> k.linkUpdate(t[0], t[1], t[2]), 0);
    Compare.close("linkUpdate " + c, r.expected()[0], r.actual()[0], Tolerances.linkUpdate(link, p, w, b * wh, n),
        b, wh, n, n);
    assertZeroDiagonal(r.actual()[0], b * wh, n, "linkUpdate " + c);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(LINK)
  void forwardBackwardMatchReference(ShapeCase c) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads(), rh = c.readHeads();
    RandomTensors rnd = c.random("forwardBackward");
    float[] link = rnd.link(b, wh, n), rw = rnd.subWeightings(b * rh, n);
    Results r = crossRun("forwardBackward " + c, new int[][] {s(b, wh, n, n), s(b, rh, n), s(b, rh, wh, n),
        s(b, rh, wh, n)}, new float[][] {link, rw, null, null}, (k, t) -> k.forwardBackward(t[0], t[1], t[2], t[3]),
        2, 3);
    Compare.close("forward " + c, r.expected()[2], r.actual()[2],
        Tolerances.linkWeightings(link, null, rw, b, rh, wh, n, true), b, rh, wh, n);
    Compare.close("backward " + c, r.expected()[3], r.actual()[3],
        Tolerances.linkWeightings(link, null, rw, b, rh, wh, n, false), b, rh, wh, n);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(LINK)
  void linkUpdateAndWeightingsMatchReference(ShapeCase c) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads(), rh = c.readHeads();
    RandomTensors rnd = c.random("linkUpdateAndWeightings");
    float[] link = rnd.link(b, wh, n), p = rnd.subWeightings(b * wh, n), w = rnd.subWeightings(b * wh, n),
        rw = rnd.subWeightings(b * rh, n);
    Results r = crossRun("linkUpdateAndWeightings " + c,
        new int[][] {s(b, wh, n, n), s(b, wh, n), s(b, wh, n), s(b, rh, n), s(b, rh, wh, n), s(b, rh, wh, n)},
        new float[][] {link, p, w, rw, null, null},
        (k, t) -> k.linkUpdateAndWeightings(t[0], t[1], t[2], t[3], t[4], t[5]), 0, 4, 5);
    double[] linkBound = Tolerances.linkUpdate(link, p, w, b * wh, n);
    Compare.close("fused link " + c, r.expected()[0], r.actual()[0], linkBound, b, wh, n, n);
    assertZeroDiagonal(r.actual()[0], b * wh, n, "fused link " + c);
    float[] updated = r.expected()[0];
    Compare.close("fused forward " + c, r.expected()[4], r.actual()[4],
        Tolerances.linkWeightings(updated, linkBound, rw, b, rh, wh, n, true), b, rh, wh, n);
    Compare.close("fused backward " + c, r.expected()[5], r.actual()[5],
        Tolerances.linkWeightings(updated, linkBound, rw, b, rh, wh, n, false), b, rh, wh, n);
  }
}
