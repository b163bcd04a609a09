package org.dnckernels.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.dnckernels.DncKernels;
import org.dnckernels.InterfaceValues;
import org.dnckernels.MemoryShape;
import org.dnckernels.Tensor;

/**
 * Properties of the reference over shapes and values that jqwik draws and shrinks (scalar only: jqwik's
 * lifecycle does not mix with the JUnit base class that other modules extend, which uses seeded cases instead).
 */
class ScalarKernelPropertiesTest {
  private static final DncKernels K = DncKernels.load("scalar");

  @Property(tries = 200)
  void contentWeightsAreAFiniteDistribution(
      @ForAll @IntRange(min = 1, max = 40) int n, @ForAll @IntRange(min = 1, max = 40) int w,
      @ForAll @FloatRange(min = 1, max = 1e30f) float beta, @ForAll long seed) {
    RandomTensors rnd = new RandomTensors(seed);
    Tensor out = K.allocate(1, 1, n);
    K.contentWeights(K.wrap(rnd.memory(1, n, w), 0, 1, n, w), K.wrap(rnd.keys(1, w), 0, 1, 1, w),
        K.wrap(new float[] {beta}, 0, 1, 1), out);
    double sum = 0;
    for (float v : out.toArray()) {
      assertTrue(v >= 0 && v <= 1, "weight " + v);
      sum += v;
    }
    assertEquals(1, sum, Tolerances.rowSum(n));
  }

  @Property(tries = 300)
  void allocationIsASubDistributionThatFavoursTheLeastUsed(
      @ForAll @Size(min = 1, max = 60) List<@FloatRange(min = 0, max = 1) Float> values) {
    float[] usage = floats(values);
    int n = usage.length;
    Tensor out = K.allocate(1, 1, n);
    Tensor u = K.wrap(usage.clone(), 0, 1, n);
    K.allocation(u, K.wrap(new float[] {1}, 0, 1, 1), K.wrap(new float[] {1}, 0, 1, 1), out);
    float[] a = out.toArray();
    double sum = 0;
    int least = 0;
    for (int i = 0; i < n; i++) {
      assertTrue(a[i] >= 0, "non-negative");
      sum += a[i];
      if (usage[i] < usage[least]) {
        least = i;
      }
    }
    assertTrue(sum <= 1 + Tolerances.rowSum(n), "sum " + sum);
    for (int i = 0; i < n; i++) {
      assertTrue(a[least] >= a[i], "the least used slot " + least + " gets the most: " + Arrays.toString(a));
    }
    assertTrue(Arrays.equals(usage, u.toArray()), "usage unchanged");
  }

  @Property(tries = 200)
  void usageStaysInTheUnitInterval(
      @ForAll @IntRange(min = 1, max = 50) int n, @ForAll @IntRange(min = 1, max = 4) int r,
      @ForAll @IntRange(min = 1, max = 3) int wh, @ForAll long seed) {
    RandomTensors rnd = new RandomTensors(seed);
    Tensor out = K.allocate(1, n);
    K.usage(K.wrap(rnd.gates(n), 0, 1, n), K.wrap(rnd.subWeightings(wh, n), 0, 1, wh, n),
        K.wrap(rnd.gates(r), 0, 1, r), K.wrap(rnd.subWeightings(r, n), 0, 1, r, n), out);
    for (float v : out.toArray()) {
      assertTrue(v >= 0 && v <= 1, "usage " + v);
    }
  }

