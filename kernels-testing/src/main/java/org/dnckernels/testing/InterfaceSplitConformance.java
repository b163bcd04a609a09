package org.dnckernels.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dnckernels.DncKernels;
import org.dnckernels.InterfaceValues;
import org.dnckernels.MemoryShape;
import org.dnckernels.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conformance of {@code interfaceSplit}: every field where the layout says, finite activations of
 * extreme inputs, and the reference.
 */
public abstract class InterfaceSplitConformance extends ConformanceBase {
  private static final String INTERFACE = "org.dnckernels.testing.ShapeCase#interfaceSplit";

  // =========================================================================================================
  // properties

  @Test
  void interfaceSplitOfExtremesIsFinite() {
    int b = 1, r = 2, w = 3;
    int size = w * r + 3 * w + 5 * r + 3;
    float[] raw = new float[size];
    for (int i = 0; i < size; i++) {
      raw[i] = (i % 2 == 0) ? 1000f : -1000f;
    }
    InterfaceValues out = splitOnBackend(raw, b, r, w);
    InterfaceData d = InterfaceData.download(out);
    for (float[] x : new float[][] {d.readStrengths(), d.writeStrengths()}) {
      for (float v : x) {
        assertTrue(Float.isFinite(v), "oneplus must not overflow: " + v);
        float expected = v > 500 ? 1001f : 1f; // oneplus(1000) = 1001, oneplus(−1000) = 1
        assertEquals(expected, v, Tolerances.oneplus(expected), "oneplus(±1000)");
      }
    }
    for (float[] x : new float[][] {d.eraseVectors(), d.freeGates(), d.allocationGates(), d.writeGates()}) {
      for (float v : x) {
        assertTrue(v >= 0 && v <= 1, "sigmoid(±1000) outside [0,1]: " + v);
        assertTrue(v <= Tolerances.sigmoid(0) || v >= 1 - Tolerances.sigmoid(1), "sigmoid(±1000) is 0 or 1: " + v);
      }
    }
    Compare.finite("read modes", d.readModes(), b, r, 3);
    assertRowSums(d.readModes(), b * r, 3, 1, 1, "read modes of ±1000");
  }

  @Test
  void interfaceSplitPutsEveryFieldWhereTheLayoutSays() {
    int b = 2, r = 2, w = 3;
    int size = w * r + 3 * w + 5 * r + 3;
    float[] raw = new float[b * size];
    for (int bi = 0; bi < b; bi++) {
      for (int i = 0; i < size; i++) {
        // distinct markers in (−2, 2): every activation is strictly monotone there, so a field read from the
        // wrong offset gives a visibly different value
        raw[bi * size + i] = (float) (-2 + 4 * (i + 0.5) / size + 0.013 * bi);
      }
    }
    InterfaceData d = InterfaceData.download(splitOnBackend(raw, b, r, w));
    // offsets of the seed's layout
    int kr = 0, br = r * w, kw = br + r, bw = kw + w, e = bw + 1, v = e + w, fr = v + w, ga = fr + r, gw = ga + 1,
        pi = gw + 1;
    assertEquals(size, pi + 3 * r, "layout length");
    for (int bi = 0; bi < b; bi++) {
      int o = bi * size;
      for (int i = 0; i < r * w; i++) {
        assertEquals(raw[o + kr + i], d.readKeys()[bi * r * w + i], 0f, "read key " + i + " copied");
      }
      for (int i = 0; i < w; i++) {
        assertEquals(raw[o + kw + i], d.writeKeys()[bi * w + i], 0f, "write key " + i + " copied");
        assertEquals(raw[o + v + i], d.writeVectors()[bi * w + i], 0f, "write vector " + i + " copied");
        assertActivation(sigmoid(raw[o + e + i]), d.eraseVectors()[bi * w + i], "erase " + i);
      }
      for (int i = 0; i < r; i++) {
        assertActivation(oneplus(raw[o + br + i]), d.readStrengths()[bi * r + i], "read strength " + i);
        assertActivation(sigmoid(raw[o + fr + i]), d.freeGates()[bi * r + i], "free gate " + i);
        double[] sm = softmax(raw, o + pi + 3 * i, 3);
        for (int m = 0; m < 3; m++) {
          assertActivation(sm[m], d.readModes()[(bi * r + i) * 3 + m], "read mode " + m + " of head " + i);
        }
      }
      assertActivation(oneplus(raw[o + bw]), d.writeStrengths()[bi], "write strength");
      assertActivation(sigmoid(raw[o + ga]), d.allocationGates()[bi], "allocation gate");
      assertActivation(sigmoid(raw[o + gw]), d.writeGates()[bi], "write gate");
    }
  }

