package org.dnckernels.simd;

import static org.dnckernels.simd.SimdSpecies.FLOAT;
import static org.dnckernels.simd.SimdSpecies.LANES;

import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;

/**
 * Deterministic lane sums: the blend masks and shuffles of the four-row lane sums, and {@link #sumLanes}, the
 * fixed pairwise order every SIMD lane reduction follows.
 */
final class SimdLanes {
  // The four-row lane sums. For accumulators v0..v3: u01 = v0.blend(v1, HIGH_HALVES) + v1.blend(v0, HIGH_HALVES)
  // .rearrange(SWAP_HALVES), u23 likewise from v2, v3; x = u01.blend(u23, ODD_QUARTERS) + u23.blend(u01,
  // ODD_QUARTERS).rearrange(SWAP_QUARTERS) (its quarters now hold v0, v2, v1, v3); then x += x.rearrange(S) for
  // S = SWAP_8, SWAP_4, SWAP_2, SWAP_1, each where this species has it (not null). The sums of v0..v3 are then in
  // lanes 0, LANE_OF_F1, LANE_OF_F2, LANE_OF_F3, bit for bit sumLanes' order (the same pairs are added at each
  // level; float addition commutes). Constants, so C2 turns them into single blends and permutes. Written out
  // inline where used (SimdContentAddressing, SimdTemporalLinkage; sum and dot run the same levels on one
  // vector): a helper taking vectors boxes them unless C2 inlines it, and the link kernels sit at C2's inlining
  // node cutoff. The array form these replaced there was inlined in some compilations and not in others; left
  // out of line it is slow (docs/simd.md).
  static final VectorMask<Float> HIGH_HALVES = lanesWhere(LANES / 2, 1);
  static final VectorMask<Float> ODD_QUARTERS = lanesWhere(LANES / 4, 1);
  /** With SWAP_2 and SWAP_1, the last two levels of a 16-vector lane-sum tree (SimdTemporalLinkage, N = 16). */
  static final VectorMask<Float> ODD_PAIRS = lanesWhere(2, 1), ODD_LANES = lanesWhere(1, 1);
  static final VectorShuffle<Float> SWAP_HALVES = swapGroups(LANES / 2);
  static final VectorShuffle<Float> SWAP_QUARTERS = swapGroups(LANES / 4);
  static final VectorShuffle<Float> SWAP_8 = LANES >= 64 ? swapGroups(8) : null;
  static final VectorShuffle<Float> SWAP_4 = LANES >= 32 ? swapGroups(4) : null;
  static final VectorShuffle<Float> SWAP_2 = LANES >= 16 ? swapGroups(2) : null;
  static final VectorShuffle<Float> SWAP_1 = LANES >= 8 ? swapGroups(1) : null;
  /** After those levels, the lanes that hold the sums of the second, third and fourth vector (the first's: 0). */
  static final int LANE_OF_F1 = LANES / 2, LANE_OF_F2 = LANES / 4, LANE_OF_F3 = 3 * LANES / 4;

  private SimdLanes() {}

  /** Lanes i with (i / group) % 2 == parity. */
  private static VectorMask<Float> lanesWhere(int group, int parity) {
    boolean[] bits = new boolean[LANES];
    for (int i = 0; i < LANES; i++) {
      bits[i] = (i / group) % 2 == parity;
    }
    return VectorMask.fromArray(FLOAT, bits, 0);
  }

  /** Lane i takes lane i xor group: neighbouring groups of {@code group} lanes trade places. */
  private static VectorShuffle<Float> swapGroups(int group) {
    return VectorShuffle.fromOp(FLOAT, i -> i ^ group);
  }

  /**
   * Σ a[off, off + LANES) (the lanes of a vector stored there) in a fixed pairwise order, in place. Kernels
   * reduce lanes this way, not with {@code reduceLanes(ADD)}: its order on floats is left open, and C2's
   * intrinsic and the Java fallback differ in the last bits, while a step computed twice from the same inputs
   * must give the same bits. Scalar code, not a helper taking a vector: C2 may decline to inline such a helper at
   * a cold call site and then boxes the vector on every call. {@link SimdReductions#sum},
   * {@link SimdReductions#dot} and the kernels' hot loops add the same pairs in registers, written out inline (the
   * levels listed above LANE_OF_F1); this form serves cold paths, such as the link kernels' rows left over from
   * their four-row blocks.
   */
  static float sumLanes(float[] a, int off) {
    for (int half = LANES / 2; half > 0; half /= 2) {
      for (int i = 0; i < half; i++) {
        a[off + i] += a[off + i + half];
      }
    }
    return a[off];
  }
}
