package org.dnckernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.dnckernels.DncKernels;
import org.dnckernels.InterfaceValues;
import org.dnckernels.KernelSpec;
import org.dnckernels.MemoryShape;
import org.dnckernels.MemoryState;
import org.dnckernels.Tensor;
import org.dnckernels.Workspace;
import org.dnckernels.testing.Compare;
import org.dnckernels.testing.InterfaceData;
import org.dnckernels.testing.RandomTensors;
import org.dnckernels.testing.Tolerances;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the CUDA backend promises beyond the conformance suite, on any {@link #backend()} of it (the GPU, or the
 * CPU emulator of its kernels):
 *
 * <ul>
 *   <li>determinism: every kernel and the memory step give bitwise the same output for the same input, run after
 *       run (no atomics, fixed reduction trees);
 *   <li>the fused memory step is bitwise the kernels called one by one;
 *   <li>the paths the suite's sizes do not reach: more than four read heads (the link pass's second head group),
 *       several link tiles, and an allocation sort larger than shared memory (N = 20000), against the reference.
 * </ul>
 */
abstract class DeterminismChecks {
  // 300 slots: two link tiles per side; 5 read heads: two head groups in the link pass
  private static final MemoryShape STEP = new MemoryShape(2, 300, 33, 5, 2);
  private static final int STEPS = 3;
  private static final int LARGE_SLOTS = 20000;

  private DncKernels kernels;
  private final List<AutoCloseable> made = new ArrayList<>();

  /** The backend under test; may skip the test with an assumption. */
  protected abstract DncKernels backend();

  @BeforeEach
  final void open() {
    kernels = backend();
  }

  @AfterEach
  final void closeTensors() throws Exception {
    for (AutoCloseable c : made) {
      c.close();
    }
    made.clear();
  }

  private <T extends AutoCloseable> T own(T t) {
    made.add(t);
    return t;
  }

  private Tensor up(DncKernels on, float[] data, int... shape) {
    return own(on.upload(data, 0, shape));
  }

  private Tensor nan(DncKernels on, int... shape) {
    Tensor t = own(on.allocate(shape));
    t.fill(Float.NaN);
    return t;
  }

