package org.dnckernels.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import org.dnckernels.BackwardWorkspace;
import org.dnckernels.DncKernels;
import org.dnckernels.InterfaceValues;
import org.dnckernels.MemoryShape;
import org.dnckernels.MemoryState;
import org.dnckernels.Tensor;
import org.dnckernels.Workspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conformance of {@code memoryStepBackward}: backpropagation through five steps against central differences of a
 * loss over the five steps in double ({@link DoubleMemoryStep}), with one and two write heads; the step's backward
 * against the kernels' backwards called one by one; against the reference; finite gradients from the zero state
 * (tied usages) and with huge strengths; and the rejection of null records and workspaces of another shape.
 *
 * <p>The loss is ℓ = Σ_t g_t·r_t + G·S_T: random projections of every step's read vectors and of the final
 * state. The tape is what {@code memoryStepBackward}'s javadoc asks for: a copy of the state before each step
 * and each step's workspace.
 */
public abstract class MemoryStepGradientConformance extends ConformanceBase {
  private static final String STEP = "org.dnckernels.testing.ShapeCase#memoryStep";
  private static final int STEPS = 5;
  private static final String[] STATE = {"memory", "usage", "link", "precedence", "readWeights", "writeWeights"};
  private static final String[] INTERFACE = {"readKeys", "readStrengths", "writeKeys", "writeStrengths",
    "eraseVectors", "writeVectors", "freeGates", "allocationGates", "writeGates", "readModes"};

  /** Small shapes for the finite differences over five steps (every input element is differenced). */
  static List<ShapeCase> overTime() {
    List<ShapeCase> out = new ArrayList<>();
    long seed = 5100;
    for (int wh = 1; wh <= 2; wh++) {
      out.add(new ShapeCase(2, 5, 3, 2, wh, seed++));
      out.add(new ShapeCase(1, 7, 4, 1, wh, seed++));
      out.add(new ShapeCase(3, 4, 2, 3, wh, seed++));
    }
    return out;
  }

  // =========================================================================================================
  // finite differences over five steps

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.dnckernels.testing.MemoryStepGradientConformance#overTime")
  void backpropagationThroughFiveStepsMatchesFiniteDifferences(ShapeCase c) {
    MemoryShape s = c.shape();
    RandomTensors rnd = c.random("bptt");
    Episode e = Episode.separated(s, rnd);
    Tape tape = forward(kernels, s, e);
    Gradients g = backward(kernels, s, e, tape);

    // the same loss in double, on the float inputs widened
    double[][] inputs = new double[6 + 10 * STEPS][];
    for (int k = 0; k < 6; k++) {
      inputs[k] = GradientCheck.widen(e.initial[k]);
    }
    for (int t = 0; t < STEPS; t++) {
      for (int k = 0; k < 10; k++) {
        inputs[6 + 10 * t + k] = GradientCheck.widen(component(e.in[t], k));
      }
    }
    // ℓ measured from its value at the inputs (GradientCheck): the outputs of the unperturbed episode
    double[][][] base = episode(inputs, s);
    GradientCheck.Loss loss = x -> {
      double[][][] run = episode(x, s);
      double l = 0;
      for (int t = 0; t < STEPS; t++) {
        l += GradientCheck.project(e.gradReadVectors[t], run[0][t], base[0][t]);
      }
      for (int k = 0; k < 6; k++) {
        l += GradientCheck.project(e.gradFinal[k], run[1][k], base[1][k]);
      }
      return l;
    };
    // the reference to the step's bar; another backend to that bar plus its bound against the reference
    double rtol = kernels.getClass() == reference().getClass() ? OVER_TIME_RTOL : OVER_TIME_RTOL + REFERENCE_RTOL;
    for (int k = 0; k < 6; k++) {
      GradientCheck.assertClose(c + ": ∂ℓ/∂S_0." + STATE[k], g.initial[k], GradientCheck.numeric(loss, inputs, k),
          rtol, OVER_TIME_FLOOR);
    }
    for (int t = 0; t < STEPS; t++) {
      for (int k = 0; k < 10; k++) {
        GradientCheck.assertClose(c + ": ∂ℓ/∂in_" + (t + 1) + "." + INTERFACE[k], g.in[t][k],
            GradientCheck.numeric(loss, inputs, 6 + 10 * t + k), rtol, OVER_TIME_FLOOR);
      }
    }
  }

