package org.dnckernels.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
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
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Conformance of the facade's tensors and argument checks: tensors round trip exactly, new tensors are
 * zero-filled and distinct, bad shapes and arrays, every bad argument of every kernel (null, a wrong rank,
 * a wrong size, a foreign tensor: rejected, named, nothing written), forbidden and allowed aliases, and
 * the backend {@code auto} chooses.
 */
public abstract class ArgumentConformance extends ConformanceBase {
  /** System property naming the backend {@code auto} must choose in this run (unset: not checked). */
  public static final String EXPECTED_BACKEND_PROPERTY = "dnc.kernels.expected";

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
  // allowed aliases: in place equals out of place

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
