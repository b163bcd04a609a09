package org.dnckernels.testing;

import org.dnckernels.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conformance of {@code eraseAndAdd} and {@code read}: the seed's golden vectors and the reference.
 */
public abstract class MemoryWriteReadConformance extends ConformanceBase {
  // =========================================================================================================
  // golden vectors (seed 000)

  private static final float[] SEED_MEMORY = {
    -0.5f, 0.01f, 3.1f,
    0.2f, 0.6f, 1.2f,
    0f, 0f, 0f,
    -0.1f, -0.05f, 0f
  };

  @Test
  void goldenReadDualistic() {
    Tensor m = upload(SEED_MEMORY, 1, 4, 3);
    Tensor w = upload(f(0, 1, 0, 0), 1, 1, 4);
    Tensor r = filled(kernels, Float.NaN, 1, 1, 3);
    kernels.read(m, w, r);
    // a one-hot read returns the row itself, exactly
    Compare.exact("read of row 1", f(0.2f, 0.6f, 1.2f), r.toArray(), 1, 1, 3);
  }

  @Test
  void goldenReadNonDualistic() {
    Tensor m = upload(SEED_MEMORY, 1, 4, 3);
    Tensor w = upload(f(0, 0.8f, 0.1f, 0.1f), 1, 1, 4);
    Tensor r = filled(kernels, Float.NaN, 1, 1, 3);
    kernels.read(m, w, r);
    Compare.close("read [0, 0.8, 0.1, 0.1]", f(0.15f, 0.475f, 0.96f), r.toArray(),
        constant(3, Tolerances.GOLDEN_READ_WRITE), 1, 1, 3);
  }

  @Test
  void goldenWriteDualistic() {
    Tensor m = upload(SEED_MEMORY, 1, 4, 3);
    kernels.eraseAndAdd(m, upload(f(0, 1, 0, 0), 1, 1, 4), upload(f(1, 1, 1), 1, 1, 3),
        upload(f(-1.5f, -1.3f, -1.1f), 1, 1, 3));
    float[] expected = SEED_MEMORY.clone();
    expected[3] = -1.5f;
    expected[4] = -1.3f;
    expected[5] = -1.1f;
    // full erase and weight 1 replace the row exactly; weight 0 leaves the others exactly
    Compare.exact("dualistic write", expected, m.toArray(), 1, 4, 3);
  }

  @Test
  void goldenWriteNonDualistic() {
    Tensor m = upload(SEED_MEMORY, 1, 4, 3);
    kernels.eraseAndAdd(m, upload(f(0, 0.8f, 0.1f, 0.1f), 1, 1, 4), upload(f(1, 0.5f, 0), 1, 1, 3),
        upload(f(-1.5f, -1.3f, -1.1f), 1, 1, 3));
    float[] expected = {
      -0.5f, 0.01f, 3.1f,
      -1.16f, -0.68f, 0.32f,
      -0.15f, -0.13f, -0.11f,
      -0.24f, -0.1775f, -0.11f
    };
    Compare.close("non-dualistic write", expected, m.toArray(), constant(12, Tolerances.GOLDEN_READ_WRITE), 1, 4, 3);
  }

  // =========================================================================================================
  // cross-checks against the scalar reference

  @ParameterizedTest(name = "{0}")
  @MethodSource(GENERAL)
  void eraseAndAddMatchesReference(ShapeCase c) {
    int b = c.batch(), n = c.slots(), w = c.wordSize(), wh = c.writeHeads();
    RandomTensors rnd = c.random("eraseAndAdd");
    float[] memory = rnd.memory(b, n, w), ww = rnd.subWeightings(b * wh, n), add = rnd.gaussian(b * wh * w, 1);
    Results r = crossRun("eraseAndAdd " + c, new int[][] {s(b, n, w), s(b, wh, n), s(b, wh, w), s(b, wh, w)},
        new float[][] {memory, ww, rnd.gates(b * wh * w), add},
        (k, t) -> k.eraseAndAdd(t[0], t[1], t[2], t[3]), 0);
    Compare.close("eraseAndAdd " + c, r.expected()[0], r.actual()[0],
        Tolerances.eraseAndAdd(memory, ww, add, b, n, w, wh), b, n, w);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(GENERAL)
  void readMatchesReference(ShapeCase c) {
    int b = c.batch(), n = c.slots(), w = c.wordSize(), rh = c.readHeads();
    RandomTensors rnd = c.random("read");
    float[] memory = rnd.memory(b, n, w), rw = rnd.subWeightings(b * rh, n);
    Results r = crossRun("read " + c, new int[][] {s(b, n, w), s(b, rh, n), s(b, rh, w)},
        new float[][] {memory, rw, null}, (k, t) -> k.read(t[0], t[1], t[2]), 2);
    Compare.close("read " + c, r.expected()[2], r.actual()[2], Tolerances.read(memory, rw, b, n, w, rh), b, rh, w);
  }
}