  /** The episode in double: {read vectors of every step, the final state}. */
  private static double[][][] episode(double[][] x, MemoryShape s) {
    double[][] state = new double[6][];
    System.arraycopy(x, 0, state, 0, 6);
    double[][] reads = new double[STEPS][];
    for (int t = 0; t < STEPS; t++) {
      double[][] in = new double[10][];
      System.arraycopy(x, 6 + 10 * t, in, 0, 10);
      double[][] next = DoubleMemoryStep.step(state, in, s);
      reads[t] = next[6];
      System.arraycopy(next, 0, state, 0, 6);
    }
    return new double[][][] {reads, state};
  }

  /**
   * The bar over five steps. The backend differentiates its own float trajectory: every state it saves is
   * rounded to float each step (u relative), and the differences run along the exact double trajectory. A
   * gradient evaluated δ away from the exact point is off by about κ·δ, κ the conditioning of the step in its
   * inputs (softmaxes with β ≤ 4, products of gates; a few tens), compounded over five steps: a few hundred u,
   * i.e. up to about 3e-5 relative; 1e-4 keeps headroom and is still 100 times tighter than DeepMind's 1e-2. The
   * single kernels are held to {@link GradientCheck#RTOL} by their own suites.
   */
  static final double OVER_TIME_RTOL = 1e-4;

  /**
   * The floor over five steps, a fraction of the tensor's largest gradient: a gradient of the step collects tens
   * of float-rounded contributions of up to that size (every kernel's backward, five steps), so an element that
   * cancels carries an absolute error of some tens of u times it. OVER_TIME_RTOL × 1e-2 = 1e-6 ≈ 17u.
   */
  static final double OVER_TIME_FLOOR = 1e-2;

  // =========================================================================================================
  // the step against its kernels, the reference, edge cases

