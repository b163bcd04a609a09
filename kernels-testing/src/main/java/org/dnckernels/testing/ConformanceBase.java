package org.dnckernels.testing;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dnckernels.DncKernels;
import org.dnckernels.InterfaceValues;
import org.dnckernels.MemoryShape;
import org.dnckernels.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the conformance suites every backend runs share (Lucene's {@code BaseVectorizationTestCase} pattern): the
 * backend under test (from {@link ConformanceBackend}), the scalar reference, the tensors of a test and the
 * helpers more than one family of tests uses. One abstract suite per kernel family extends it:
 *
 * <ul>
 *   <li>{@link ContentAddressingConformance}: content weights (golden vectors, zero rows and keys, huge
 *       strengths, equal rows, extreme magnitudes, against the reference);
 *   <li>{@link MemoryWriteReadConformance}: erase/add and read;
 *   <li>{@link AllocationConformance}: usage, allocation and write weights (bounds, order and ties);
 *   <li>{@link TemporalLinkageConformance}: precedence, link update, forward/backward weightings and the fused
 *       link pass (link validity, one-hot transitions);
 *   <li>{@link ReadModesConformance}: the read modes and their mix;
 *   <li>{@link NtmAddressingConformance}: NTM interpolation, shift and sharpen;
 *   <li>{@link InterfaceSplitConformance}: the interface layout and its activations;
 *   <li>{@link MemoryStepConformance}: five steps against the kernels called one by one and against the
 *       reference, ties over steps, huge write vectors, a long run, the memory step's records;
 *   <li>{@link ArgumentConformance}: tensors, bad inputs (null, wrong rank, wrong size, foreign tensors and
 *       forbidden aliases for every argument of every kernel, with the message naming the argument and nothing
 *       written), allowed aliases, and the backend {@code auto} chooses.
 * </ul>
 *
 * Cross-checks compare every kernel with the scalar reference over sizes with vector tails, with the bounds of
 * {@link Tolerances} (skipped, with a reason, when the backend under test is the scalar reference).
 *
 * <p>Inputs reach every backend through {@link DncKernels#upload} and results come back through
 * {@link Tensor#toArray}, so the suites run unchanged on device backends; only the tests of overlapping views
 * need {@link DncKernels#canWrap} and are skipped without it. Tensors made by a test are closed after it.
 *
 * <p>A backend's test class names its backend once, in an interface extending {@link ConformanceBackend}, and
 * runs every family with one nested class each:
 *
 * <pre>
 *   class SimdConformanceTest {
 *     private static final DncKernels SIMD = DncKernels.load("simd");
 *
 *     interface Backend extends ConformanceBackend {
 *       &#64;Override default DncKernels backend() { return SIMD; }
 *     }
 *
 *     &#64;Nested class ContentAddressing extends ContentAddressingConformance implements Backend {}
 *     &#64;Nested class MemoryWriteRead extends MemoryWriteReadConformance implements Backend {}
 *     // ... one line for each family above
 *   }
 * </pre>
 *
 * Run with {@code -Ddnc.kernels.expected=simd} to also fail when {@code auto} would not pick that backend, and
 * with {@code -Ddnc.kernels.tolerance.report=true} to print how much of each bound the backend uses.
 */
public abstract class ConformanceBase implements ConformanceBackend {
  static final String GENERAL = "org.dnckernels.testing.ShapeCase#general";

  /** The backend under test, set before every test (the families call it directly). */
  DncKernels kernels;

  private final List<AutoCloseable> made = new ArrayList<>();

  /** The default {@link ConformanceBackend#reference()}. */
  static final class ReferenceHolder {
    static final DncKernels SCALAR = DncKernels.load("scalar");
  }

  @BeforeEach
  final void openBackend() {
    kernels = backend();
    assertNotNull(kernels, "backend() returned null");
  }

  @AfterEach
  final void closeTensors() throws Exception {
    for (AutoCloseable c : made) {
      c.close();
    }
    made.clear();
  }

  /** The backend under test (for subclasses' own tests). */
  protected final DncKernels kernels() {
    return kernels;
  }

  /** Skips a cross-check when the backend under test is the reference itself: it would compare with itself. */
  protected final void assumeNotReference() {
    DncKernels ref = reference();
    assumeFalse(kernels.getClass() == ref.getClass(),
        () -> "backend under test (" + kernels.getClass().getName() + ") is the reference: nothing to cross-check");
  }

  // ---------------------------------------------------------------------------------------------------------
  // tensors

  /** A new tensor of {@code on} holding {@code data}; closed after the test. */
  protected final Tensor upload(DncKernels on, float[] data, int... shape) {
    return own(on.upload(data, 0, shape));
  }

  /** A new tensor of the backend under test holding {@code data}. */
  protected final Tensor upload(float[] data, int... shape) {
    return upload(kernels, data, shape);
  }

  /** A new tensor of {@code on} with every element {@code value}. */
  protected final Tensor filled(DncKernels on, float value, int... shape) {
    Tensor t = own(on.allocate(shape));
    t.fill(value);
    return t;
  }

  <T extends AutoCloseable> T own(T t) {
    made.add(t);
    return t;
  }

  static int[] s(int... dims) {
    return dims;
  }

  static float[] f(float... values) {
    return values;
  }

  /** One kernel call on tensors of one backend. */
  @FunctionalInterface
  protected interface Call {
    void run(DncKernels k, Tensor[] t);
  }

  /** Final contents of every tensor of a call on the reference ({@code expected}) and on the backend. */
  protected record Results(float[][] expected, float[][] actual) {}

  /**
   * Uploads {@code data} (null entries: outputs, filled with NaN so that an element left unwritten shows) to
   * {@code on}, runs the call and returns every tensor's final contents.
   */
  protected final float[][] run(DncKernels on, int[][] shapes, float[][] data, Call call) {
    Tensor[] t = new Tensor[shapes.length];
    for (int i = 0; i < t.length; i++) {
      t[i] = data[i] == null ? filled(on, Float.NaN, shapes[i]) : upload(on, data[i], shapes[i]);
    }
    call.run(on, t);
    float[][] out = new float[t.length][];
    for (int i = 0; i < t.length; i++) {
      out[i] = t[i].toArray();
    }
    return out;
  }

  /**
   * The same call on the reference and on the backend under test; inputs not in {@code written} must come back
   * unchanged from the backend under test.
   */
  protected final Results crossRun(String what, int[][] shapes, float[][] data, Call call, int... written) {
    assumeNotReference();
    float[][] expected = run(reference(), shapes, data, call);
    float[][] actual = run(kernels, shapes, data, call);
    for (int i = 0; i < data.length; i++) {
      final int arg = i;
      if (data[i] != null && Arrays.stream(written).noneMatch(w -> w == arg)) {
        Compare.exact(what + ": input " + i + " must not be modified", data[i], actual[i], shapes[i]);
      }
    }
    return new Results(expected, actual);
  }

  // ---------------------------------------------------------------------------------------------------------
  // helpers of more than one family

  static double[] constant(int n, double value) {
    double[] d = new double[n];
    Arrays.fill(d, value);
    return d;
  }

  InterfaceValues splitOnBackend(float[] raw, int b, int r, int w) {
    MemoryShape shape = new MemoryShape(b, 1, w, r, 1);
    InterfaceValues out = own(kernels.newInterface(shape));
    kernels.interfaceSplit(upload(raw, b, shape.interfaceSize()), out);
    return out;
  }

  static void assertRowSums(float[] x, int rows, int n, double min, double max, String what) {
    double slack = Tolerances.rowSum(n);
    for (int row = 0; row < rows; row++) {
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += x[row * n + i];
      }
      if (!(sum >= min - slack && sum <= max + slack)) {
        fail(what + ": row " + row + " sums to " + sum + ", expected within [" + min + ", " + max + "] ± " + slack);
      }
    }
  }

  static void assertNonNegative(float[] x, String what) {
    for (int i = 0; i < x.length; i++) {
      if (!(x[i] >= 0)) {
        fail(what + ": element " + i + " is " + x[i] + ", expected ≥ 0");
      }
    }
  }

  static int argMax(float[] x, int from, int n) {
    int best = from;
    for (int i = from + 1; i < from + n; i++) {
      if (x[i] > x[best]) {
        best = i;
      }
    }
    return best - from;
  }

  static void assertZeroDiagonal(float[] link, int matrices, int n, String what) {
    for (int m = 0; m < matrices; m++) {
      for (int i = 0; i < n; i++) {
        float v = link[(m * n + i) * n + i];
        if (v != 0f) {
          fail(what + ": diagonal of matrix " + m + " at " + i + " is " + v + ", must be exactly 0");
        }
      }
    }
  }

  static void assertRowsTied(String what, float[] x, int rows, int n) {
    for (int row = 0; row < rows; row++) {
      for (int i = 1; i < n; i++) {
        if (Float.floatToRawIntBits(x[row * n + i]) != Float.floatToRawIntBits(x[row * n])) {
          fail(what + ": row " + row + ", slot " + i + " is " + x[row * n + i] + " but slot 0 is " + x[row * n]
              + " (same inputs)");
        }
      }
    }
  }
}