  @Property(tries = 100)
  void linkHistoriesFromZeroStayValid(
      @ForAll @IntRange(min = 1, max = 24) int n, @ForAll @IntRange(min = 1, max = 10) int steps,
      @ForAll long seed) {
    RandomTensors rnd = new RandomTensors(seed);
    Tensor link = K.allocate(1, 1, n, n), prec = K.allocate(1, 1, n);
    for (int t = 0; t < steps; t++) {
      Tensor w = K.wrap(rnd.subWeightings(1, n), 0, 1, 1, n);
      K.linkUpdate(link, prec, w);
      K.precedence(prec, w);
    }
    float[] l = link.toArray();
    for (int i = 0; i < n; i++) {
      assertEquals(0f, l[i * n + i], 0f, "zero diagonal");
      double row = 0, col = 0;
      for (int j = 0; j < n; j++) {
        assertTrue(l[i * n + j] >= 0 && l[i * n + j] <= 1);
        row += l[i * n + j];
        col += l[j * n + i];
      }
      assertTrue(row <= 1 + Tolerances.rowSum(n) && col <= 1 + Tolerances.rowSum(n), "row/col sums");
    }
  }

  @Property(tries = 300)
  void shiftMovesAOneHot(
      @ForAll @IntRange(min = 1, max = 40) int n, @ForAll @IntRange(min = 0, max = 19) int k,
      @ForAll @IntRange(min = 0, max = 39) int from, @ForAll @IntRange(min = 0, max = 38) int offsetIndex) {
    k = Math.min(k, (n - 1) / 2);
    from %= n;
    int width = 2 * k + 1, d = offsetIndex % width - k;
    float[] w = new float[n];
    w[from] = 1;
    float[] s = new float[width];
    s[d + k] = 1;
    Tensor out = K.allocate(1, 1, n);
    K.ntmShift(K.wrap(w, 0, 1, 1, n), K.wrap(s, 0, 1, 1, width), out);
    float[] expected = new float[n];
    expected[Math.floorMod(from + d, n)] = 1;
    assertTrue(Arrays.equals(expected, out.toArray()), "moved by " + d);
  }

  @Property(tries = 200)
  void sharpeningKeepsTheOrderAndNormalises(
      @ForAll @Size(min = 1, max = 50) List<@FloatRange(min = 0, max = 1) Float> values,
      @ForAll @FloatRange(min = 1, max = 40) float gamma) {
    float[] weights = floats(values);
    int n = weights.length;
    Tensor out = K.allocate(1, 1, n);
    K.ntmSharpen(K.wrap(weights.clone(), 0, 1, 1, n), K.wrap(new float[] {gamma}, 0, 1, 1), out);
    float[] o = out.toArray();
    double sum = 0;
    for (int i = 0; i < n; i++) {
      assertTrue(Float.isFinite(o[i]) && o[i] >= 0, "finite, non-negative");
      sum += o[i];
      for (int j = 0; j < n; j++) {
        if (weights[i] > weights[j]) {
          assertTrue(o[i] >= o[j], "order kept");
        }
      }
    }
    assertEquals(1, sum, Tolerances.rowSum(n));
  }

  @Property(tries = 200)
  void interfaceActivationsStayInTheirRanges(
      @ForAll @Size(value = 1 * 2 + 3 + 5 * 2 + 3) List<Float> values) {
    float[] raw = floats(values);
    // W = 1, R = 2: 2 + 3 + 10 + 3 = 18 values, any float at all (jqwik includes extremes)
    MemoryShape shape = new MemoryShape(1, 1, 1, 2, 1);
    InterfaceValues out = K.newInterface(shape);
    K.interfaceSplit(K.wrap(raw.clone(), 0, 1, shape.interfaceSize()), out);
    InterfaceData d = InterfaceData.download(out);
    for (float[] s : new float[][] {d.readStrengths(), d.writeStrengths()}) {
      for (float v : s) {
        assertTrue(v >= 1 && !Float.isNaN(v), "oneplus " + v);
      }
    }
    for (float[] g : new float[][] {d.eraseVectors(), d.freeGates(), d.allocationGates(), d.writeGates()}) {
      for (float v : g) {
        assertTrue(v >= 0 && v <= 1, "sigmoid " + v);
      }
    }
    float[] m = d.readModes();
    for (int r = 0; r < 2; r++) {
      assertEquals(1, m[3 * r] + m[3 * r + 1] + m[3 * r + 2], Tolerances.softmax(3) * 3, "modes sum");
    }
  }

  private static float[] floats(List<Float> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }
}