  @ParameterizedTest(name = "{0}")
  @MethodSource(STEP)
  void stepBackwardEqualsTheKernelsBackwardsOneByOne(ShapeCase c) {
    MemoryShape s = c.shape();
    Episode e = Episode.random(s, c.random("oneByOne"));
    Tape tape = forward(kernels, s, e);
    Gradients whole = backward(kernels, s, e, tape);
    Gradients parts = backwardKernelByKernel(s, e, tape);
    // the same kernels on the same inputs: only the split of the batch over threads may differ, and no kernel's
    // result depends on it, so the two agree to the last bit
    for (int k = 0; k < 6; k++) {
      assertBitwise(c + ": ∂ℓ/∂S_0." + STATE[k], parts.initial[k], whole.initial[k]);
    }
    for (int t = 0; t < STEPS; t++) {
      for (int k = 0; k < 10; k++) {
        assertBitwise(c + ": ∂ℓ/∂in_" + (t + 1) + "." + INTERFACE[k], parts.in[t][k], whole.in[t][k]);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(STEP)
  void stepBackwardMatchesReference(ShapeCase c) {
    assumeNotReference();
    MemoryShape s = c.shape();
    Episode e = Episode.random(s, c.random("reference"));
    // both backends differentiate the reference's trajectory, so only the backwards differ
    Tape refTape = forward(reference(), s, e);
    Gradients expected = backward(reference(), s, e, refTape);
    Gradients actual = backward(kernels, s, e, refTape.on(this, kernels, s));
    for (int k = 0; k < 6; k++) {
      GradientCheck.assertClose(c + ": ∂ℓ/∂S_0." + STATE[k], actual.initial[k],
          GradientCheck.widen(expected.initial[k]), REFERENCE_RTOL, GradientCheck.FLOOR);
    }
    for (int t = 0; t < STEPS; t++) {
      for (int k = 0; k < 10; k++) {
        if (s.wordSize() == 1 && k < 4) {
          // W = 1: every cosine is ±1 up to its ε terms, so the key and strength gradients are O(1) terms
          // cancelling down to O(ε); their error is relative to those terms, which the content suite's bound
          // (Σ|terms|) sees and this comparison does not
          continue;
        }
        GradientCheck.assertClose(c + ": ∂ℓ/∂in_" + (t + 1) + "." + INTERFACE[k], actual.in[t][k],
            GradientCheck.widen(expected.in[t][k]), REFERENCE_RTOL, GradientCheck.FLOOR);
      }
    }
  }

  /**
   * A backend's step backward against the reference's, on the reference's tape (so only the backwards differ):
   * ten kernels' backwards per step, each within its own cross-check bound of the reference (at most a few
   * hundred float roundings, relative), composed over five steps whose gradients pass through factors of
   * magnitude at most about 1 (gates, weightings, β ≤ 4): 1e-4 relative to the element, with the floor of
   * {@link GradientCheck#FLOOR} of the tensor's largest gradient.
   */
  private static final double REFERENCE_RTOL = 1e-4;

  @Test
  void stepBackwardFromTheZeroStateIsFinite() {
    for (int wh = 1; wh <= 2; wh++) {
      MemoryShape s = new MemoryShape(2, 6, 4, 2, wh);
      RandomTensors rnd = new RandomTensors(5300 + wh);
      Episode e = Episode.random(s, rnd);
      for (int k = 0; k < 6; k++) {
        java.util.Arrays.fill(e.initial[k], 0f); // all usages tied at 0, zero memory rows
      }
      for (InterfaceData d : e.in) {
        java.util.Arrays.fill(d.writeStrengths(), 1e30f);
        java.util.Arrays.fill(d.readStrengths(), 1e30f);
        java.util.Arrays.fill(d.freeGates(), 1f);
        java.util.Arrays.fill(d.writeGates(), 1f);
        java.util.Arrays.fill(d.allocationGates(), 1f);
        java.util.Arrays.fill(d.eraseVectors(), 1f);
      }
      Gradients g = backward(kernels, s, e, forward(kernels, s, e));
      for (int k = 0; k < 6; k++) {
        Compare.finite("Wh " + wh + ": ∂ℓ/∂S_0." + STATE[k], g.initial[k], g.initial[k].length);
      }
      for (int t = 0; t < STEPS; t++) {
        for (int k = 0; k < 10; k++) {
          Compare.finite("Wh " + wh + ": ∂ℓ/∂in_" + (t + 1) + "." + INTERFACE[k], g.in[t][k], g.in[t][k].length);
        }
      }
    }
  }

  @Test
  void stepBackwardRejectsNullRecordsAndWorkspacesOfAnotherShape() {
    MemoryShape s = new MemoryShape(2, 5, 3, 2, 2), other = new MemoryShape(2, 5, 4, 2, 2);
    MemoryState prev = own(kernels.newState(s)), next = own(kernels.newState(s)), grad = own(kernels.newState(s));
    InterfaceValues in = own(kernels.newInterface(s)), gradIn = own(kernels.newInterface(s));
    Workspace saved = own(kernels.newWorkspace(s));
    BackwardWorkspace scratch = own(kernels.newBackwardWorkspace(s));
    Tensor gr = filled(kernels, 1f, 2, 2, 3);
    expect("prev", () -> kernels.memoryStepBackward(null, in, next, saved, grad, gr, gradIn, scratch));
    expect("in", () -> kernels.memoryStepBackward(prev, null, next, saved, grad, gr, gradIn, scratch));
    expect("next", () -> kernels.memoryStepBackward(prev, in, null, saved, grad, gr, gradIn, scratch));
    expect("saved", () -> kernels.memoryStepBackward(prev, in, next, null, grad, gr, gradIn, scratch));
    expect("grad", () -> kernels.memoryStepBackward(prev, in, next, saved, null, gr, gradIn, scratch));
    expect("gradIn", () -> kernels.memoryStepBackward(prev, in, next, saved, grad, gr, null, scratch));
    expect("scratch", () -> kernels.memoryStepBackward(prev, in, next, saved, grad, gr, gradIn, null));
    Workspace wrongSaved = own(kernels.newWorkspace(other));
    BackwardWorkspace wrongScratch = own(kernels.newBackwardWorkspace(other));
    float[] before = grad.memory().toArray();
    expect("saved", () -> kernels.memoryStepBackward(prev, in, next, wrongSaved, grad, gr, gradIn, scratch));
    expect("scratch", () -> kernels.memoryStepBackward(prev, in, next, saved, grad, gr, gradIn, wrongScratch));
    assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(grad.memory().toArray()),
        "a rejected call wrote the gradient");
  }

  private static void expect(String name, Runnable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run, name);
    assertTrue(e.getMessage().startsWith(name + ":"), () -> "message should name " + name + ": " + e.getMessage());
  }

  // =========================================================================================================
  // episodes, tapes and the backward pass

  /** The inputs of a five-step episode and the projections of the loss. */
  private record Episode(float[][] initial, InterfaceData[] in, float[][] gradReadVectors, float[][] gradFinal) {
    /** Smallest gap between two slots' remapped usages, at every step and head, for {@link #separated}. */
    static final double USAGE_GAP = 1e-4;

    /**
     * An episode away from the allocation's ties: gates strictly inside (0.05, 0.95), and redrawn until the
     * usages every head sorts, at every step, are at least {@link #USAGE_GAP} apart. The sort order is then the
     * same along the float trajectory the backend differentiates, along the double trajectory of the
     * differences, and under their steps; at a tie the two orders may differ and the gradient jumps by O(1)
     * (docs/precision.md, "Ties in the allocation").
     */
    static Episode separated(MemoryShape s, RandomTensors rnd) {
      for (int attempt = 0; attempt < 1000; attempt++) {
        Episode e = random(s, rnd);
        for (InterfaceData d : e.in) {
          for (float[] gates : new float[][] {d.freeGates(), d.allocationGates(), d.writeGates(), d.eraseVectors()}) {
            for (int i = 0; i < gates.length; i++) {
              gates[i] = (float) (0.05 + 0.9 * rnd.uniform());
            }
          }
        }
        if (usageGap(e, s) >= USAGE_GAP) {
          return e;
        }
      }
      throw new IllegalStateException(s + ": no episode with usages " + USAGE_GAP + " apart in 1000 draws");
    }

    private static double usageGap(Episode e, MemoryShape s) {
      int b = s.batch(), n = s.slots(), wh = s.writeHeads();
      double[][] state = new double[6][];
      for (int k = 0; k < 6; k++) {
        state[k] = GradientCheck.widen(e.initial[k]);
      }
      double gap = Double.POSITIVE_INFINITY;
      for (int t = 0; t < STEPS; t++) {
        double[][] in = new double[10][];
        for (int k = 0; k < 10; k++) {
          in[k] = GradientCheck.widen(component(e.in[t], k));
        }
        double[][] next = DoubleMemoryStep.step(state, in, s);
        double[] heads = DoubleAllocation.headUsages(next[1], in[8], in[7], b, n, wh);
        for (int row = 0; row < b * wh; row++) {
          double[] u = java.util.Arrays.copyOfRange(heads, row * n, row * n + n);
          java.util.Arrays.sort(u);
          for (int i = 1; i < n; i++) {
            gap = Math.min(gap, u[i] - u[i - 1]);
          }
        }
        System.arraycopy(next, 0, state, 0, 6);
      }
      return gap;
    }

    static Episode random(MemoryShape s, RandomTensors rnd) {
      int b = s.batch(), n = s.slots(), w = s.wordSize(), r = s.readHeads(), wh = s.writeHeads();
      // a warm state without ties: distinct rows and usages, a valid link matrix
      float[][] initial = {
        rnd.gaussian(b * n * w, 1), rnd.distinctUsage(b, n), rnd.link(b, wh, n), rnd.subWeightings(b * wh, n),
        rnd.subWeightings(b * r, n), rnd.subWeightings(b * wh, n)
      };
      InterfaceData[] in = new InterfaceData[STEPS];
      float[][] gradReadVectors = new float[STEPS][];
      for (int t = 0; t < STEPS; t++) {
        in[t] = rnd.interfaceValues(b, w, r, wh);
        // moderate strengths: the finite differences see the softmax's conditioning, which grows with β
        for (float[] strengths : new float[][] {in[t].readStrengths(), in[t].writeStrengths()}) {
          for (int i = 0; i < strengths.length; i++) {
            strengths[i] = (float) (1 + 3 * rnd.uniform());
          }
        }
        gradReadVectors[t] = rnd.gaussian(b * r * w, 1);
      }
      float[][] gradFinal = new float[6][];
      for (int k = 0; k < 6; k++) {
        gradFinal[k] = rnd.gaussian(initial[k].length, 1);
      }
      return new Episode(initial, in, gradReadVectors, gradFinal);
    }
  }

  /** The states S_0..S_T and each step's workspace, on one backend. */
  private record Tape(MemoryState[] states, InterfaceValues[] in, Workspace[] saved) {
    /** The same tape's values on another backend (for the reference cross-check). */
    Tape on(ConformanceBase owner, DncKernels other, MemoryShape s) {
      MemoryState[] st = new MemoryState[states.length];
      for (int t = 0; t < st.length; t++) {
        st[t] = copyState(owner, other, states[t]);
      }
      InterfaceValues[] iv = new InterfaceValues[in.length];
      Workspace[] ws = new Workspace[saved.length];
      for (int t = 0; t < in.length; t++) {
        iv[t] = owner.own(InterfaceData.download(in[t]).upload(other, s));
        ws[t] = owner.own(other.newWorkspace(s));
        copy(saved[t].allocation(), ws[t].allocation());
        copy(saved[t].writeContent(), ws[t].writeContent());
        copy(saved[t].readContent(), ws[t].readContent());
        copy(saved[t].forward(), ws[t].forward());
        copy(saved[t].backward(), ws[t].backward());
      }
      return new Tape(st, iv, ws);
    }
  }

  private static void copy(Tensor from, Tensor to) {
    to.copyFrom(from.toArray(), 0);
  }

  private static MemoryState copyState(ConformanceBase owner, DncKernels on, MemoryState s) {
    return new MemoryState(owner.upload(on, s.memory().toArray(), s.memory().shape()),
        owner.upload(on, s.usage().toArray(), s.usage().shape()),
        owner.upload(on, s.link().toArray(), s.link().shape()),
        owner.upload(on, s.precedence().toArray(), s.precedence().shape()),
        owner.upload(on, s.readWeights().toArray(), s.readWeights().shape()),
        owner.upload(on, s.writeWeights().toArray(), s.writeWeights().shape()));
  }

  private Tape forward(DncKernels on, MemoryShape s, Episode e) {
    MemoryState[] states = new MemoryState[STEPS + 1];
    InterfaceValues[] in = new InterfaceValues[STEPS];
    Workspace[] saved = new Workspace[STEPS];
    int b = s.batch(), n = s.slots(), w = s.wordSize(), r = s.readHeads(), wh = s.writeHeads();
    MemoryState live = new MemoryState(upload(on, e.initial[0], b, n, w), upload(on, e.initial[1], b, n),
        upload(on, e.initial[2], b, wh, n, n), upload(on, e.initial[3], b, wh, n), upload(on, e.initial[4], b, r, n),
        upload(on, e.initial[5], b, wh, n));
    states[0] = copyState(this, on, live);
    Tensor rv = filled(on, Float.NaN, b, r, w);
    for (int t = 0; t < STEPS; t++) {
      in[t] = own(e.in[t].upload(on, s));
      saved[t] = own(on.newWorkspace(s));
      on.memoryStep(live, in[t], rv, saved[t]);
      states[t + 1] = copyState(this, on, live);
    }
    return new Tape(states, in, saved);
  }

  /** ∂ℓ/∂S_0 and ∂ℓ/∂in_t, as host arrays. */
  private record Gradients(float[][] initial, float[][][] in) {}

  private Gradients backward(DncKernels on, MemoryShape s, Episode e, Tape tape) {
    int b = s.batch(), r = s.readHeads(), w = s.wordSize();
    MemoryState grad = stateOf(on, s, e.gradFinal);
    BackwardWorkspace scratch = own(on.newBackwardWorkspace(s));
    float[][][] in = new float[STEPS][][];
    for (int t = STEPS - 1; t >= 0; t--) {
      InterfaceValues gradIn = own(on.newInterface(s));
      on.memoryStepBackward(tape.states[t], tape.in[t], tape.states[t + 1], tape.saved[t], grad,
          upload(on, e.gradReadVectors[t], b, r, w), gradIn, scratch);
      in[t] = components(gradIn);
    }
    return new Gradients(components(grad), in);
  }

  // the step backward's documented order, kernel by kernel through the facade, on the backend under test
  private Gradients backwardKernelByKernel(MemoryShape s, Episode e, Tape tape) {
    int b = s.batch(), n = s.slots(), w = s.wordSize(), r = s.readHeads(), wh = s.writeHeads();
    DncKernels k = kernels;
    MemoryState grad = stateOf(k, s, e.gradFinal);
    float[][][] in = new float[STEPS][][];
    for (int t = STEPS - 1; t >= 0; t--) {
      MemoryState prev = tape.states[t], next = tape.states[t + 1];
      InterfaceValues iv = tape.in[t];
      Workspace saved = tape.saved[t];
      InterfaceValues gi = own(k.newInterface(s));
      Tensor dAlloc = filled(k, 0f, b, wh, n), dWriteContent = filled(k, 0f, b, wh, n);
      Tensor dReadContent = filled(k, 0f, b, r, n);
      Tensor dForward = filled(k, 0f, b, r, wh, n), dBackward = filled(k, 0f, b, r, wh, n);
      k.readBackward(next.memory(), next.readWeights(), upload(k, e.gradReadVectors[t], b, r, w), grad.memory(),
          grad.readWeights());
      k.readModeMixBackward(iv.readModes(), saved.backward(), saved.readContent(), saved.forward(),
          grad.readWeights(), gi.readModes(), dBackward, dReadContent, dForward);
      grad.readWeights().fill(0f);
      k.contentWeightsBackward(next.memory(), iv.readKeys(), iv.readStrengths(), saved.readContent(), dReadContent,
          grad.memory(), gi.readKeys(), gi.readStrengths());
      k.precedenceBackward(prev.precedence(), next.writeWeights(), grad.precedence(), grad.writeWeights());
      k.linkUpdateAndWeightingsBackward(prev.link(), prev.precedence(), next.writeWeights(), prev.readWeights(),
          dForward, dBackward, grad.link(), grad.precedence(), grad.writeWeights(), grad.readWeights());
      k.eraseAndAddBackward(prev.memory(), next.writeWeights(), iv.eraseVectors(), iv.writeVectors(), grad.memory(),
          grad.writeWeights(), gi.eraseVectors(), gi.writeVectors());
      k.writeWeightsBackward(saved.allocation(), saved.writeContent(), iv.writeGates(), iv.allocationGates(),
          grad.writeWeights(), dAlloc, dWriteContent, gi.writeGates(), gi.allocationGates());
      grad.writeWeights().fill(0f);
      k.contentWeightsBackward(prev.memory(), iv.writeKeys(), iv.writeStrengths(), saved.writeContent(),
          dWriteContent, grad.memory(), gi.writeKeys(), gi.writeStrengths());
      k.allocationBackward(next.usage(), iv.writeGates(), iv.allocationGates(), dAlloc, grad.usage(), gi.writeGates(),
          gi.allocationGates());
      k.usageBackward(prev.usage(), prev.writeWeights(), iv.freeGates(), prev.readWeights(), grad.usage(),
          grad.usage(), grad.writeWeights(), gi.freeGates(), grad.readWeights());
      in[t] = components(gi);
    }
    return new Gradients(components(grad), in);
  }

  private MemoryState stateOf(DncKernels on, MemoryShape s, float[][] data) {
    int b = s.batch(), n = s.slots(), w = s.wordSize(), r = s.readHeads(), wh = s.writeHeads();
    return new MemoryState(upload(on, data[0].clone(), b, n, w), upload(on, data[1].clone(), b, n),
        upload(on, data[2].clone(), b, wh, n, n), upload(on, data[3].clone(), b, wh, n),
        upload(on, data[4].clone(), b, r, n), upload(on, data[5].clone(), b, wh, n));
  }

  /** The six parts of a state, in the record's order, downloaded (for the tape's suite too). */
  static float[][] components(MemoryState s) {
    return new float[][] {s.memory().toArray(), s.usage().toArray(), s.link().toArray(), s.precedence().toArray(),
      s.readWeights().toArray(), s.writeWeights().toArray()};
  }

  /** The ten parts of interface values, in the record's order, downloaded (for the tape's suite too). */
  static float[][] components(InterfaceValues v) {
    InterfaceData d = InterfaceData.download(v);
    float[][] out = new float[10][];
    for (int k = 0; k < 10; k++) {
      out[k] = component(d, k);
    }
    return out;
  }

  private static float[] component(InterfaceData d, int k) {
    return switch (k) {
      case 0 -> d.readKeys();
      case 1 -> d.readStrengths();
      case 2 -> d.writeKeys();
      case 3 -> d.writeStrengths();
      case 4 -> d.eraseVectors();
      case 5 -> d.writeVectors();
      case 6 -> d.freeGates();
      case 7 -> d.allocationGates();
      case 8 -> d.writeGates();
      default -> d.readModes();
    };
  }

  private static void assertBitwise(String what, float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
        fail(what + ": element " + i + " is " + actual[i] + " but the kernels one by one give " + expected[i]);
      }
    }
  }
}
