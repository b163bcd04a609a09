package org.dnckernels.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import org.dnckernels.DncKernels;
import org.dnckernels.InterfaceValues;
import org.dnckernels.MemoryShape;
import org.dnckernels.MemoryState;
import org.dnckernels.Tensor;
import org.dnckernels.Workspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Conformance of {@code memoryStep}: five steps against the kernels called one by one and against the
 * reference, ties kept over steps from zero, huge write vectors, weightings in [0, 1] over a long run
 * ({@link ConformanceBackend#longRunSteps()} steps), and the rejection of null records and a workspace of
 * another shape.
 */
public abstract class MemoryStepConformance extends ConformanceBase {
  private static final String STEP = "org.dnckernels.testing.ShapeCase#memoryStep";
  private static final int STEPS = 5;

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
  // bad arguments of the memory step and its records

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
}
