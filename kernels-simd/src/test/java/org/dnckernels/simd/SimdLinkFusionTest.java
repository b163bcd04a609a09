package org.dnckernels.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.dnckernels.Tensor;
import org.dnckernels.testing.RandomTensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused link pass promises the same bits as linkUpdate then forwardBackward (docs/simd.md): every read-head
 * count takes its own mix of kernels (pairs of heads, a single head, chunks of rows when R > 2), and N covers
 * rows left over from the 4-row blocks, columns left over from the vectors, N = 16 (a matrix of one vector per row
 * on 16 lanes goes to one kernel), and several chunks (N = 1000). Once on
 * one thread (N ≥ 512: segments of 256 rows in turn), once on two threads with segments of 16 rows split
 * between them.
 */
class SimdLinkFusionTest {
  @BeforeAll
  static void vectorApi() {
    assumeTrue(ModuleLayer.boot().findModule(SimdBackendProvider.MODULE).isPresent(), "no Vector API");
  }

  static List<int[]> shapes() {
    // {B, Wh, N, R}
    return List.of(
        new int[] {1, 1, 1, 1}, new int[] {2, 1, 3, 2}, new int[] {1, 2, 17, 3}, new int[] {2, 1, 33, 4},
        new int[] {1, 1, 64, 5}, new int[] {3, 2, 16, 3}, new int[] {2, 1, 16, 4}, new int[] {1, 2, 257, 6},
        new int[] {1, 1, 1000, 3}, new int[] {1, 1, 1000, 4}, new int[] {1, 1, 1002, 7});
  }

  @ParameterizedTest(name = "{index}")
  @MethodSource("shapes")
  void fusedPassEqualsUpdateThenWeightingsBitForBit(int[] shape) {
    int b = shape[0], wh = shape[1], n = shape[2], r = shape[3];
    RandomTensors rnd = new RandomTensors(31L * n + r);
    float[] link = rnd.link(b, wh, n), p = rnd.subWeightings(b * wh, n), w = rnd.subWeightings(b * wh, n);
    float[] x = rnd.subWeightings(b * r, n);
    for (SimdKernels k : List.of(new SimdKernels(1), new SimdKernels(2, 0, 16))) {
      try (k) {
        check(k, b, wh, n, r, link, p, w, x);
      }
    }
  }

  /**
   * Matrices of N = 16 on 16 lanes go whole to one kernel (a lane-sum tree over sixteen rows); it promises the
   * block kernels' bits for the update, the forward and the backward sums, with and without the update, for
   * every read-head count's mix of block kernels.
   */
  @ParameterizedTest(name = "R={0}")
  @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2, 3, 4, 5})
  void oneVectorMatricesGiveTheBlockKernelsBits(int r) {
    assumeTrue(SimdSpecies.LANES == 16, "the one-vector kernel serves 16 lanes");
    int b = 3, wh = 2, n = 16;
    RandomTensors rnd = new RandomTensors(97L + r);
    float[] link = rnd.link(b, wh, n), p = rnd.subWeightings(b * wh, n), w = rnd.subWeightings(b * wh, n);
    float[] x = rnd.subWeightings(b * r, n);
    // a write weight of 1 makes 1 − w_i − w_j negative: the clamp matters
    w[5] = 1f;
    try (SimdKernels k = new SimdKernels(1)) {
      for (boolean update : new boolean[] {true, false}) {
        float[][] results = new float[2][];
        for (int pass = 0; pass < 2; pass++) {
          Tensor l = k.upload(link, 0, b, wh, n, n), prec = k.upload(p, 0, b, wh, n), ww = k.upload(w, 0, b, wh, n);
          Tensor reads = k.upload(x, 0, b, r, n), f = k.allocate(b, r, wh, n), bw = k.allocate(b, r, wh, n);
          SimdTemporalLinkage.linkUnits(l, update ? prec : null, update ? ww : null, reads, f, bw, null, 0, 1, 0,
              b * wh, pass == 0);
          float[] lv = l.toArray(), fv = f.toArray(), bv = bw.toArray();
          float[] all = new float[lv.length + fv.length + bv.length];
          System.arraycopy(lv, 0, all, 0, lv.length);
          System.arraycopy(fv, 0, all, lv.length, fv.length);
          System.arraycopy(bv, 0, all, lv.length + fv.length, bv.length);
          results[pass] = all;
        }
        assertArrayEquals(results[1], results[0], "R=" + r + (update ? ", updated" : ", as it is"));
      }
    }
  }

  private static void check(SimdKernels k, int b, int wh, int n, int r, float[] link, float[] p, float[] w,
      float[] x) {
    Tensor fusedLink = k.upload(link, 0, b, wh, n, n), separateLink = k.upload(link, 0, b, wh, n, n);
    Tensor prec = k.upload(p, 0, b, wh, n), ww = k.upload(w, 0, b, wh, n), reads = k.upload(x, 0, b, r, n);
    Tensor fusedF = k.allocate(b, r, wh, n), fusedB = k.allocate(b, r, wh, n);
    Tensor separateF = k.allocate(b, r, wh, n), separateB = k.allocate(b, r, wh, n);
    k.linkUpdateAndWeightings(fusedLink, prec, ww, reads, fusedF, fusedB);
    k.linkUpdate(separateLink, prec, ww);
    k.forwardBackward(separateLink, reads, separateF, separateB);
    String what = "B=" + b + " Wh=" + wh + " N=" + n + " R=" + r + ", " + k.threads() + " thread(s)";
    assertArrayEquals(separateLink.toArray(), fusedLink.toArray(), what + ": link");
    assertArrayEquals(separateF.toArray(), fusedF.toArray(), what + ": forward");
    assertArrayEquals(separateB.toArray(), fusedB.toArray(), what + ": backward");
  }
}
