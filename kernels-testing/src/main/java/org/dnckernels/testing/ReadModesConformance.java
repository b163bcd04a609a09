package org.dnckernels.testing;

import org.dnckernels.InterfaceValues;
import org.dnckernels.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conformance of the read modes and {@code readModeMix}: modes summing to one, read weights summing to at
 * most one, and the reference.
 */
public abstract class ReadModesConformance extends ConformanceBase {
  // =========================================================================================================
  // properties

  @Test
  void readModesSumToOneAndTheirMixAtMostOne() {
    int b = 2, r = 4, w = 5, n = 33, wh = 2;
    RandomTensors rnd = new RandomTensors(13);
    InterfaceValues split = splitOnBackend(rnd.rawInterface(b, r, w), b, r, w);
    float[] modes = split.readModes().toArray();
    assertNonNegative(modes, "read modes");
    assertRowSums(modes, b * r, 3, 1, 1, "read modes");

    // backward/forward of valid links with reads summing to ≤ 1 sum to ≤ 1; the content part to 1
    Tensor fwd = filled(kernels, Float.NaN, b, r, wh, n), bwd = filled(kernels, Float.NaN, b, r, wh, n);
    kernels.forwardBackward(upload(rnd.link(b, wh, n), b, wh, n, n), upload(rnd.subWeightings(b * r, n), b, r, n),
        fwd, bwd);
    Tensor out = filled(kernels, Float.NaN, b, r, n);
    kernels.readModeMix(upload(rnd.readModes(b * r, 2 * wh + 1), b, r, 2 * wh + 1), bwd,
        upload(rnd.weightings(b * r, n), b, r, n), fwd, out);
    float[] o = out.toArray();
    assertNonNegative(o, "read weights");
    assertRowSums(o, b * r, n, 0, 1, "read weights");
  }

  // =========================================================================================================
  // cross-checks against the scalar reference

  @ParameterizedTest(name = "{0}")
  @MethodSource(GENERAL)
  void readModeMixMatchesReference(ShapeCase c) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads(), rh = c.readHeads(), m = 2 * wh + 1;
    RandomTensors rnd = c.random("readModeMix");
    float[] modes = rnd.readModes(b * rh, m), bw = rnd.subWeightings(b * rh * wh, n), cw = rnd.weightings(b * rh, n),
        fw = rnd.subWeightings(b * rh * wh, n);
    Results r = crossRun("readModeMix " + c, new int[][] {s(b, rh, m), s(b, rh, wh, n), s(b, rh, n), s(b, rh, wh, n),
        s(b, rh, n)}, new float[][] {modes, bw, cw, fw, null},
        (k, t) -> k.readModeMix(t[0], t[1], t[2], t[3], t[4]), 4);
    Compare.close("readModeMix " + c, r.expected()[4], r.actual()[4],
        Tolerances.readModeMix(modes, bw, cw, fw, b, rh, wh, n), b, rh, n);
  }
}