  private static void sameBits(String what, float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
        throw new AssertionError(what + ": element " + i + " differs: " + expected[i] + " vs " + actual[i]);
      }
    }
  }

  @Test
  void everyKernelGivesBitwiseTheSameOutputTwice() {
    // every kernel of the contract, from its description; the step and its backward have their own tests below
    KernelSpec.Sizes sizes = new KernelSpec.Sizes(3, 300, 33, 5, 2, 5, 7);
    RandomTensors rnd = new RandomTensors(20240611);
    for (KernelSpec spec : KernelSpec.values()) {
      if (spec.family() == KernelSpec.Family.MEMORY_STEP) {
        continue;
      }
      int[][] shapes = spec.shapes(sizes);
      float[][] inputs = new float[shapes.length][];
      for (int i = 0; i < shapes.length; i++) {
        inputs[i] = rnd.of(spec.args().get(i).values(), shapes[i]);
      }
      float[][][] results = new float[2][shapes.length][];
      for (int run = 0; run < 2; run++) {
        Tensor[] t = new Tensor[shapes.length];
        for (int i = 0; i < t.length; i++) {
          t[i] = inputs[i] == null ? nan(kernels, shapes[i]) : up(kernels, inputs[i], shapes[i]);
        }
        spec.bind(kernels, t, null).run();
        for (int i = 0; i < t.length; i++) {
          if (spec.args().get(i).role().written()) {
            results[run][i] = t[i].toArray();
          }
        }
      }
      for (int i = 0; i < shapes.length; i++) {
        if (results[0][i] != null) {
          sameBits(spec.method() + " " + spec.args().get(i).name() + " run twice", results[0][i], results[1][i]);
        }
      }
    }
  }

  @Test
  void memoryStepGivesBitwiseTheSameStateTwice() {
    MemoryState[] states = {own(kernels.newState(STEP)), own(kernels.newState(STEP))};
    Workspace[] spaces = {own(kernels.newWorkspace(STEP)), own(kernels.newWorkspace(STEP))};
    Tensor[] reads = {nan(kernels, 2, 5, 33), nan(kernels, 2, 5, 33)};
    RandomTensors rnd = new RandomTensors(77);
    for (int step = 1; step <= STEPS; step++) {
      InterfaceData data = rnd.interfaceValues(STEP.batch(), STEP.wordSize(), STEP.readHeads(), STEP.writeHeads());
      for (int run = 0; run < 2; run++) {
        kernels.memoryStep(states[run], own(data.upload(kernels, STEP)), reads[run], spaces[run]);
      }
      String what = "memoryStep twice, step " + step;
      sameState(what, states[0], states[1]);
      sameBits(what + " read vectors", reads[0].toArray(), reads[1].toArray());
      sameBits(what + " forward", spaces[0].forward().toArray(), spaces[1].forward().toArray());
      sameBits(what + " backward", spaces[0].backward().toArray(), spaces[1].backward().toArray());
    }
  }

  @Test
  void memoryStepBackwardGivesBitwiseTheSameGradientsTwice() {
    MemoryShape s = STEP;
    int b = s.batch(), n = s.slots(), w = s.wordSize(), r = s.readHeads(), wh = s.writeHeads();
    RandomTensors rnd = new RandomTensors(80);
    // one step from a warm state: the tape is its state before, its interface, its state after, its workspace
    float[][] warm = {rnd.gaussian(b * n * w, 1), rnd.distinctUsage(b, n), rnd.link(b, wh, n),
      rnd.subWeightings(b * wh, n), rnd.subWeightings(b * r, n), rnd.subWeightings(b * wh, n)};
    MemoryState prev = state(warm), next = state(warm);
    InterfaceValues in = own(rnd.interfaceValues(b, w, r, wh).upload(kernels, s));
    Workspace saved = own(kernels.newWorkspace(s));
    kernels.memoryStep(next, in, nan(kernels, b, r, w), saved);
    float[][] gradients = {rnd.gaussian(b * n * w, 1), rnd.gaussian(b * n, 1), rnd.gaussian(b * wh * n * n, 1),
      rnd.gaussian(b * wh * n, 1), rnd.gaussian(b * r * n, 1), rnd.gaussian(b * wh * n, 1)};
    Tensor gradReads = up(kernels, rnd.gaussian(b * r * w, 1), b, r, w);
    MemoryState[] grad = new MemoryState[2];
    InterfaceValues[] gradIn = new InterfaceValues[2];
    for (int run = 0; run < 2; run++) {
      grad[run] = state(gradients);
      gradIn[run] = own(kernels.newInterface(s));
      kernels.memoryStepBackward(prev, in, next, saved, grad[run], gradReads, gradIn[run],
          own(kernels.newBackwardWorkspace(s)));
    }
    sameState("memoryStepBackward twice", grad[0], grad[1]);
    InterfaceData first = InterfaceData.download(gradIn[0]), second = InterfaceData.download(gradIn[1]);
    sameBits("memoryStepBackward twice: read keys", first.readKeys(), second.readKeys());
    sameBits("memoryStepBackward twice: write keys", first.writeKeys(), second.writeKeys());
    sameBits("memoryStepBackward twice: erase", first.eraseVectors(), second.eraseVectors());
    sameBits("memoryStepBackward twice: write vectors", first.writeVectors(), second.writeVectors());
    sameBits("memoryStepBackward twice: gates", concat(first), concat(second));
    Compare.finite("memoryStepBackward: link gradient", grad[0].link().toArray(), b, wh, n, n);
  }

  private MemoryState state(float[][] data) {
    MemoryShape s = STEP;
    int b = s.batch(), n = s.slots(), w = s.wordSize(), r = s.readHeads(), wh = s.writeHeads();
    return new MemoryState(up(kernels, data[0], b, n, w), up(kernels, data[1], b, n), up(kernels, data[2], b, wh, n, n),
        up(kernels, data[3], b, wh, n), up(kernels, data[4], b, r, n), up(kernels, data[5], b, wh, n));
  }

  // the small interface gradients end to end: strengths, gates, modes
  private static float[] concat(InterfaceData d) {
    float[][] parts = {d.readStrengths(), d.writeStrengths(), d.freeGates(), d.allocationGates(), d.writeGates(),
      d.readModes()};
    int total = 0;
    for (float[] p : parts) {
      total += p.length;
    }
    float[] out = new float[total];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  @Test
  void memoryStepIsBitwiseTheKernelsOneByOne() {
    MemoryShape s = STEP;
    int b = s.batch(), n = s.slots(), w = s.wordSize(), r = s.readHeads(), wh = s.writeHeads();
    MemoryState fused = own(kernels.newState(s)), manual = own(kernels.newState(s));
    Workspace ws = own(kernels.newWorkspace(s));
    Tensor rvFused = nan(kernels, b, r, w), rvManual = nan(kernels, b, r, w);
    Tensor alloc = nan(kernels, b, wh, n), writeContent = nan(kernels, b, wh, n), readContent = nan(kernels, b, r, n);
    Tensor fwd = nan(kernels, b, r, wh, n), bwd = nan(kernels, b, r, wh, n);
    RandomTensors rnd = new RandomTensors(78);
    for (int step = 1; step <= STEPS; step++) {
      InterfaceValues in = own(rnd.interfaceValues(b, w, r, wh).upload(kernels, s));
      kernels.memoryStep(fused, in, rvFused, ws);

      kernels.usage(manual.usage(), manual.writeWeights(), in.freeGates(), manual.readWeights(), manual.usage());
      kernels.allocation(manual.usage(), in.writeGates(), in.allocationGates(), alloc);
      kernels.contentWeights(manual.memory(), in.writeKeys(), in.writeStrengths(), writeContent);
      kernels.writeWeights(alloc, writeContent, in.writeGates(), in.allocationGates(), manual.writeWeights());
      kernels.eraseAndAdd(manual.memory(), manual.writeWeights(), in.eraseVectors(), in.writeVectors());
      kernels.linkUpdateAndWeightings(
          manual.link(), manual.precedence(), manual.writeWeights(), manual.readWeights(), fwd, bwd);
      kernels.precedence(manual.precedence(), manual.writeWeights());
      kernels.contentWeights(manual.memory(), in.readKeys(), in.readStrengths(), readContent);
      kernels.readModeMix(in.readModes(), bwd, readContent, fwd, manual.readWeights());
      kernels.read(manual.memory(), manual.readWeights(), rvManual);

      String what = "memoryStep vs kernels, step " + step;
      sameState(what, manual, fused);
      sameBits(what + " read vectors", rvManual.toArray(), rvFused.toArray());
      sameBits(what + " allocation", alloc.toArray(), ws.allocation().toArray());
      sameBits(what + " write content", writeContent.toArray(), ws.writeContent().toArray());
      sameBits(what + " read content", readContent.toArray(), ws.readContent().toArray());
      sameBits(what + " forward", fwd.toArray(), ws.forward().toArray());
      sameBits(what + " backward", bwd.toArray(), ws.backward().toArray());
    }
  }

  private static void sameState(String what, MemoryState expected, MemoryState actual) {
    sameBits(what + " memory", expected.memory().toArray(), actual.memory().toArray());
    sameBits(what + " usage", expected.usage().toArray(), actual.usage().toArray());
    sameBits(what + " link", expected.link().toArray(), actual.link().toArray());
    sameBits(what + " precedence", expected.precedence().toArray(), actual.precedence().toArray());
    sameBits(what + " readWeights", expected.readWeights().toArray(), actual.readWeights().toArray());
    sameBits(what + " writeWeights", expected.writeWeights().toArray(), actual.writeWeights().toArray());
  }

  @Test
  void fiveReadHeadsOverTwoLinkTilesMatchTheReference() {
    DncKernels ref = DncKernels.load("scalar");
    int b = 2, wh = 2, n = 300, r = 5;
    RandomTensors rnd = new RandomTensors(79);
    float[] link = rnd.link(b, wh, n), p = rnd.weightings(b * wh, n), ww = rnd.subWeightings(b * wh, n);
    float[] wr = rnd.weightings(b * r, n);
    float[][] got = new float[2][];
    float[][] fwd = new float[2][], bwd = new float[2][];
    DncKernels[] on = {ref, kernels};
    for (int i = 0; i < 2; i++) {
      Tensor l = up(on[i], link, b, wh, n, n);
      Tensor f = nan(on[i], b, r, wh, n), bw = nan(on[i], b, r, wh, n);
      on[i].linkUpdateAndWeightings(l, up(on[i], p, b, wh, n), up(on[i], ww, b, wh, n), up(on[i], wr, b, r, n), f,
          bw);
      got[i] = l.toArray();
      fwd[i] = f.toArray();
      bwd[i] = bw.toArray();
    }
    double[] linkBound = Tolerances.linkUpdate(link, p, ww, b * wh, n);
    Compare.close("link", got[0], got[1], linkBound, b, wh, n, n);
    Compare.close("forward", fwd[0], fwd[1],
        Tolerances.linkWeightings(got[0], linkBound, wr, b, r, wh, n, true), b, r, wh, n);
    Compare.close("backward", bwd[0], bwd[1],
        Tolerances.linkWeightings(got[0], linkBound, wr, b, r, wh, n, false), b, r, wh, n);
  }

  @Test
  void allocationBeyondSharedMemoryMatchesTheReferenceAndRepeats() {
    DncKernels ref = DncKernels.load("scalar");
    int b = 2, n = LARGE_SLOTS;
    RandomTensors rnd = new RandomTensors(80);
    // one write head over usages with many exact ties (the 1/1024 grid): tie-breaking by index at scale
    check(ref, rnd.usage(b * n), rnd.gates(b), rnd.gates(b), b, 1, n);
    // two write heads over distinct usages (a permutation of i/N): the second head sorts the updated copy
    float[] distinct = new float[b * n];
    for (int row = 0; row < b; row++) {
      int[] perm = rnd.permutation(n);
      for (int i = 0; i < n; i++) {
        distinct[row * n + i] = (float) perm[i] / n;
      }
    }
    check(ref, distinct, new float[] {1, 1, 0.5f, 1}, new float[] {1, 0.75f, 1, 1}, b, 2, n);
  }

  private void check(DncKernels ref, float[] usage, float[] writeGates, float[] allocGates, int b, int wh, int n) {
    float[][] out = new float[3][];
    DncKernels[] on = {ref, kernels, kernels};
    for (int i = 0; i < 3; i++) {
      Tensor a = nan(on[i], b, wh, n);
      on[i].allocation(up(on[i], usage, b, n), up(on[i], writeGates, b, wh), up(on[i], allocGates, b, wh), a);
      out[i] = a.toArray();
    }
    Compare.close("allocation N=" + n + " Wh=" + wh, out[0], out[1], Tolerances.allocation(out[0], b, wh, n), b, wh,
        n);
    sameBits("allocation N=" + n + " run twice", out[1], out[2]);
    // the least-used slot of each row gets the largest weight, on both
    for (int row = 0; row < b * wh; row++) {
      assertEquals(argMax(out[0], row * n, n), argMax(out[1], row * n, n), "least-used slot of row " + row);
    }
  }

  private static int argMax(float[] a, int from, int n) {
    int best = from;
    for (int i = from; i < from + n; i++) {
      if (a[i] > a[best]) {
        best = i;
      }
    }
    return best - from;
  }

  static void assertSameKernels(String table) {
    List<String> host = new ArrayList<>();
    for (Kernel k : Kernel.values()) {
      host.add(k.entry + ":" + k.parameters);
    }
    host.sort(null);
    List<String> device = new ArrayList<>(List.of(table.split(",")));
    device.sort(null);
    assertArrayEquals(host.toArray(), device.toArray());
  }
}
