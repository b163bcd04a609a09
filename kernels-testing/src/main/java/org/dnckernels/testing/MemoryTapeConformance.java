package org.dnckernels.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.dnckernels.DncKernels;
import org.dnckernels.InterfaceValues;
import org.dnckernels.MemoryShape;
import org.dnckernels.MemoryState;
import org.dnckernels.MemoryTape;
import org.dnckernels.Tensor;
import org.dnckernels.Workspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link MemoryTape}: backpropagation through time over a sequence, with and without checkpoints. Its gradients
 * must be the bits of the step backward called by hand on saved copies of the states (which the step's suite
 * checks against finite differences), whatever the checkpoint interval, and the same again when the tape is
 * reused for another sequence.
 */
public abstract class MemoryTapeConformance extends ConformanceBase {
  private static final String STEP = "org.dnckernels.testing.ShapeCase#memoryStep";
  /** Not a multiple of the intervals tried, so the last segment is short. */
  private static final int STEPS = 7;
  private static final String[] STATE = {"memory", "usage", "link", "precedence", "readWeights", "writeWeights"};

  /** A sequence's inputs and the loss's projections. */
  private record Sequence(float[][] initial, InterfaceData[] in, float[][] gradReadVectors, float[][] gradFinal) {
    static Sequence random(MemoryShape s, RandomTensors rnd) {
      int b = s.batch(), n = s.slots(), w = s.wordSize(), r = s.readHeads(), wh = s.writeHeads();
      float[][] initial = {
        rnd.gaussian(b * n * w, 1), rnd.distinctUsage(b, n), rnd.link(b, wh, n), rnd.subWeightings(b * wh, n),
        rnd.subWeightings(b * r, n), rnd.subWeightings(b * wh, n)
      };
      InterfaceData[] in = new InterfaceData[STEPS];
      float[][] gradReads = new float[STEPS][];
      for (int t = 0; t < STEPS; t++) {
        in[t] = rnd.interfaceValues(b, w, r, wh);
        gradReads[t] = rnd.gaussian(b * r * w, 1);
      }
      float[][] gradFinal = new float[6][];
      for (int k = 0; k < 6; k++) {
        gradFinal[k] = rnd.gaussian(initial[k].length, 1);
      }
      return new Sequence(initial, in, gradReads, gradFinal);
    }
  }

  /** What a run gives: the read vectors of every step, ∂ℓ/∂S_0 and ∂ℓ/∂in_t of every step, each flattened. */
  private record Run(float[][] reads, float[][] gradInitial, float[][][] gradIn) {}

  // =========================================================================================================

