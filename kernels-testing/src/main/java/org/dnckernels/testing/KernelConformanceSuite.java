package org.dnckernels.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.dnckernels.DncKernels;
import org.dnckernels.InterfaceValues;
import org.dnckernels.MemoryShape;
import org.dnckernels.MemoryState;
import org.dnckernels.Tensor;
import org.dnckernels.Workspace;
import org.dnckernels.testing.KernelSignatures.Expected;
import org.dnckernels.testing.KernelSignatures.Signature;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The conformance suite every backend runs (Lucene's {@code BaseVectorizationTestCase} pattern): extend it,
 * return the backend under test from {@link #backend()}, and every test below runs on it.
 *
 * <ul>
 *   <li>golden vectors: the seed's printed examples (read, erase/add, content weights, allocation);
 *   <li>properties: what DeepMind's own tests check (finite weights for zero rows and huge strengths, row sums,
 *       usage bounds, allocation order and ties, link validity, one-hot transitions, NTM shift and sharpen,
 *       the interface layout);
 *   <li>cross-checks: every kernel against the scalar reference over sizes with vector tails, with the bounds of
 *       {@link Tolerances} (skipped, with a reason, when the backend under test is the scalar reference);
 *   <li>bad inputs: null, wrong rank, wrong size, foreign tensors and forbidden aliases for every argument of
 *       every kernel, with the message naming the argument and nothing written;
 *   <li>the memory step: five steps against the kernels called one by one, and against the reference.
 * </ul>
 *
 * Inputs reach every backend through {@link DncKernels#upload} and results come back through
 * {@link Tensor#toArray}, so the suite runs unchanged on device backends; only the tests of overlapping views
 * need {@link DncKernels#canWrap} and are skipped without it. Tensors made by a test are closed after it.
 *
 * <pre>
 *   class SimdConformanceTest extends KernelConformanceSuite {
 *     private static final DncKernels SIMD = DncKernels.load("simd");
 *     &#64;Override protected DncKernels backend() { return SIMD; }
 *   }
 * </pre>
 *
 * Run with {@code -Ddnc.kernels.expected=simd} to also fail when {@code auto} would not pick that backend, and
 * with {@code -Ddnc.kernels.tolerance.report=true} to print how much of each bound the backend uses.
 */
public abstract class KernelConformanceSuite {
  private static final String GENERAL = "org.dnckernels.testing.ShapeCase#general";
  private static final String LINK = "org.dnckernels.testing.ShapeCase#link";
  private static final String MANY_HEADS = "org.dnckernels.testing.ShapeCase#manyHeads";
  private static final String INTERFACE = "org.dnckernels.testing.ShapeCase#interfaceSplit";
  private static final String STEP = "org.dnckernels.testing.ShapeCase#memoryStep";
  private static final int STEPS = 5;
  private static final float EPS = DncKernels.EPSILON;
  /** System property naming the backend {@code auto} must choose in this run (unset: not checked). */
  public static final String EXPECTED_BACKEND_PROPERTY = "dnc.kernels.expected";

  private DncKernels kernels;
  private final List<AutoCloseable> made = new ArrayList<>();

  /**
   * The backend under test. Called before every test; it may return a shared instance (the suite never closes
   * it).
   */
  protected abstract DncKernels backend();

  /** The reference the cross-checks compare with: the scalar backend. */
  protected DncKernels reference() {
    return ReferenceHolder.SCALAR;
  }

  private static final class ReferenceHolder {
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

  private <T extends AutoCloseable> T own(T t) {
    made.add(t);
    return t;
  }

  private static int[] s(int... dims) {
    return dims;
  }

  private static float[] f(float... values) {
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

  // =========================================================================================================
  // backend choice (jvector's "expected provider" test)

  /**
   * With {@code -Ddnc.kernels.expected=NAME} (set by a module's surefire run, e.g. {@code simd} when the run adds
   * {@code --add-modules jdk.incubator.vector}, {@code scalar} when it does not), {@code auto} must choose that
   * backend, so a faster backend can never silently degrade to a slower one.
   */
  @Test
  void autoChoosesTheExpectedBackend() {
    String expected = System.getProperty(EXPECTED_BACKEND_PROPERTY);
    assumeTrue(expected != null && !expected.isBlank(),
        () -> "-D" + EXPECTED_BACKEND_PROPERTY + " is not set: no expectation to check");
    assertEquals(expected.trim(), DncKernels.load("auto").name(),
        () -> "auto chose another backend than expected; found: " + DncKernels.backends());
  }

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

  @ParameterizedTest(name = "beta={0}")
  @MethodSource("org.dnckernels.testing.KernelConformanceSuite#goldenContentCases")
  void goldenContentWeights(float beta, float[] expected) {
    Tensor m = upload(f(-0.5f, 0.01f, 3.1f, 0.2f, 0.6f, 1.2f), 1, 2, 3);
    Tensor k = upload(f(0.3f, 0.5f, 1f), 1, 1, 3);
    Tensor out = filled(kernels, Float.NaN, 1, 1, 2);
    kernels.contentWeights(m, k, upload(f(beta), 1, 1), out);
    Compare.close("content weights, beta " + beta, expected, out.toArray(), constant(2, Tolerances.GOLDEN_CONTENT),
        1, 1, 2);
  }

  static List<Object[]> goldenContentCases() {
    return List.of(
        new Object[] {1f, f(0.454987593255f, 0.545012406745f)},
        new Object[] {10f, f(0.141196927269f, 0.858803072731f)});
  }

  @Test
  void goldenAllocation() {
    // both seed examples in one batch of two
    Tensor u = upload(f(1, 0, 0.8f, 0.4f, 0.4f, 0.6f, 0.2f, 0.5f), 2, 4);
    Tensor out = filled(kernels, Float.NaN, 2, 1, 4);
    kernels.allocation(u, upload(f(1, 1), 2, 1), upload(f(1, 1), 2, 1), out);
    Compare.close("allocation of the seed's usages", f(0, 1, 0, 0, 0.12f, 0.016f, 0.8f, 0.04f), out.toArray(),
        constant(8, Tolerances.GOLDEN_ALLOCATION), 2, 1, 4);
  }

  private static double[] constant(int n, double value) {
    double[] d = new double[n];
    Arrays.fill(d, value);
    return d;
  }

  // =========================================================================================================
  // properties

  @Test
  void contentWeightsOfZeroRowsAndZeroKeysAreFiniteAndUniform() {
    int b = 2, n = 17, w = 16, h = 3;
    RandomTensors rnd = new RandomTensors(11);
    float[] memory = rnd.gaussian(b * n * w, 1);
    Arrays.fill(memory, 0, n * w, 0f); // batch 0: all rows zero
    for (int row : new int[] {0, 5, 16}) {
      Arrays.fill(memory, (n + row) * w, (n + row + 1) * w, 0f);
    }
    float[] keys = rnd.gaussian(b * h * w, 1);
    Arrays.fill(keys, w, 2 * w, 0f); // head 1 of batch 0: zero key
    Arrays.fill(keys, (h + 1) * w, (h + 2) * w, 0f); // head 1 of batch 1: zero key
    float[] strengths = {1, 10, 1e30f, 1, 10, 1e30f};
    Tensor out = filled(kernels, Float.NaN, b, h, n);
    kernels.contentWeights(upload(memory, b, n, w), upload(keys, b, h, w), upload(strengths, b, h), out);
    float[] o = out.toArray();
    Compare.finite("content weights with zero rows", o, b, h, n);
    assertRowSums(o, b * h, n, 1, 1, "content weights");
    // all cosines 0 (zero memory, or a zero key): uniform
    for (int bh : new int[] {0, 1, 2, 4}) {
      for (int i = 0; i < n; i++) {
        assertEquals(1.0 / n, o[bh * n + i], Tolerances.ulps(2) / n, "uniform weight at row " + bh + " slot " + i);
      }
    }
  }

  @Test
  void contentWeightsWithHugeStrengthAreAnExactOneHot() {
    int n = 17, w = 16;
    float[] memory = new RandomTensors(12).gaussian(n * w, 1);
    float[] keys = new float[2 * w];
    for (int j = 0; j < w; j++) {
      keys[j] = 3 * memory[5 * w + j];
      keys[w + j] = memory[11 * w + j];
    }
    Tensor out = filled(kernels, Float.NaN, 1, 2, n);
    kernels.contentWeights(upload(memory, 1, n, w), upload(keys, 1, 2, w), upload(f(1e30f, 1e30f), 1, 2), out);
    float[] expected = new float[2 * n];
    expected[5] = 1;
    expected[n + 11] = 1;
    Compare.exact("content weights with beta 1e30", expected, out.toArray(), 1, 2, n);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({GENERAL, MANY_HEADS})
  void contentWeightsSumToOne(ShapeCase c) {
    int b = c.batch(), n = c.slots(), w = c.wordSize(), h = c.readHeads();
    RandomTensors rnd = c.random("contentSum");
    Tensor out = filled(kernels, Float.NaN, b, h, n);
    kernels.contentWeights(upload(rnd.memory(b, n, w), b, n, w), upload(rnd.keys(b * h, w), b, h, w),
        upload(rnd.strengths(b * h), b, h), out);
    float[] o = out.toArray();
    Compare.finite("content weights", o, b, h, n);
    assertNonNegative(o, "content weights");
    assertRowSums(o, b * h, n, 1, 1, "content weights");
  }

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

  @ParameterizedTest(name = "fused={0}")
  @MethodSource("org.dnckernels.testing.KernelConformanceSuite#booleans")
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
  @MethodSource("org.dnckernels.testing.KernelConformanceSuite#booleans")
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

  @ParameterizedTest(name = "N={0}")
  @MethodSource("org.dnckernels.testing.KernelConformanceSuite#shiftSizes")
  void ntmShiftMovesAOneHotAndWrapsAround(int n) {
    int maxK = (n - 1) / 2;
    for (int k : new int[] {0, Math.min(1, maxK), maxK}) {
      int width = 2 * k + 1;
      for (int from : new int[] {0, n / 2, n - 1}) {
        for (int d = -k; d <= k; d++) {
          float[] w = new float[n];
          w[from] = 1;
          float[] sh = new float[width];
          sh[d + k] = 1;
          Tensor out = filled(kernels, Float.NaN, 1, 1, n);
          kernels.ntmShift(upload(w, 1, 1, n), upload(sh, 1, 1, width), out);
          float[] expected = new float[n];
          expected[Math.floorMod(from + d, n)] = 1;
          Compare.exact("one-hot at " + from + " shifted by " + d + " (k=" + k + ")", expected, out.toArray(), 1, 1, n);
        }
      }
    }
  }

  static List<Integer> shiftSizes() {
    return List.of(1, 3, 16, 17);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(GENERAL)
  void ntmSharpenWithGammaOneIsTheIdentity(ShapeCase c) {
    int b = c.batch(), h = c.readHeads(), n = c.slots();
    float[] w = c.random("sharpenIdentity").weightings(b * h, n);
    float[] gamma = new float[b * h];
    Arrays.fill(gamma, 1f);
    Tensor out = filled(kernels, Float.NaN, b, h, n);
    kernels.ntmSharpen(upload(w, b, h, n), upload(gamma, b, h), out);
    double[] bound = Tolerances.ntmSharpen(w, gamma, w, b * h, n);
    for (int i = 0; i < bound.length; i++) {
      bound[i] += Tolerances.rowSum(n) * w[i]; // the row sums to 1 only up to its rounding
    }
    Compare.close("sharpen with gamma 1", w, out.toArray(), bound, b, h, n);
  }

  @Test
  void ntmSharpenOfAZeroRowIsUniformAndTinyWeightsDoNotUnderflow() {
    int n = 17;
    float[] w = new float[4 * n];
    // rows 0, 1: all zero; rows 2, 3: tiny weights that a plain Σ w^γ would flush to 0
    for (int i = 0; i < n; i++) {
      w[2 * n + i] = 1e-30f * (1 + i % 3);
      w[3 * n + i] = i == 4 ? 6e-38f : 2e-38f; // normal floats: a device that flushes subnormals still passes
    }
    float[] gamma = {1, 20, 20, 3};
    Tensor out = filled(kernels, Float.NaN, 2, 2, n);
    kernels.ntmSharpen(upload(w, 2, 2, n), upload(gamma, 2, 2), out);
    float[] o = out.toArray();
    Compare.finite("sharpen", o, 2, 2, n);
    for (int i = 0; i < 2 * n; i++) {
      assertEquals(1.0 / n, o[i], Tolerances.ulps(2) / n, "a zero row sharpens to 1/N");
    }
    assertRowSums(Arrays.copyOfRange(o, 2 * n, 4 * n), 2, n, 1, 1, "sharpened tiny weights");
    double third = Math.pow(1.0 / 3, 20), twoThirds = Math.pow(2.0 / 3, 20);
    double sum = 5 + 6 * twoThirds + 6 * third; // slots with i%3==2: 1, ==1: 2/3, ==0: 1/3 → counts 5, 6, 6
    assertEquals(1 / sum, o[2 * n + 2], Tolerances.ulps(2 * n + 60) / sum, "largest tiny weight");
    assertEquals(1 / (1 + 16 * Math.pow(1.0 / 3, 3)), o[3 * n + 4], Tolerances.ulps(2 * n + 20), "near-subnormal");
  }

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

  private InterfaceValues splitOnBackend(float[] raw, int b, int r, int w) {
    MemoryShape shape = new MemoryShape(b, 1, w, r, 1);
    InterfaceValues out = own(kernels.newInterface(shape));
    kernels.interfaceSplit(upload(raw, b, shape.interfaceSize()), out);
    return out;
  }

  // --- property helpers

  private static void assertRowSums(float[] x, int rows, int n, double min, double max, String what) {
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

  private static void assertNonNegative(float[] x, String what) {
    for (int i = 0; i < x.length; i++) {
      if (!(x[i] >= 0)) {
        fail(what + ": element " + i + " is " + x[i] + ", expected ≥ 0");
      }
    }
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

  private static int argMax(float[] x, int from, int n) {
    int best = from;
    for (int i = from + 1; i < from + n; i++) {
      if (x[i] > x[best]) {
        best = i;
      }
    }
    return best - from;
  }

  // --- allowed aliases: in place equals out of place

  @Test
  void inPlaceCallsEqualOutOfPlaceCalls() {
    int b = 2, h = 3, n = 33, r = 2;
    RandomTensors rnd = new RandomTensors(21);
    float[] u = rnd.gates(b * n), ww = rnd.subWeightings(b * h, n), fg = rnd.gates(b * r),
        rw = rnd.subWeightings(b * r, n);
    float[] usageOut = runTo(s(b, n), t -> kernels.usage(upload(u, b, n), upload(ww, b, h, n), upload(fg, b, r),
        upload(rw, b, r, n), t));
    Tensor inPlace = upload(u, b, n);
    kernels.usage(inPlace, upload(ww, b, h, n), upload(fg, b, r), upload(rw, b, r, n), inPlace);
    Compare.exact("usage in place", usageOut, inPlace.toArray(), b, n);

    float[] a = rnd.subWeightings(b * h, n), c = rnd.weightings(b * h, n), gw = rnd.gates(b * h),
        ga = rnd.gates(b * h);
    float[] wwOut = runTo(s(b, h, n), t -> kernels.writeWeights(upload(a, b, h, n), upload(c, b, h, n),
        upload(gw, b, h), upload(ga, b, h), t));
    Tensor ta = upload(a, b, h, n);
    kernels.writeWeights(ta, upload(c, b, h, n), upload(gw, b, h), upload(ga, b, h), ta);
    Compare.exact("write weights in place of allocation", wwOut, ta.toArray(), b, h, n);
    Tensor tc = upload(c, b, h, n);
    kernels.writeWeights(upload(a, b, h, n), tc, upload(gw, b, h), upload(ga, b, h), tc);
    Compare.exact("write weights in place of content", wwOut, tc.toArray(), b, h, n);

    float[] g = rnd.gates(b * h);
    float[] interp = runTo(s(b, h, n), t -> kernels.ntmInterpolate(upload(c, b, h, n), upload(a, b, h, n),
        upload(g, b, h), t));
    Tensor ic = upload(c, b, h, n);
    kernels.ntmInterpolate(ic, upload(a, b, h, n), upload(g, b, h), ic);
    Compare.exact("interpolation in place of content", interp, ic.toArray(), b, h, n);
    Tensor ip = upload(a, b, h, n);
    kernels.ntmInterpolate(upload(c, b, h, n), ip, upload(g, b, h), ip);
    Compare.exact("interpolation in place of previous", interp, ip.toArray(), b, h, n);

    float[] sw = rnd.ntmWeights(b * h, n), gamma = rnd.gammas(b * h);
    float[] sharp = runTo(s(b, h, n), t -> kernels.ntmSharpen(upload(sw, b, h, n), upload(gamma, b, h), t));
    Tensor is = upload(sw, b, h, n);
    kernels.ntmSharpen(is, upload(gamma, b, h), is);
    Compare.exact("sharpen in place", sharp, is.toArray(), b, h, n);
  }

  private float[] runTo(int[] shape, java.util.function.Consumer<Tensor> call) {
    Tensor out = filled(kernels, Float.NaN, shape);
    call.accept(out);
    return out.toArray();
  }

  // =========================================================================================================
  // cross-checks against the scalar reference

  @ParameterizedTest(name = "{0}")
  @MethodSource({GENERAL, MANY_HEADS})
  void contentWeightsMatchReference(ShapeCase c) {
    int b = c.batch(), n = c.slots(), w = c.wordSize(), h = c.readHeads();
    RandomTensors rnd = c.random("contentWeights");
    float[] strengths = rnd.strengths(b * h);
    Results r = crossRun("contentWeights " + c, new int[][] {s(b, n, w), s(b, h, w), s(b, h), s(b, h, n)},
        new float[][] {rnd.memory(b, n, w), rnd.keys(b * h, w), strengths, null},
        (k, t) -> k.contentWeights(t[0], t[1], t[2], t[3]), 3);
    Compare.close("contentWeights " + c, r.expected()[3], r.actual()[3],
        Tolerances.contentWeights(strengths, r.expected()[3], b, h, n, w), b, h, n);
  }

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

  private static void assertZeroDiagonal(float[] link, int matrices, int n, String what) {
    for (int m = 0; m < matrices; m++) {
      for (int i = 0; i < n; i++) {
        float v = link[(m * n + i) * n + i];
        if (v != 0f) {
          fail(what + ": diagonal of matrix " + m + " at " + i + " is " + v + ", must be exactly 0");
        }
      }
    }
  }

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

  @ParameterizedTest(name = "{0}")
  @MethodSource(GENERAL)
  void ntmInterpolateMatchesReference(ShapeCase c) {
    int b = c.batch(), n = c.slots(), h = c.readHeads();
    RandomTensors rnd = c.random("ntmInterpolate");
    float[] cw = rnd.weightings(b * h, n), prev = rnd.weightings(b * h, n);
    Results r = crossRun("ntmInterpolate " + c, new int[][] {s(b, h, n), s(b, h, n), s(b, h), s(b, h, n)},
        new float[][] {cw, prev, rnd.gates(b * h), null}, (k, t) -> k.ntmInterpolate(t[0], t[1], t[2], t[3]), 3);
    Compare.close("ntmInterpolate " + c, r.expected()[3], r.actual()[3], Tolerances.ntmInterpolate(cw, prev), b, h, n);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(GENERAL)
  void ntmShiftMatchesReference(ShapeCase c) {
    int b = c.batch(), n = c.slots(), h = c.readHeads();
    RandomTensors rnd = c.random("ntmShift");
    int maxK = (n - 1) / 2;
    int k = c.seed() % 3 == 0 ? maxK : Math.min(maxK, 1 + rnd.nextInt(3));
    int width = 2 * k + 1;
    float[] w = rnd.weightings(b * h, n), shift = rnd.shifts(b * h, width);
    Results r = crossRun("ntmShift " + c + " k=" + k, new int[][] {s(b, h, n), s(b, h, width), s(b, h, n)},
        new float[][] {w, shift, null}, (kk, t) -> kk.ntmShift(t[0], t[1], t[2]), 2);
    Compare.close("ntmShift " + c + " k=" + k, r.expected()[2], r.actual()[2],
        Tolerances.ntmShift(w, shift, b * h, n, width), b, h, n);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(GENERAL)
  void ntmSharpenMatchesReference(ShapeCase c) {
    int b = c.batch(), n = c.slots(), h = c.readHeads();
    RandomTensors rnd = c.random("ntmSharpen");
    float[] w = rnd.ntmWeights(b * h, n), gamma = rnd.gammas(b * h);
    Results r = crossRun("ntmSharpen " + c, new int[][] {s(b, h, n), s(b, h), s(b, h, n)},
        new float[][] {w, gamma, null}, (k, t) -> k.ntmSharpen(t[0], t[1], t[2]), 2);
    Compare.close("ntmSharpen " + c, r.expected()[2], r.actual()[2],
        Tolerances.ntmSharpen(w, gamma, r.expected()[2], b * h, n), b, h, n);
  }

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

  // =========================================================================================================
  // memory step

  // The allocation sorts slots by usage, and its result jumps at ties: two slots one ulp apart swap places in the
  // free list and their weights change by O(1). From the zero state, never-written slots have equal rows, equal
  // write weights and usages equal up to the last bit, so any two computations that round differently (float vs
  // double, a fused step vs the kernels) may order them differently at step 2 or 3 and then diverge by O(1). The
  // step comparisons therefore come in two kinds (precision.md):
  //  - from the zero state with the allocation gate of write head 0 open at step 1 only (all usages are exactly
  //    0 there, tied alike everywhere) and closed afterwards: g^a = 0 keeps the allocation out of the state, so
  //    every state tensor is a continuous function of the inputs;
  //  - from a warm state without ties (distinct rows, distinct usages) with every gate random.

  @ParameterizedTest(name = "{0}")
  @MethodSource(STEP)
  void memoryStepFromZeroEqualsTheKernelsOneByOne(ShapeCase c) {
    MemoryShape s = c.shape();
    compareSteps(c, s, kernelsOneByOne(own(kernels.newState(s)), s), wholeStep(kernels, own(kernels.newState(s)), s),
        "memoryStep from zero vs the kernels one by one", true);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(STEP)
  void memoryStepFromAWarmStateEqualsTheKernelsOneByOne(ShapeCase c) {
    MemoryShape s = c.shape();
    float[][] warm = warmState(c, s);
    compareSteps(c, s, kernelsOneByOne(state(kernels, s, warm), s), wholeStep(kernels, state(kernels, s, warm), s),
        "memoryStep from a warm state vs the kernels one by one", false);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(STEP)
  void memoryStepFromZeroMatchesReference(ShapeCase c) {
    assumeNotReference();
    MemoryShape s = c.shape();
    DncKernels ref = reference();
    compareSteps(c, s, wholeStep(ref, own(ref.newState(s)), s), wholeStep(kernels, own(kernels.newState(s)), s),
        "memoryStep from zero vs reference", true);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(STEP)
  void memoryStepFromAWarmStateMatchesReference(ShapeCase c) {
    assumeNotReference();
    MemoryShape s = c.shape();
    float[][] warm = warmState(c, s);
    DncKernels ref = reference();
    compareSteps(c, s, wholeStep(ref, state(ref, s, warm), s), wholeStep(kernels, state(kernels, s, warm), s),
        "memoryStep from a warm state vs reference", false);
  }

  /** One side of a step-by-step comparison. */
  private interface Stepper {
    void step(InterfaceData data);

    MemoryState state();

    Tensor readVectors();

    /** The step's allocation, write content, read content, forward and backward weightings. */
    Tensor[] intermediates();
  }

  private Stepper wholeStep(DncKernels on, MemoryState state, MemoryShape s) {
    Workspace ws = own(on.newWorkspace(s));
    Tensor rv = filled(on, Float.NaN, s.batch(), s.readHeads(), s.wordSize());
    return new Stepper() {
      @Override
      public void step(InterfaceData data) {
        on.memoryStep(state, own(data.upload(on, s)), rv, ws);
      }

      @Override
      public MemoryState state() {
        return state;
      }

      @Override
      public Tensor readVectors() {
        return rv;
      }

      @Override
      public Tensor[] intermediates() {
        return new Tensor[] {ws.allocation(), ws.writeContent(), ws.readContent(), ws.forward(), ws.backward()};
      }
    };
  }

  // the documented order, kernel by kernel, on the backend under test
  private Stepper kernelsOneByOne(MemoryState st, MemoryShape s) {
    int b = s.batch(), n = s.slots(), w = s.wordSize(), r = s.readHeads(), wh = s.writeHeads();
    Tensor rv = filled(kernels, Float.NaN, b, r, w);
    Tensor alloc = filled(kernels, Float.NaN, b, wh, n), writeContent = filled(kernels, Float.NaN, b, wh, n);
    Tensor readContent = filled(kernels, Float.NaN, b, r, n);
    Tensor fwd = filled(kernels, Float.NaN, b, r, wh, n), bwd = filled(kernels, Float.NaN, b, r, wh, n);
    return new Stepper() {
      @Override
      public void step(InterfaceData data) {
        InterfaceValues in = own(data.upload(kernels, s));
        kernels.usage(st.usage(), st.writeWeights(), in.freeGates(), st.readWeights(), st.usage());
        kernels.allocation(st.usage(), in.writeGates(), in.allocationGates(), alloc);
        kernels.contentWeights(st.memory(), in.writeKeys(), in.writeStrengths(), writeContent);
        kernels.writeWeights(alloc, writeContent, in.writeGates(), in.allocationGates(), st.writeWeights());
        kernels.eraseAndAdd(st.memory(), st.writeWeights(), in.eraseVectors(), in.writeVectors());
        kernels.linkUpdateAndWeightings(st.link(), st.precedence(), st.writeWeights(), st.readWeights(), fwd, bwd);
        kernels.precedence(st.precedence(), st.writeWeights());
        kernels.contentWeights(st.memory(), in.readKeys(), in.readStrengths(), readContent);
        kernels.readModeMix(in.readModes(), bwd, readContent, fwd, st.readWeights());
        kernels.read(st.memory(), st.readWeights(), rv);
      }

      @Override
      public MemoryState state() {
        return st;
      }

      @Override
      public Tensor readVectors() {
        return rv;
      }

      @Override
      public Tensor[] intermediates() {
        return new Tensor[] {alloc, writeContent, readContent, fwd, bwd};
      }
    };
  }

  private float[][] warmState(ShapeCase c, MemoryShape s) {
    int b = s.batch(), n = s.slots(), w = s.wordSize(), r = s.readHeads(), wh = s.writeHeads();
    RandomTensors rnd = c.random("warmState");
    return new float[][] {
      rnd.gaussian(b * n * w, 1), rnd.distinctUsage(b, n), rnd.link(b, wh, n), rnd.subWeightings(b * wh, n),
      rnd.subWeightings(b * r, n), rnd.subWeightings(b * wh, n)
    };
  }

  private MemoryState state(DncKernels on, MemoryShape s, float[][] data) {
    int b = s.batch(), n = s.slots(), w = s.wordSize(), r = s.readHeads(), wh = s.writeHeads();
    return new MemoryState(upload(on, data[0], b, n, w), upload(on, data[1], b, n), upload(on, data[2], b, wh, n, n),
        upload(on, data[3], b, wh, n), upload(on, data[4], b, r, n), upload(on, data[5], b, wh, n));
  }

  private static final String[] INTERMEDIATES = {"allocation", "writeContent", "readContent", "forward", "backward"};

  private void compareSteps(ShapeCase c, MemoryShape s, Stepper expected, Stepper actual, String what,
      boolean fromZero) {
    int b = s.batch(), wh = s.writeHeads();
    RandomTensors rnd = c.random(what);
    for (int step = 1; step <= STEPS; step++) {
      InterfaceData data = rnd.interfaceValues(b, s.wordSize(), s.readHeads(), wh);
      if (fromZero) {
        for (int m = 0; m < b * wh; m++) {
          if (step > 1 || m % wh > 0) {
            data.allocationGates()[m] = 0f;
          }
        }
      }
      expected.step(data);
      actual.step(data);
      String at = what + ", " + c + ", step " + step;
      double budget = stepBudget(s, data);
      compareState(at, expected.state(), expected.readVectors(), actual.state(), actual.readVectors(), s, budget,
          step);
      Tensor[] e = expected.intermediates(), a = actual.intermediates();
      // from zero, the allocation of later steps (and of later heads) does not reach the state: not compared
      for (int i = fromZero && (step > 1 || wh > 1) ? 1 : 0; i < e.length; i++) {
        compareStep(at + " intermediate " + INTERMEDIATES[i], e[i], a[i], budget, step, 1);
      }
    }
  }

  private static double stepBudget(MemoryShape s, InterfaceData data) {
    double maxStrength = 1;
    for (float[] x : new float[][] {data.readStrengths(), data.writeStrengths()}) {
      for (float v : x) {
        maxStrength = Math.max(maxStrength, v);
      }
    }
    return Tolerances.memoryStepBudget(s.slots(), s.wordSize(), s.readHeads(), s.writeHeads(), maxStrength);
  }

  private static void compareState(String what, MemoryState expected, Tensor rvExpected, MemoryState actual,
      Tensor rvActual, MemoryShape s, double budget, int step) {
    float[] memory = expected.memory().toArray();
    double scale = 0;
    for (float v : memory) {
      scale = Math.max(scale, Math.abs(v));
    }
    compareStep(what + " memory", expected.memory(), actual.memory(), budget, step, scale);
    compareStep(what + " usage", expected.usage(), actual.usage(), budget, step, 1);
    compareStep(what + " link", expected.link(), actual.link(), budget, step, 1);
    compareStep(what + " precedence", expected.precedence(), actual.precedence(), budget, step, 1);
    compareStep(what + " readWeights", expected.readWeights(), actual.readWeights(), budget, step, 1);
    compareStep(what + " writeWeights", expected.writeWeights(), actual.writeWeights(), budget, step, 1);
    compareStep(what + " readVectors", rvExpected, rvActual, budget, step, scale);
    assertZeroDiagonal(actual.link().toArray(), s.batch() * s.writeHeads(), s.slots(), what + " link");
  }

  private static void compareStep(String what, Tensor expected, Tensor actual, double budget, int step, double scale) {
    float[] e = expected.toArray();
    Compare.close(what, e, actual.toArray(), Tolerances.memoryStep(e, budget, step, scale), expected.shape());
  }

  // =========================================================================================================
  // exact ties, extreme magnitudes, long runs: the contract holds for inputs that random cases rarely reach

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

  /** Equal memory rows give equal content weights, bit for bit, wherever they fall in the row loop. */
  @ParameterizedTest(name = "N = {0}")
  @ValueSource(ints = {17, 33, 100, 257})
  void contentWeightsOfEqualRowsAreEqual(int n) {
    int b = 2, h = 3;
    for (int w : new int[] {1, 16, 19, 33}) {
      RandomTensors rnd = new RandomTensors(100L * n + w);
      float[] memory = new float[b * n * w];
      for (int bb = 0; bb < b; bb++) {
        float[] row = rnd.gaussian(w, 1);
        for (int i = 0; i < n; i++) {
          System.arraycopy(row, 0, memory, (bb * n + i) * w, w);
        }
      }
      Tensor out = filled(kernels, Float.NaN, b, h, n);
      kernels.contentWeights(upload(memory, b, n, w), upload(rnd.keys(b * h, w), b, h, w),
          upload(rnd.strengths(b * h), b, h), out);
      assertRowsTied("content weights of equal rows, W = " + w, out.toArray(), b * h, n);
    }
  }

  /**
   * From the zero state, content-only writes keep every slot alike (uniform content weights on equal rows), so
   * usages stay exactly tied; when the allocation gate opens, the write goes to slot 0 (DeepMind's {@code top_k}
   * order), as on the reference.
   */
  @ParameterizedTest(name = "N = {0}")
  @ValueSource(ints = {17, 33, 100, 257})
  void memoryStepsFromZeroKeepTiesAndAllocateTheLowestIndex(int n) {
    int b = 2, w = 16, r = 2;
    MemoryShape s = new MemoryShape(b, n, w, r, 1);
    boolean cross = kernels.getClass() != reference().getClass();
    Stepper actual = wholeStep(kernels, own(kernels.newState(s)), s);
    Stepper expected = cross ? wholeStep(reference(), own(reference().newState(s)), s) : null;
    RandomTensors rnd = new RandomTensors(7700L + n);
    // four steps: after the allocating one the slots differ by amounts below float resolution (near ties, which
    // backends may order differently: docs/contract.md)
    for (int step = 1; step <= 4; step++) {
      InterfaceData data = rnd.interfaceValues(b, w, r, 1);
      Arrays.fill(data.allocationGates(), step == 4 ? 1f : 0f);
      Arrays.fill(data.writeGates(), 1f);
      actual.step(data);
      String at = "memory step " + step + " from zero, N = " + n;
      if (step < 4) {
        assertRowsTied(at + ": usage", actual.state().usage().toArray(), b, n);
      } else {
        float[] ww = actual.state().writeWeights().toArray();
        for (int bb = 0; bb < b; bb++) {
          assertEquals(0, argMax(ww, bb * n, n), at + ", batch " + bb + ": the allocated slot");
        }
      }
      if (expected != null) {
        expected.step(data);
        compareState(at + " vs reference", expected.state(), expected.readVectors(), actual.state(),
            actual.readVectors(), s, stepBudget(s, data), step);
      }
    }
  }

  private static void assertRowsTied(String what, float[] x, int rows, int n) {
    for (int row = 0; row < rows; row++) {
      for (int i = 1; i < n; i++) {
        if (Float.floatToRawIntBits(x[row * n + i]) != Float.floatToRawIntBits(x[row * n])) {
          fail(what + ": row " + row + ", slot " + i + " is " + x[row * n + i] + " but slot 0 is " + x[row * n]
              + " (same inputs)");
        }
      }
    }
  }

  /**
   * Cosine similarity is scale-free, so content weights are defined for every finite input: rows and keys of
   * magnitude 1e20, 1e30 and Float.MAX_VALUE, mixed with zero and ordinary rows, give finite weights that sum to
   * 1 and agree with the reference.
   */
  @ParameterizedTest(name = "magnitude {0}")
  @ValueSource(floats = {1e20f, 1e30f, Float.MAX_VALUE})
  void contentWeightsOfExtremeMagnitudesAreFiniteAndMatchReference(float scale) {
    int b = 3, n = 19, w = 21, h = 3;
    RandomTensors rnd = new RandomTensors(Float.floatToIntBits(scale));
    float[] memory = new float[b * n * w];
    for (int row = 0; row < b * n; row++) {
      for (int j = 0; j < w; j++) {
        double u = 2 * rnd.uniform() - 1;
        memory[row * w + j] = switch (row % 4) {
          case 0 -> 0f; // a zero row
          case 1 -> (float) (u * scale); // huge, of both signs
          case 2 -> (float) u; // ordinary
          default -> j % 2 == 0 ? scale : -scale; // every element at the extreme
        };
      }
    }
    float[] keys = new float[b * h * w];
    for (int k = 0; k < b * h; k++) {
      for (int j = 0; j < w; j++) {
        double u = 2 * rnd.uniform() - 1;
        keys[k * w + j] = switch (k % 3) {
          case 0 -> (float) (u * scale);
          case 1 -> 0f;
          default -> (float) u;
        };
      }
    }
    for (float beta : new float[] {0f, 1f, 10f, 1e30f}) {
      float[] strengths = new float[b * h];
      Arrays.fill(strengths, beta);
      int[][] shapes = {s(b, n, w), s(b, h, w), s(b, h), s(b, h, n)};
      float[][] data = {memory, keys, strengths, null};
      Call call = (k, t) -> k.contentWeights(t[0], t[1], t[2], t[3]);
      String what = "contentWeights at magnitude " + scale + ", β = " + beta;
      float[] out = run(kernels, shapes, data, call)[3];
      Compare.finite(what, out, b, h, n);
      assertRowSums(out, b * h, n, 1 - Tolerances.rowSum(n), 1 + Tolerances.rowSum(n), what);
      if (kernels.getClass() != reference().getClass()) {
        Results r = crossRun(what, shapes, data, call, 3);
        Compare.close(what, r.expected()[3], r.actual()[3],
            Tolerances.contentWeights(strengths, r.expected()[3], b, h, n, w), b, h, n);
      }
    }
  }

  /** Write vectors of 1e30 (and keys of the same size) keep every weighting of the step finite. */
  @Test
  void memoryStepsWithHugeWriteVectorsStayFinite() {
    MemoryShape s = new MemoryShape(2, 17, 19, 2, 1);
    Stepper actual = wholeStep(kernels, own(kernels.newState(s)), s);
    RandomTensors rnd = new RandomTensors(31);
    for (int step = 1; step <= 4; step++) {
      InterfaceData data = rnd.interfaceValues(2, 19, 2, 1);
      for (float[] x : new float[][] {data.writeVectors(), data.writeKeys(), data.readKeys()}) {
        for (int i = 0; i < x.length; i++) {
          x[i] *= 1e30f;
        }
      }
      actual.step(data);
      MemoryState st = actual.state();
      String at = "memory step " + step + " with write vectors of 1e30: ";
      for (Tensor t : new Tensor[] {st.usage(), st.link(), st.precedence(), st.readWeights(), st.writeWeights()}) {
        Compare.finite(at + t, t.toArray(), t.shape());
      }
      for (Tensor t : actual.intermediates()) {
        Compare.finite(at + t, t.toArray(), t.shape());
      }
    }
  }

  /** Memory steps of the long-run bounds test; a backend that is slow per step (an emulator) may run fewer. */
  protected int longRunSteps() {
    return 3000;
  }

  /**
   * Over a long run of steps with sharp weightings (strengths up to 1000, gates often exactly 0 or 1), every
   * weighting of the state and of the workspace, and every link entry, stays inside [0, 1] exactly: no slack,
   * since users take logs and square roots of them.
   */
  @ParameterizedTest(name = "Wh = {0}")
  @ValueSource(ints = {1, 2})
  void weightingsStayInTheUnitIntervalOverALongRun(int wh) {
    int b = 2, n = 17, w = 8, r = 3;
    MemoryShape s = new MemoryShape(b, n, w, r, wh);
    MemoryState st = own(kernels.newState(s));
    InterfaceValues in = own(kernels.newInterface(s));
    Workspace ws = own(kernels.newWorkspace(s));
    Tensor rv = filled(kernels, 0f, b, r, w);
    RandomTensors rnd = new RandomTensors(4400 + wh);
    Tensor[] watched = {st.usage(), st.link(), st.precedence(), st.readWeights(), st.writeWeights(),
        ws.allocation(), ws.writeContent(), ws.readContent(), ws.forward(), ws.backward()};
    String[] names = {"usage", "link", "precedence", "readWeights", "writeWeights", "allocation", "writeContent",
        "readContent", "forward", "backward"};
    for (int step = 1; step <= longRunSteps(); step++) {
      InterfaceData data = rnd.interfaceValues(b, w, r, wh);
      for (float[] strengths : new float[][] {data.readStrengths(), data.writeStrengths()}) {
        for (int i = 0; i < strengths.length; i++) {
          strengths[i] = (float) Math.pow(1000, rnd.uniform());
        }
      }
      copy(data, in);
      kernels.memoryStep(st, in, rv, ws);
      for (int t = 0; t < watched.length; t++) {
        float[] x = watched[t].toArray();
        for (int k = 0; k < x.length; k++) {
          if (!(x[k] >= 0f && x[k] <= 1f)) {
            fail("step " + step + ", Wh = " + wh + ": " + names[t] + " at " + Compare.index(k, watched[t].shape())
                + " is " + x[k] + ", outside [0, 1]");
          }
        }
      }
    }
  }

  private static void copy(InterfaceData d, InterfaceValues v) {
    v.readKeys().copyFrom(d.readKeys(), 0);
    v.readStrengths().copyFrom(d.readStrengths(), 0);
    v.writeKeys().copyFrom(d.writeKeys(), 0);
    v.writeStrengths().copyFrom(d.writeStrengths(), 0);
    v.eraseVectors().copyFrom(d.eraseVectors(), 0);
    v.writeVectors().copyFrom(d.writeVectors(), 0);
    v.freeGates().copyFrom(d.freeGates(), 0);
    v.allocationGates().copyFrom(d.allocationGates(), 0);
    v.writeGates().copyFrom(d.writeGates(), 0);
    v.readModes().copyFrom(d.readModes(), 0);
  }

  // =========================================================================================================
  // tensors and their bad arguments

  @Test
  void tensorsRoundTripExactly() {
    float[] data = {1.5f, -0f, Float.MIN_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, 1e-40f, 3, 4, 5, 6, 7, 8};
    Tensor t = upload(data, 2, 3, 2);
    assertEquals(3, t.rank());
    assertEquals(12, t.size());
    assertEquals(3, t.dim(1));
    assertTrue(Arrays.equals(new int[] {2, 3, 2}, t.shape()), "shape");
    float[] back = t.toArray();
    for (int i = 0; i < data.length; i++) {
      assertEquals(Float.floatToRawIntBits(data[i]), Float.floatToRawIntBits(back[i]), "bits of element " + i);
    }
    float[] wide = new float[16];
    Arrays.fill(wide, 9f);
    t.copyTo(wide, 3);
    assertEquals(9f, wide[2]);
    assertEquals(1.5f, wide[3]);
    assertEquals(8f, wide[14]);
    assertEquals(9f, wide[15]);
    float[] src = new float[20];
    for (int i = 0; i < src.length; i++) {
      src[i] = i;
    }
    t.copyFrom(src, 5);
    assertEquals(5f, t.toArray()[0]);
    assertEquals(16f, t.toArray()[11]);
    t.fill(-2f);
    for (float v : t.toArray()) {
      assertEquals(-2f, v);
    }
  }

  @Test
  void newTensorsAreZeroFilledAndDistinct() {
    Tensor a = own(kernels.allocate(3, 5)), b = own(kernels.allocate(3, 5));
    assertTrue(Arrays.equals(new float[15], a.toArray()), "allocate must zero-fill");
    assertTrue(a.overlaps(a), "a tensor overlaps itself");
    assertFalse(a.overlaps(b), "two allocations must not overlap");
    assertFalse(a.sameStorage(b), "two allocations are not the same storage");
    assertNotNull(a.backend());
    MemoryShape s = new MemoryShape(2, 5, 3, 2, 2);
    MemoryState state = own(kernels.newState(s));
    assertEquals(s, state.shape());
    for (Tensor t : new Tensor[] {state.memory(), state.usage(), state.link(), state.precedence(),
        state.readWeights(), state.writeWeights()}) {
      assertTrue(Arrays.equals(new float[t.size()], t.toArray()), "a new state is zero: " + t);
    }
    InterfaceValues in = own(kernels.newInterface(s));
    assertTrue(Arrays.equals(new int[] {2, 2, 5}, in.readModes().shape()), "read modes [B,R,2Wh+1]");
    Workspace ws = own(kernels.newWorkspace(s));
    assertEquals(s, ws.shape());
    assertTrue(Arrays.equals(new int[] {2, 2, 2, 5}, ws.forward().shape()), "workspace forward [B,R,Wh,N]");
    assertFalse(kernels.name().isBlank(), "backend name");
    assertNotNull(kernels.description());
    kernels.synchronize();
  }

  @Test
  void badShapesAndArraysAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> kernels.allocate(0), "allocate(0)");
    assertThrows(IllegalArgumentException.class, () -> kernels.allocate(2, -1), "allocate(2, -1)");
    assertThrows(IllegalArgumentException.class, () -> kernels.allocate(), "allocate()");
    assertThrows(IllegalArgumentException.class, () -> kernels.allocate((int[]) null), "allocate(null)");
    float[] four = new float[4];
    assertThrows(IllegalArgumentException.class, () -> kernels.upload(four, 0, 5), "upload of a short array");
    assertThrows(IllegalArgumentException.class, () -> kernels.upload(four, 1, 2, 2), "upload past the end");
    assertThrows(IllegalArgumentException.class, () -> kernels.upload(four, -1, 2), "upload from offset −1");
    assertThrows(IllegalArgumentException.class, () -> kernels.upload(null, 0, 2), "upload of null");
    assertThrows(IllegalArgumentException.class, () -> kernels.upload(four, 0, 0), "upload with a zero size");
    assertThrows(IllegalArgumentException.class, () -> kernels.upload(four, 0, 2, -2), "upload, negative size");
    Tensor t = upload(f(1, 2, 3), 3);
    Class<? extends Throwable> badRange = RuntimeException.class; // IllegalArgumentException on host tensors
    assertThrows(badRange, () -> t.copyTo(new float[2], 0), "copyTo a short array");
    assertThrows(badRange, () -> t.copyFrom(new float[2], 0), "copyFrom a short array");
    assertThrows(badRange, () -> t.copyTo(new float[3], 1), "copyTo past the end");
    Compare.exact("a rejected copyFrom writes nothing", f(1, 2, 3), t.toArray(), 3);
    if (kernels.canWrap()) {
      assertThrows(IllegalArgumentException.class, () -> kernels.wrap(four, 0, 5), "wrap of a short array");
      assertThrows(IllegalArgumentException.class, () -> kernels.wrap(four, 3, 2), "wrap past the end");
      assertThrows(IllegalArgumentException.class, () -> kernels.wrap(four, -1, 2), "wrap from offset −1");
      assertThrows(IllegalArgumentException.class, () -> kernels.wrap(null, 0, 2), "wrap of null");
      assertThrows(IllegalArgumentException.class, () -> kernels.wrap(four, 0, 0), "wrap with a zero size");
      assertThrows(IllegalArgumentException.class, () -> kernels.wrap(four, 0, -1), "wrap with a negative size");
      Tensor view = kernels.wrap(four, 1, 3);
      view.fill(7f);
      Compare.exact("wrap is a view of the array", f(0, 7, 7, 7), four, 4);
    } else {
      assertThrows(UnsupportedOperationException.class, () -> kernels.wrap(four, 0, 4),
          "a backend that cannot wrap says so");
    }
  }

  @Test
  void memoryStepRejectsNullRecordsAndAWorkspaceOfAnotherShape() {
    MemoryShape s = new MemoryShape(2, 5, 3, 2, 2);
    MemoryState state = own(kernels.newState(s));
    InterfaceValues in = own(kernels.newInterface(s));
    Tensor rv = filled(kernels, 0.25f, 2, 2, 3);
    Workspace ws = own(kernels.newWorkspace(s));
    Workspace other = own(kernels.newWorkspace(new MemoryShape(2, 6, 3, 2, 2)));
    expectMessage(() -> kernels.memoryStep(null, in, rv, ws), "state");
    expectMessage(() -> kernels.memoryStep(state, null, rv, ws), "in");
    expectMessage(() -> kernels.memoryStep(state, in, rv, null), "workspace");
    expectMessage(() -> kernels.memoryStep(state, in, null, ws), "readVectors");
    IllegalArgumentException e = expectMessage(() -> kernels.memoryStep(state, in, rv, other), "workspace");
    assertTrue(e.getMessage().contains(s.toString()), "message shows the expected shape: " + e.getMessage());
    expectMessage(() -> kernels.interfaceSplit(upload(new float[2 * 28], 2, 28), null), "out");
    expectMessage(() -> kernels.newWorkspace(null), "shape");
    expectMessage(() -> kernels.newState(null), "shape");
    expectMessage(() -> kernels.newInterface(null), "shape");
    expectMessage(() -> new MemoryState(state.memory(), null, state.link(), state.precedence(), state.readWeights(),
        state.writeWeights()), "usage");
    expectMessage(() -> new InterfaceValues(in.readKeys(), in.readStrengths(), in.writeKeys(), in.writeStrengths(),
        in.eraseVectors(), in.writeVectors(), in.freeGates(), in.allocationGates(), null, in.readModes()),
        "writeGates");
    expectMessage(() -> new MemoryShape(2, 5, 3, -1, 2), "readHeads");
    Compare.exact("readVectors unchanged", constantF(12, 0.25f), rv.toArray(), 2, 2, 3);
    for (Tensor t : new Tensor[] {state.memory(), state.usage(), state.link(), state.precedence(),
        state.readWeights(), state.writeWeights()}) {
      assertTrue(Arrays.equals(new float[t.size()], t.toArray()), "state unchanged: " + t);
    }
  }

  private static float[] constantF(int n, float v) {
    float[] x = new float[n];
    Arrays.fill(x, v);
    return x;
  }

  private static IllegalArgumentException expectMessage(Runnable call, String name) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run, name);
    assertTrue(e.getMessage() != null && e.getMessage().startsWith(name + ":"),
        "message must start with '" + name + ":' but was: " + e.getMessage());
    return e;
  }

  /**
   * For every argument of every kernel: null, a wrong rank, each dimension one too large, and a tensor of no
   * backend. The call must throw {@link IllegalArgumentException} naming the argument the facade finds wrong
   * (the mutated one, or for a size-defining argument the first one that disagrees with it) with expected and
   * actual shapes, and write nothing.
   */
  @TestFactory
  List<DynamicTest> badArgumentsAreRejectedAndNothingIsWritten() {
    List<DynamicTest> tests = new ArrayList<>();
    Map<String, Integer> sizes = KernelSignatures.checkSizes();
    for (Signature sig : KernelSignatures.all()) {
      int[][] shapes = sig.shapes(sizes);
      for (int a = 0; a < shapes.length; a++) {
        final int arg = a;
        String name = sig.args().get(a).name();
        String prefix = sig.kernel() + "(" + name + " ";
        tests.add(named(prefix + "null)", () -> {
          IllegalArgumentException e = rejected(sig, sizes, arg, null);
          assertNames(e, name);
          assertTrue(e.getMessage().contains("null"), "message says null: " + e.getMessage());
        }));
        tests.add(named(prefix + "of rank " + (shapes[a].length + 1) + ")", () -> {
          int[] wrong = Arrays.copyOf(shapes[arg], shapes[arg].length + 1);
          wrong[wrong.length - 1] = 1;
          IllegalArgumentException e = rejected(sig, sizes, arg, own(kernels.allocate(wrong)));
          assertNames(e, name);
          assertTrue(e.getMessage().contains(Arrays.toString(wrong)), "message shows the actual shape "
              + Arrays.toString(wrong) + ": " + e.getMessage());
        }));
        for (int d = 0; d < shapes[a].length; d++) {
          final int axis = d;
          tests.add(named(prefix + "with dimension " + d + " too large)", () -> {
            int[] wrong = shapes[arg].clone();
            wrong[axis]++;
            int[][] actual = shapes.clone();
            actual[arg] = wrong;
            Expected expected = sig.predict(sizes, actual);
            if (expected == null) {
              // a size only this argument has (the write heads of usage): any value is valid
              sig.invoker().call(kernels, validTensorsWith(sig, sizes, arg, wrong), workspace(sig, sizes));
              return;
            }
            IllegalArgumentException e = rejected(sig, sizes, arg, own(kernels.allocate(wrong)));
            assertNames(e, expected.name());
            int named = sig.indexOf(expected.name());
            String shown = Arrays.toString(actual[named]);
            assertTrue(e.getMessage().contains(shown), "message shows the actual shape " + shown + ": "
                + e.getMessage());
            if (expected.shape() != null) {
              String want = Arrays.toString(expected.shape());
              assertTrue(e.getMessage().contains(want), "message shows the expected shape " + want + ": "
                  + e.getMessage());
            }
          }));
        }
        tests.add(named(prefix + "of another backend)", () -> {
          IllegalArgumentException e = rejected(sig, sizes, arg, own(new ForeignTensor(shapes[arg])));
          assertNames(e, name);
          assertTrue(e.getMessage().contains("foreign"), "message names the tensor's backend: " + e.getMessage());
        }));
      }
    }
    return tests;
  }

  /**
   * Forbidden aliases made by passing one tensor twice (works on every backend): for each pair of the contract
   * that must not share storage and can have equal shapes.
   */
  @TestFactory
  List<DynamicTest> forbiddenAliasesOfOneTensorAreRejected() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Signature sig : KernelSignatures.all()) {
      for (String[] pair : sig.distinct()) {
        Map<String, Integer> sizes = null;
        for (Map<String, Integer> candidate : List.of(
            KernelSignatures.aliasSizesOneWriteHead(), KernelSignatures.aliasSizesThreeWriteHeads())) {
          int[][] shapes = sig.shapes(candidate);
          if (Arrays.equals(shapes[sig.indexOf(pair[0])], shapes[sig.indexOf(pair[1])])) {
            sizes = candidate;
            break;
          }
        }
        if (sizes == null) {
          continue; // never the same shape: only overlapping views can alias them (below)
        }
        Map<String, Integer> chosen = sizes;
        tests.add(named(sig.kernel() + "(" + pair[0] + " == " + pair[1] + ")", () -> {
          int[][] shapes = sig.shapes(chosen);
          Tensor[] t = validTensors(sig, shapes);
          t[sig.indexOf(pair[0])] = t[sig.indexOf(pair[1])];
          IllegalArgumentException e = expectRejection(sig, chosen, t);
          assertTrue(e.getMessage().contains(pair[0]) && e.getMessage().contains(pair[1]),
              "message names both " + pair[0] + " and " + pair[1] + ": " + e.getMessage());
        }));
      }
    }
    return tests;
  }

  /**
   * Aliases made of overlapping views of one array (host backends), for every pair of arguments of every kernel:
   * a pair with a written argument, partly overlapping, is rejected (the pairs come from the arguments' roles,
   * not from a list kept beside the facade's checks); two views of exactly the same elements are accepted where
   * the javadoc allows it; two arguments that are only read may overlap.
   */
  @TestFactory
  List<DynamicTest> overlappingViewsAreRejected() {
    if (!kernels.canWrap()) {
      // one visible skip instead of a silently empty container
      return List.of(DynamicTest.dynamicTest("overlapping views", () -> assumeTrue(false,
          kernels.name() + " cannot wrap arrays: no views to overlap (same-tensor aliases are tested)")));
    }
    List<DynamicTest> tests = new ArrayList<>();
    Map<String, Integer> sizes = KernelSignatures.checkSizes();
    for (Signature sig : KernelSignatures.all()) {
      List<String[]> partial = new ArrayList<>(sig.distinct());
      partial.addAll(sig.sameOrDistinct());
      for (String[] pair : partial) {
        tests.add(named(sig.kernel() + "(" + pair[0] + " overlapping " + pair[1] + ")", () -> {
          float[][] array = new float[1][];
          Tensor[] t = views(sig, sig.shapes(sizes), sig.indexOf(pair[0]), sig.indexOf(pair[1]), 1, array);
          float[] before = array[0].clone();
          IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
              () -> sig.invoker().call(kernels, t, workspace(sig, sizes)));
          assertTrue(e.getMessage().contains(pair[0]) && e.getMessage().contains(pair[1]),
              "message names both " + pair[0] + " and " + pair[1] + ": " + e.getMessage());
          Compare.unchanged(sig.kernel() + " array", before, array[0]);
        }));
      }
      for (String[] pair : sig.readOnlyPairs()) {
        tests.add(named(sig.kernel() + "(" + pair[0] + " overlapping " + pair[1] + ", both only read)", () -> {
          Tensor[] t = views(sig, sig.shapes(sizes), sig.indexOf(pair[0]), sig.indexOf(pair[1]), 1, new float[1][]);
          sig.invoker().call(kernels, t, workspace(sig, sizes)); // allowed: nothing it writes is read through both
        }));
      }
      for (String[] pair : sig.sameOrDistinct()) {
        tests.add(named(sig.kernel() + "(" + pair[0] + " a second view of " + pair[1] + ")", () -> {
          Tensor[] t = views(sig, sig.shapes(sizes), sig.indexOf(pair[0]), sig.indexOf(pair[1]), 0, new float[1][]);
          sig.invoker().call(kernels, t, workspace(sig, sizes)); // allowed: the same elements
        }));
      }
    }
    return tests;
  }

  // every argument a view of one array, spaced so that only the moved argument overlaps its partner
  private Tensor[] views(Signature sig, int[][] shapes, int moved, int onto, int shift, float[][] arrayOut) {
    int max = 0;
    for (int[] sh : shapes) {
      max = Math.max(max, size(sh));
    }
    int stride = 2 * max + 8;
    float[] array = new RandomTensors(23).uniform(stride * shapes.length, 0, 1);
    arrayOut[0] = array;
    Tensor[] t = new Tensor[shapes.length];
    for (int i = 0; i < shapes.length; i++) {
      int offset = (i == moved ? onto : i) * stride + (i == moved ? shift : 0);
      t[i] = kernels.wrap(array, offset, shapes[i]);
    }
    return t;
  }

  private static int size(int[] shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  private Tensor[] validTensors(Signature sig, int[][] shapes) {
    RandomTensors rnd = new RandomTensors(22);
    Tensor[] t = new Tensor[shapes.length];
    for (int i = 0; i < t.length; i++) {
      t[i] = upload(rnd.uniform(size(shapes[i]), 0, 1), shapes[i]);
    }
    return t;
  }

  private Tensor[] validTensorsWith(Signature sig, Map<String, Integer> sizes, int arg, int[] shape) {
    Tensor[] t = validTensors(sig, sig.shapes(sizes));
    t[arg] = upload(new RandomTensors(24).uniform(size(shape), 0, 1), shape);
    return t;
  }

  private Workspace workspace(Signature sig, Map<String, Integer> sizes) {
    return sig.needsWorkspace() ? own(kernels.newWorkspace(sig.memoryShape(sizes))) : null;
  }

  private IllegalArgumentException rejected(Signature sig, Map<String, Integer> sizes, int arg, Tensor replacement) {
    Tensor[] t = validTensors(sig, sig.shapes(sizes));
    t[arg] = replacement;
    return expectRejection(sig, sizes, t);
  }

  // the call must throw, and no tensor it was given (nor the workspace) may have changed
  private IllegalArgumentException expectRejection(Signature sig, Map<String, Integer> sizes, Tensor[] t) {
    Workspace ws = workspace(sig, sizes);
    Map<Tensor, float[]> before = new IdentityHashMap<>();
    List<Tensor> watched = new ArrayList<>(Arrays.asList(t));
    if (ws != null) {
      watched.addAll(List.of(ws.allocation(), ws.writeContent(), ws.readContent(), ws.forward(), ws.backward()));
    }
    for (Tensor x : watched) {
      if (x != null) {
        before.put(x, x.toArray());
      }
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> sig.invoker().call(kernels, t, ws), sig.kernel() + " must reject this call");
    assertNotNull(e.getMessage(), "message");
    for (Map.Entry<Tensor, float[]> x : before.entrySet()) {
      Compare.unchanged(sig.kernel() + ": " + x.getKey(), x.getValue(), x.getKey().toArray());
    }
    return e;
  }

  // a dynamic test whose failure message starts with its own name (surefire reports show only an index)
  private static DynamicTest named(String name, org.junit.jupiter.api.function.Executable body) {
    return DynamicTest.dynamicTest(name, () -> {
      try {
        body.execute();
      } catch (org.opentest4j.AssertionFailedError e) {
        throw new org.opentest4j.AssertionFailedError(name + ": " + e.getMessage(), e);
      }
    });
  }

  // the records' constructors (a null part) and MemoryState.shape() name a part without the "state."/"in."/"out."
  // prefix of the call
  private static void assertNames(IllegalArgumentException e, String name) {
    String m = e.getMessage();
    int dot = name.indexOf('.');
    boolean ok = m.startsWith(name + ":") || (dot > 0 && m.startsWith(name.substring(dot + 1) + ":"));
    assertTrue(ok, "message must name " + name + " first: " + m);
  }
}