  private static void assertActivation(double expected, float actual, String what) {
    assertEquals(expected, actual, 1e-6 * Math.max(1, Math.abs(expected)), what + " at the wrong offset or wrong");
  }

  private static double oneplus(double x) {
    return 1 + Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  private static double[] softmax(float[] x, int from, int width) {
    double max = Double.NEGATIVE_INFINITY, sum = 0;
    for (int i = 0; i < width; i++) {
      max = Math.max(max, x[from + i]);
    }
    double[] e = new double[width];
    for (int i = 0; i < width; i++) {
      e[i] = Math.exp(x[from + i] - max);
      sum += e[i];
    }
    for (int i = 0; i < width; i++) {
      e[i] /= sum;
    }
    return e;
  }

  // =========================================================================================================
  // cross-checks against the scalar reference

  @ParameterizedTest(name = "{0}")
  @MethodSource(INTERFACE)
  void interfaceSplitMatchesReference(ShapeCase c) {
    assumeNotReference();
    int b = c.batch(), w = c.wordSize(), r = c.readHeads();
    MemoryShape shape = new MemoryShape(b, 1, w, r, 1);
    float[] raw = c.random("interfaceSplit").rawInterface(b, r, w);
    InterfaceData expected = split(reference(), raw, shape), actual = split(kernels, raw, shape);
    String what = "interfaceSplit " + c;
    Compare.exact(what + " readKeys", expected.readKeys(), actual.readKeys(), b, r, w);
    Compare.exact(what + " writeKeys", expected.writeKeys(), actual.writeKeys(), b, 1, w);
    Compare.exact(what + " writeVectors", expected.writeVectors(), actual.writeVectors(), b, 1, w);
    Compare.close(what + " readStrengths", expected.readStrengths(), actual.readStrengths(),
        map(expected.readStrengths(), Tolerances::oneplus), b, r);
    Compare.close(what + " writeStrengths", expected.writeStrengths(), actual.writeStrengths(),
        map(expected.writeStrengths(), Tolerances::oneplus), b, 1);
    Compare.close(what + " eraseVectors", expected.eraseVectors(), actual.eraseVectors(),
        map(expected.eraseVectors(), Tolerances::sigmoid), b, 1, w);
    Compare.close(what + " freeGates", expected.freeGates(), actual.freeGates(),
        map(expected.freeGates(), Tolerances::sigmoid), b, r);
    Compare.close(what + " allocationGates", expected.allocationGates(), actual.allocationGates(),
        map(expected.allocationGates(), Tolerances::sigmoid), b, 1);
    Compare.close(what + " writeGates", expected.writeGates(), actual.writeGates(),
        map(expected.writeGates(), Tolerances::sigmoid), b, 1);
    Compare.close(what + " readModes", expected.readModes(), actual.readModes(),
        constant(b * r * 3, Tolerances.softmax(3)), b, r, 3);
  }

  private InterfaceData split(DncKernels on, float[] raw, MemoryShape shape) {
    InterfaceValues out = own(on.newInterface(shape));
    // pre-fill with NaN: an element left unwritten shows
    for (Tensor t : new Tensor[] {out.readKeys(), out.readStrengths(), out.writeKeys(), out.writeStrengths(),
        out.eraseVectors(), out.writeVectors(), out.freeGates(), out.allocationGates(), out.writeGates(),
        out.readModes()}) {
      t.fill(Float.NaN);
    }
    on.interfaceSplit(upload(on, raw, shape.batch(), shape.interfaceSize()), out);
    return InterfaceData.download(out);
  }

  private static double[] map(float[] x, java.util.function.DoubleUnaryOperator f) {
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = f.applyAsDouble(x[i]);
    }
    return out;
  }
}