  @ParameterizedTest(name = "{0}")
  @MethodSource(STEP)
  void tapeGivesTheBitsOfTheStepBackwardCalledByHand(ShapeCase c) {
    MemoryShape s = c.shape();
    Sequence q = Sequence.random(s, c.random("byHand"));
    Run byHand = byHand(s, q);
    try (MemoryTape tape = MemoryTape.create(kernels, s, STEPS)) {
      assertSameBits(c + ", every state kept", byHand, run(tape, s, q));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(STEP)
  void checkpointsGiveTheSameBitsAsKeepingEveryState(ShapeCase c) {
    MemoryShape s = c.shape();
    Sequence q = Sequence.random(s, c.random("checkpoints"));
    Run every;
    try (MemoryTape tape = MemoryTape.create(kernels, s, STEPS)) {
      every = run(tape, s, q);
    }
    for (int k : new int[] {1, 2, MemoryTape.defaultInterval(STEPS), 4, STEPS, STEPS + 3}) {
      try (MemoryTape tape = MemoryTape.withCheckpoints(kernels, s, STEPS, k)) {
        assertSameBits(c + ", every " + k + "th state kept", every, run(tape, s, q));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(STEP)
  void aReusedTapeForgetsTheSequenceBefore(ShapeCase c) {
    MemoryShape s = c.shape();
    Sequence a = Sequence.random(s, c.random("reuseA")), b = Sequence.random(s, c.random("reuseB"));
    for (int k : new int[] {0, 3}) {
      try (MemoryTape tape = k == 0 ? MemoryTape.create(kernels, s, STEPS)
          : MemoryTape.withCheckpoints(kernels, s, STEPS, k)) {
        Run first = run(tape, s, a);
        run(tape, s, b);
        assertSameBits(c + ", interval " + k + ", the same sequence after another", first, run(tape, s, a));
      }
    }
  }

  @Test
  void aShorterSequenceThanTheTapeHoldsAndAZeroStart() {
    MemoryShape s = new MemoryShape(2, 6, 3, 2, 1);
    RandomTensors rnd = new RandomTensors(17);
    Sequence q = Sequence.random(s, rnd);
    Sequence zero = new Sequence(new float[][] {
      new float[q.initial[0].length], new float[q.initial[1].length], new float[q.initial[2].length],
      new float[q.initial[3].length], new float[q.initial[4].length], new float[q.initial[5].length]},
        q.in, q.gradReadVectors, q.gradFinal);
    Run byHand = byHand(s, zero);
    for (int k : new int[] {0, 2, 5}) {
      try (MemoryTape tape = k == 0 ? MemoryTape.create(kernels, s, STEPS + 4)
          : MemoryTape.withCheckpoints(kernels, s, STEPS + 4, k)) {
        // start() from the zero state, the same bits as start(initial) of zeros
        assertSameBits("interval " + k, byHand, run(tape, s, zero, false));
      }
    }
  }

  @Test
  void bytesKeptAddsUpTheTensorsOfOneStep() {
    MemoryShape s = new MemoryShape(3, 10, 4, 2, 2);
    long state = 0, workspace = 0, in = 0;
    try (MemoryState st = kernels.newState(s); Workspace ws = kernels.newWorkspace(s);
        InterfaceValues iv = kernels.newInterface(s)) {
      for (Tensor t : new Tensor[] {st.memory(), st.usage(), st.link(), st.precedence(), st.readWeights(),
          st.writeWeights()}) {
        state += t.size();
      }
      for (Tensor t : new Tensor[] {ws.allocation(), ws.writeContent(), ws.readContent(), ws.forward(),
          ws.backward()}) {
        workspace += t.size();
      }
      for (Tensor t : new Tensor[] {iv.readKeys(), iv.readStrengths(), iv.writeKeys(), iv.writeStrengths(),
          iv.eraseVectors(), iv.writeVectors(), iv.freeGates(), iv.allocationGates(), iv.writeGates(),
          iv.readModes()}) {
        in += t.size();
      }
    }
    assertEquals(state, MemoryTape.stateFloats(s));
    assertEquals(workspace, MemoryTape.workspaceFloats(s));
    assertEquals(in, MemoryTape.interfaceFloats(s));
    // T = 10: 11 states and 10 workspaces kept, or 4 checkpoints (k = 3), a segment of 3 and the running state
    long gradient = state + workspace;
    assertEquals(4 * (11 * state + 10 * workspace + 10 * in + gradient), MemoryTape.bytesKept(s, 10, 0));
    assertEquals(4 * ((4 + 3 + 1) * state + (3 + 1) * workspace + 10 * in + gradient + 3 * 2 * 4),
        MemoryTape.bytesKept(s, 10, 3));
    try (MemoryTape tape = MemoryTape.withCheckpoints(kernels, s, 10, 3)) {
      assertEquals(MemoryTape.bytesKept(s, 10, 3), tape.bytesKept());
    }
  }

  @Test
  void defaultIntervalIsTheCeilingOfTheSquareRoot() {
    assertEquals(1, MemoryTape.defaultInterval(1));
    assertEquals(2, MemoryTape.defaultInterval(2));
    assertEquals(3, MemoryTape.defaultInterval(9));
    assertEquals(4, MemoryTape.defaultInterval(10));
    assertEquals(10, MemoryTape.defaultInterval(100));
  }

  @Test
  void misuseIsRefusedAndChangesNothing() {
    MemoryShape s = new MemoryShape(2, 5, 3, 2, 1);
    Sequence q = Sequence.random(s, new RandomTensors(5));
    try (MemoryTape tape = MemoryTape.withCheckpoints(kernels, s, 2, 1)) {
      tape.start(state(s, q.initial));
      Tensor reads = own(kernels.allocate(s.batch(), s.readHeads(), s.wordSize()));
      InterfaceValues in = own(q.in[0].upload(kernels, s));
      InterfaceValues gradIn = own(kernels.newInterface(s));
      assertThrows(IllegalStateException.class, () -> tape.backwardStep(reads, gradIn), "no step recorded");
      float[] before = tape.state().memory().toArray();
      Tensor wrongReads = own(kernels.allocate(s.batch(), s.readHeads(), s.wordSize() + 1));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tape.step(in, wrongReads));
      assertTrue(e.getMessage().startsWith("readVectors:"), e::getMessage);
      assertEquals(0, tape.steps(), "a refused step was recorded");
      assertArrayEquals(before, tape.state().memory().toArray(), "a refused step changed the state");
      tape.step(in, reads);
      tape.step(in, reads);
      assertThrows(IllegalStateException.class, () -> tape.step(in, reads), "past maxSteps");
      tape.backwardStep(reads, gradIn);
      assertThrows(IllegalStateException.class, () -> tape.step(in, reads), "a step after the backward began");
      tape.backwardStep(reads, gradIn);
      assertThrows(IllegalStateException.class, () -> tape.backwardStep(reads, gradIn), "every step done");
      MemoryState other = own(kernels.newState(new MemoryShape(2, 6, 3, 2, 1)));
      IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> tape.start(other));
      assertTrue(shape.getMessage().startsWith("initial:"), shape::getMessage);
    }
    assertThrows(IllegalArgumentException.class, () -> MemoryTape.create(kernels, s, 0));
    assertThrows(IllegalArgumentException.class, () -> MemoryTape.withCheckpoints(kernels, s, 4, 0));
  }

  // =========================================================================================================

  private Run run(MemoryTape tape, MemoryShape s, Sequence q) {
    return run(tape, s, q, true);
  }

  /** A whole sequence on {@code tape}: start, the steps, the final state's gradient, the steps backward. */
  private Run run(MemoryTape tape, MemoryShape s, Sequence q, boolean fromInitial) {
    int b = s.batch(), r = s.readHeads(), w = s.wordSize();
    if (fromInitial) {
      tape.start(state(s, q.initial));
    } else {
      tape.start();
    }
    Tensor reads = own(kernels.allocate(b, r, w));
    float[][] readsOut = new float[STEPS][];
    InterfaceValues in = own(kernels.newInterface(s));
    for (int t = 0; t < STEPS; t++) {
      // the same tensors every step: the tape copies them
      load(q.in[t], in, s);
      tape.step(in, reads);
      readsOut[t] = reads.toArray();
    }
    add(tape.gradState(), q.gradFinal);
    float[][][] gradIn = new float[STEPS][][];
    Tensor gradReads = own(kernels.allocate(b, r, w));
    InterfaceValues g = own(kernels.newInterface(s));
    for (int t = STEPS - 1; t >= 0; t--) {
      gradReads.copyFrom(q.gradReadVectors[t], 0);
      zero(g);
      tape.backwardStep(gradReads, g);
      gradIn[t] = MemoryStepGradientConformance.components(g);
    }
    assertEquals(0, tape.stepsLeft());
    return new Run(readsOut, MemoryStepGradientConformance.components(tape.gradState()), gradIn);
  }

  /** The same sequence with {@link DncKernels#memoryStepBackward} on states copied by hand. */
  private Run byHand(MemoryShape s, Sequence q) {
    int b = s.batch(), r = s.readHeads(), w = s.wordSize();
    MemoryState[] states = new MemoryState[STEPS + 1];
    Workspace[] saved = new Workspace[STEPS];
    InterfaceValues[] in = new InterfaceValues[STEPS];
    states[0] = state(s, q.initial);
    Tensor reads = own(kernels.allocate(b, r, w));
    float[][] readsOut = new float[STEPS][];
    for (int t = 0; t < STEPS; t++) {
      states[t + 1] = own(kernels.newState(s));
      kernels.copy(states[t], states[t + 1]);
      saved[t] = own(kernels.newWorkspace(s));
      in[t] = own(q.in[t].upload(kernels, s));
      kernels.memoryStep(states[t + 1], in[t], reads, saved[t]);
      readsOut[t] = reads.toArray();
    }
    MemoryState grad = own(kernels.newState(s));
    add(grad, q.gradFinal);
    float[][][] gradIn = new float[STEPS][][];
    var scratch = own(kernels.newBackwardWorkspace(s));
    Tensor gradReads = own(kernels.allocate(b, r, w));
    for (int t = STEPS - 1; t >= 0; t--) {
      gradReads.copyFrom(q.gradReadVectors[t], 0);
      InterfaceValues g = own(kernels.newInterface(s));
      kernels.memoryStepBackward(states[t], in[t], states[t + 1], saved[t], grad, gradReads, g, scratch);
      gradIn[t] = MemoryStepGradientConformance.components(g);
    }
    return new Run(readsOut, MemoryStepGradientConformance.components(grad), gradIn);
  }

  private MemoryState state(MemoryShape s, float[][] values) {
    MemoryState st = own(kernels.newState(s));
    Tensor[] parts = parts(st);
    for (int k = 0; k < 6; k++) {
      parts[k].copyFrom(values[k], 0);
    }
    return st;
  }

  private static void add(MemoryState grad, float[][] values) {
    Tensor[] parts = parts(grad);
    for (int k = 0; k < 6; k++) {
      float[] v = parts[k].toArray();
      for (int i = 0; i < v.length; i++) {
        v[i] += values[k][i];
      }
      parts[k].copyFrom(v, 0);
    }
  }

  private void load(InterfaceData d, InterfaceValues into, MemoryShape s) {
    try (InterfaceValues up = d.upload(kernels, s)) {
      kernels.copy(up, into);
    }
  }

  private static void zero(InterfaceValues v) {
    for (Tensor t : new Tensor[] {v.readKeys(), v.readStrengths(), v.writeKeys(), v.writeStrengths(),
        v.eraseVectors(), v.writeVectors(), v.freeGates(), v.allocationGates(), v.writeGates(), v.readModes()}) {
      t.fill(0f);
    }
  }

  private static Tensor[] parts(MemoryState st) {
    return new Tensor[] {st.memory(), st.usage(), st.link(), st.precedence(), st.readWeights(), st.writeWeights()};
  }

  private static void assertSameBits(String what, Run expected, Run actual) {
    for (int t = 0; t < STEPS; t++) {
      assertBits(what + ": r_" + t, expected.reads[t], actual.reads[t]);
    }
    for (int k = 0; k < 6; k++) {
      assertBits(what + ": ∂ℓ/∂S_0." + STATE[k], expected.gradInitial[k], actual.gradInitial[k]);
    }
    for (int t = 0; t < STEPS; t++) {
      for (int k = 0; k < expected.gradIn[t].length; k++) {
        assertBits(what + ": ∂ℓ/∂in_" + t + " part " + k, expected.gradIn[t][k], actual.gradIn[t][k]);
      }
    }
  }

  private static void assertBits(String what, float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
        throw new AssertionError(what + " [" + i + "]: expected " + expected[i] + " but was " + actual[i]
            + " (" + Arrays.toString(Arrays.copyOfRange(actual, Math.max(0, i - 2), Math.min(actual.length, i + 3)))
            + " around it)");
      }
    }
  }
}
