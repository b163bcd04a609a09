package org.dnckernels.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import org.dnckernels.DncKernels;
import org.dnckernels.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Conformance of {@code usage}, {@code allocation} and {@code writeWeights}: the seed's golden vectors,
 * weights summing to at most one, usage bounds, allocation order and ties, and the reference.
 */
public abstract class AllocationConformance extends ConformanceBase {
  private static final float EPS = DncKernels.EPSILON;

  // =========================================================================================================
  // golden vectors (seed 000)

  @Test
  void goldenAllocation() {
    // both seed examples in one batch of two
    Tensor u = upload(f(1, 0, 0.8f, 0.4f, 0.4f, 0.6f, 0.2f, 0.5f), 2, 4);
    Tensor out = filled(kernels, Float.NaN, 2, 1, 4);
    kernels.allocation(u, upload(f(1, 1), 2, 1), upload(f(1, 1), 2, 1), out);
    Compare.close("allocation of the seed's usages", f(0, 1, 0, 0, 0.12f, 0.016f, 0.8f, 0.04f), out.toArray(),
        constant(8, Tolerances.GOLDEN_ALLOCATION), 2, 1, 4);
  }

  // =========================================================================================================
  // properties

  @ParameterizedTest(name = "{0}")
  @MethodSource(GENERAL)
  void allocationAndWriteWeightsSumToAtMostOne(ShapeCase c) {
    int b = c.batch(), n = c.slots(), w = c.wordSize(), wh = c.writeHeads();
    RandomTensors rnd = c.random("allocationSum");
    float[] gw = rnd.gates(b * wh), ga = rnd.gates(b * wh);
    Tensor writeGates = upload(gw, b, wh), allocationGates = upload(ga, b, wh);
    Tensor alloc = filled(kernels, Float.NaN, b, wh, n);
    kernels.allocation(upload(rnd.usage(b * n), b, n), writeGates, allocationGates, alloc);
    float[] a = alloc.toArray();
    assertNonNegative(a, "allocation");
    assertRowSums(a, b * wh, n, 0, 1, "allocation");

    Tensor content = filled(kernels, Float.NaN, b, wh, n);
    kernels.contentWeights(upload(rnd.memory(b, n, w), b, n, w), upload(rnd.keys(b * wh, w), b, wh, w),
        upload(rnd.strengths(b * wh), b, wh), content);
    Tensor out = filled(kernels, Float.NaN, b, wh, n);
    kernels.writeWeights(alloc, content, writeGates, allocationGates, out);
    float[] o = out.toArray();
    assertNonNegative(o, "write weights");
    assertRowSums(o, b * wh, n, 0, 1, "write weights");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(GENERAL)
  void usageStaysInTheUnitInterval(ShapeCase c) {
    int b = c.batch(), n = c.slots(), r = c.readHeads(), wh = c.writeHeads();
    RandomTensors rnd = c.random("usageRange");
    Tensor out = filled(kernels, Float.NaN, b, n);
    kernels.usage(upload(rnd.gates(b * n), b, n), upload(rnd.subWeightings(b * wh, n), b, wh, n),
        upload(rnd.gates(b * r), b, r), upload(rnd.subWeightings(b * r, n), b, r, n), out);
    float[] o = out.toArray();
    for (int i = 0; i < o.length; i++) {
      // exact: a usage above 1 would make 1 − ũ negative and the allocation negative
      float v = o[i];
      assertTrue(v >= 0f && v <= 1f, () -> "usage " + v + " at " + Compare.index(arg(o, v), b, n) + " outside [0,1]");
    }
  }

  private static int arg(float[] a, float v) {
    for (int i = 0; i < a.length; i++) {
      if (Float.compare(a[i], v) == 0) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void usageOfAFullWriteIsOneAndOfAFullFreeIsZero() {
    // slot 0: written with weight 1 by head 0; slot 1: by head 1; slot 2: freed (read 1, free gate 1) while
    // half written; slot 3: untouched
    float[] prev = {0.2f, 0.7f, 0.5f, 0.3f};
    float[] writes = {1, 0, 0.5f, 0, 0, 1, 0, 0};
    float[] frees = {1, 0};
    float[] reads = {0, 0, 1, 0, 0, 0.5f, 0, 0};
    Tensor out = filled(kernels, Float.NaN, 1, 4);
    kernels.usage(upload(prev, 1, 4), upload(writes, 1, 2, 4), upload(frees, 1, 2), upload(reads, 1, 2, 4), out);
    float[] o = out.toArray();
    assertEquals(1f, o[0], 0x1p-23f, "a full write gives usage 1");
    assertEquals(1f, o[1], 0x1p-23f, "a full write by the second head gives usage 1");
    assertEquals(0f, o[2], 0f, "a full free gives usage 0 exactly");
    assertEquals(0.3f, o[3], Tolerances.usage(2, 2), "an untouched slot keeps its usage");
  }

  @Test
  void allocationGivesAnEmptySlotAOneHot() {
    int n = 17;
    float[] usage = new float[2 * n];
    Arrays.fill(usage, 0, n, 1f);
    usage[7] = 0; // batch 0: one empty slot, every other slot full
    float[] rest = new RandomTensors(14).uniform(n, 0.1, 1);
    System.arraycopy(rest, 0, usage, n, n);
    usage[n + 3] = 0; // batch 1: one empty slot among partly used ones
    Tensor out = filled(kernels, Float.NaN, 2, 1, n);
    kernels.allocation(upload(usage, 2, n), upload(f(1, 1), 2, 1), upload(f(1, 1), 2, 1), out);
    float[] o = out.toArray();
    for (int i = 0; i < n; i++) {
      if (i == 7) {
        assertEquals(1 - EPS, o[i], Tolerances.ulps(4), "empty slot gets 1 − ε");
      } else {
        assertEquals(0f, o[i], 0f, "a full slot gets exactly 0 (slot " + i + ")");
      }
      if (i == 3) {
        assertEquals(1 - EPS, o[n + i], Tolerances.ulps(4), "empty slot gets 1 − ε");
      } else {
        float v = o[n + i];
        assertTrue(v >= 0 && v <= EPS * (1 + 1e-5f), "slot " + i + " behind the empty one gets at most ε: " + v);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(GENERAL)
  void allocationGivesTheLeastUsedSlotTheLargestWeight(ShapeCase c) {
    int b = c.batch(), n = c.slots();
    RandomTensors rnd = c.random("leastUsed");
    float[] usage = new float[b * n];
    for (int bi = 0; bi < b; bi++) {
      int[] p = rnd.permutation(n);
      for (int i = 0; i < n; i++) {
        usage[bi * n + i] = (p[i] + 1f) / (n + 1); // distinct, none 0 or 1
      }
    }
    Tensor out = filled(kernels, Float.NaN, b, 1, n);
    kernels.allocation(upload(usage, b, n), upload(rnd.gates(b), b, 1), upload(rnd.gates(b), b, 1), out);
    float[] o = out.toArray();
    for (int bi = 0; bi < b; bi++) {
      assertEquals(argMin(usage, bi * n, n), argMax(o, bi * n, n), "batch " + bi + ": largest allocation");
    }
  }

  @Test
  void allocationBreaksTiesByLowerIndexFirst() {
    // batch 0: all equal; batch 1: two groups of ties; batch 2: all empty (weights ε^j, still normal floats)
    int n = 6;
    float[] usage = {
      0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f,
      0.3f, 0.1f, 0.3f, 0.1f, 0.7f, 0.1f,
      0, 0, 0, 0, 0, 0
    };
    Tensor out = filled(kernels, Float.NaN, 3, 1, n);
    kernels.allocation(upload(usage, 3, n), upload(f(1, 1, 1), 3, 1), upload(f(1, 1, 1), 3, 1), out);
    float[] o = out.toArray();
    assertStrictlyDecreasing(o, new int[] {0, 1, 2, 3, 4, 5}, 0, "equal usages");
    assertStrictlyDecreasing(o, new int[] {1, 3, 5, 0, 2, 4}, n, "two groups of ties");
    assertStrictlyDecreasing(o, new int[] {0, 1, 2, 3, 4, 5}, 2 * n, "all empty");
  }

  @Test
  void allocationOfAHeadAfterAClosedGateEqualsASingleHeadCall() {
    int b = 3, n = 33;
    RandomTensors rnd = new RandomTensors(15);
    float[] usage = rnd.usage(b * n);
    // head 0's gate product g^a·g^w is 0 in every batch (g^a = 0, g^w = 0, both): head 1 sees the same usage
    float[] ga = {0, 0.7f, 1, 0.3f, 0, 1};
    float[] gw = {1, 0.9f, 0, 1, 0, 0.5f};
    Tensor two = filled(kernels, Float.NaN, b, 2, n);
    Tensor u = upload(usage, b, n);
    kernels.allocation(u, upload(gw, b, 2), upload(ga, b, 2), two);
    Tensor one = filled(kernels, Float.NaN, b, 1, n);
    kernels.allocation(u, upload(f(1, 1, 1), b, 1), upload(f(1, 1, 1), b, 1), one);
    float[] t = two.toArray(), o = one.toArray();
    for (int bi = 0; bi < b; bi++) {
      for (int h = 0; h < 2; h++) {
        Compare.exact("batch " + bi + " head " + h + " vs a single head",
            Arrays.copyOfRange(o, bi * n, (bi + 1) * n), Arrays.copyOfRange(t, (bi * 2 + h) * n, (bi * 2 + h + 1) * n), n);
      }
    }
    Compare.exact("allocation must not modify usage", usage, u.toArray(), b, n);
  }

  private static void assertStrictlyDecreasing(float[] x, int[] order, int base, String what) {
    for (int j = 0; j + 1 < order.length; j++) {
      float a = x[base + order[j]], b = x[base + order[j + 1]];
      if (!(a > b)) {
        fail(what + ": slot " + order[j] + " (" + a + ") must get more than slot " + order[j + 1] + " (" + b
            + "): " + Arrays.toString(Arrays.copyOfRange(x, base, base + order.length)));
      }
    }
  }

  private static int argMin(float[] x, int from, int n) {
    int best = from;
    for (int i = from + 1; i < from + n; i++) {
      if (x[i] < x[best]) {
        best = i;
      }
    }
    return best - from;
  }

  // =========================================================================================================
  // cross-checks against the scalar reference

  @ParameterizedTest(name = "{0}")
  @MethodSource(GENERAL)
  void usageMatchesReference(ShapeCase c) {
    int b = c.batch(), n = c.slots(), rh = c.readHeads(), wh = c.writeHeads();
    RandomTensors rnd = c.random("usage");
    Results r = crossRun("usage " + c, new int[][] {s(b, n), s(b, wh, n), s(b, rh), s(b, rh, n), s(b, n)},
        new float[][] {rnd.gates(b * n), rnd.subWeightings(b * wh, n), rnd.gates(b * rh),
            rnd.subWeightings(b * rh, n), null},
        (k, t) -> k.usage(t[0], t[1], t[2], t[3], t[4]), 4);
    Compare.close("usage " + c, r.expected()[4], r.actual()[4], constant(b * n, Tolerances.usage(wh, rh)), b, n);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(GENERAL)
  void allocationMatchesReference(ShapeCase c) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads();
    RandomTensors rnd = c.random("allocation");
    Results r = crossRun("allocation " + c, new int[][] {s(b, n), s(b, wh), s(b, wh), s(b, wh, n)},
        // ties only for one head: a second head's order of tied slots depends on the precision of the usage
        // copy between heads (precision.md), so its cross-check uses distinct usages
        new float[][] {wh == 1 ? rnd.usage(b * n) : rnd.distinctUsage(b, n), rnd.gates(b * wh), rnd.gates(b * wh),
            null},
        (k, t) -> k.allocation(t[0], t[1], t[2], t[3]), 3);
    Compare.close("allocation " + c, r.expected()[3], r.actual()[3],
        Tolerances.allocation(r.expected()[3], b, wh, n), b, wh, n);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(GENERAL)
  void writeWeightsMatchReference(ShapeCase c) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads();
    RandomTensors rnd = c.random("writeWeights");
    float[] a = rnd.subWeightings(b * wh, n), cw = rnd.weightings(b * wh, n);
    Results r = crossRun("writeWeights " + c, new int[][] {s(b, wh, n), s(b, wh, n), s(b, wh), s(b, wh), s(b, wh, n)},
        new float[][] {a, cw, rnd.gates(b * wh), rnd.gates(b * wh), null},
        (k, t) -> k.writeWeights(t[0], t[1], t[2], t[3], t[4]), 4);
    Compare.close("writeWeights " + c, r.expected()[4], r.actual()[4], Tolerances.writeWeights(a, cw), b, wh, n);
  }

  // =========================================================================================================
  // exact ties: the contract holds for inputs that random cases rarely reach

  /**
   * Slots with the same inputs get the same usage, bit for bit, wherever they fall (vector body or tail), so
   * that the allocation breaks their tie by the lower index: N just past a vector width and beyond.
   */
  @ParameterizedTest(name = "N = {0}")
  @ValueSource(ints = {17, 33, 100, 257})
  void usageOfTiedSlotsIsTiedAndAllocationTakesTheLowestIndexFirst(int n) {
    int b = 2, r = 3;
    float[] free = {0.3f, 0.61f, 0.97f, 0.45f, 0.05f, 0.77f};
    for (int wh = 1; wh <= 2; wh++) {
      float[] u = new float[b * n], ww = new float[b * wh * n], wr = new float[b * r * n];
      for (int bb = 0; bb < b; bb++) {
        Arrays.fill(u, bb * n, (bb + 1) * n, bb == 0 ? 0.37f : 0.8125f);
        for (int h = 0; h < wh; h++) {
          Arrays.fill(ww, (bb * wh + h) * n, (bb * wh + h + 1) * n, 0.0123f * (h + 1 + bb));
        }
        for (int k = 0; k < r; k++) {
          Arrays.fill(wr, (bb * r + k) * n, (bb * r + k + 1) * n, 0.0217f * (k + 1) + 0.01f * bb);
        }
      }
      Tensor usage = filled(kernels, Float.NaN, b, n);
      kernels.usage(upload(u, b, n), upload(ww, b, wh, n), upload(free, b, r), upload(wr, b, r, n), usage);
      assertRowsTied("usage of tied slots, Wh = " + wh, usage.toArray(), b, n);
      Tensor alloc = filled(kernels, Float.NaN, b, wh, n);
      kernels.allocation(usage, filled(kernels, 1f, b, wh), filled(kernels, 1f, b, wh), alloc);
      float[] a = alloc.toArray();
      for (int bb = 0; bb < b; bb++) {
        int row = bb * wh * n;
        for (int i = 0; i + 1 < n; i++) {
          // (1 − ũ) ũ^j along the index order: strictly decreasing until it underflows to 0
          assertTrue(a[row + i] > a[row + i + 1] || a[row + i + 1] == 0f, "allocation of tied slots, Wh = " + wh
              + ", batch " + bb + ": slot " + i + " (" + a[row + i] + ") must come before slot " + (i + 1) + " ("
              + a[row + i + 1] + ")");
        }
      }
    }
  }
}
