package org.dnckernels.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.dnckernels.DncKernels;
import org.dnckernels.MemoryState;
import org.dnckernels.testing.GradientCheck;
import org.junit.jupiter.api.Test;

/**
 * The whole model's gradient (controller, interface split, three memory steps through the tape, output layer)
 * against central differences of {@link DoubleDnc}, the same forward in double, for every parameter.
 *
 * <p><b>The differences.</b> Step h = 10⁻⁶·max(1, |θ|), the loss measured from its value at θ₀: truncation about
 * h²|ℓ'''|/6 and cancellation about 2⁻⁵³|ℓ|/h, both near 10⁻¹⁰ of the gradients here (as in kernels-testing's
 * {@code GradientCheck}).
 *
 * <p><b>The bar: {@code |analytic − numeric| ≤ 1e-4·(|numeric| + 1e-2·max|numeric|)} per parameter tensor
 * (LSTM W, b; W_ξ, b_ξ; W_y, b_y).</b> The analytic gradient is the float model's: it differentiates its own
 * float trajectory (the controller, the split and every memory state rounded to float at each step), while the
 * differences follow the exact double one. That is kernels-testing's {@code MemoryStepGradientConformance}
 * situation, whose bar for five steps is 10⁻⁴ relative with a floor of 10⁻⁶ of the largest gradient (a gradient
 * evaluated δ away is off by about κδ, κ the step's conditioning, a few tens, compounded over the steps: a few
 * hundred u = 2⁻²⁴). Here three steps; the controller adds the float rounding of its own sums (at most
 * (in + H)·u ≈ 1e-6 of their terms' magnitudes at the default sizes, fewer here); each parameter gradient is a
 * sum over B·T = 6 such terms. The same 10⁻⁴ and 10⁻⁶ apply.
 *
 * <p>The episode starts from a warm state without ties (distinct usages, random memory) and the test asserts
 * that usages stay at least 10⁻⁴ apart over the steps: at a tie the float and the double trajectories may sort
 * the slots differently and the gradient jumps by O(1) (docs/precision.md).
 */
class ModelGradientTest {
  static final double RTOL = 1e-4;
  static final double FLOOR = 1e-2;

  @Test
  void wholeModelMatchesFiniteDifferencesOverThreeSteps() {
    DncModel.Sizes sizes = new DncModel.Sizes(2, 5, 3, 2, 6, 2);
    try (DncKernels k = DncKernels.load("scalar");
        DncModel model = new DncModel(k, sizes, 3, 0, 7)) {
      CopySequences.Batch batch = new CopySequences(2, 1, 1, 11).next(2); // length 1: input, delimiter, output
      float[][] warm = warmState(sizes, new SplittableRandom(5));
      MemoryState initial = k.newState(sizes.memoryShape());
      upload(initial, warm);
      // weights large enough that the memory's outputs matter (the defaults' output layer would be tiny here)
      float[] p = model.parameters();
      SplittableRandom r = new SplittableRandom(9);
      for (int i = 0; i < p.length; i++) {
        p[i] = (float) (0.6 * (2 * r.nextDouble() - 1));
      }
      model.forward(batch, initial);
      model.backward(batch);
      float[] analytic = model.gradients().clone();

      DoubleDnc reference = new DoubleDnc(sizes);
      double[][] state0 = GradientCheck.widen(warm);
      double[] theta = GradientCheck.widen(p);
      double[] gap = new double[1];
      double loss0 = reference.run(theta, batch, state0, gap);
      assertTrue(gap[0] >= 1e-4, "the episode comes within " + gap[0] + " of a usage tie: pick another seed");
      double[] numeric = new double[theta.length];
      for (int i = 0; i < theta.length; i++) {
        double saved = theta[i], h = GradientCheck.STEP * Math.max(1, Math.abs(saved));
        theta[i] = saved + h;
        double up = reference.loss(theta, batch, state0) - loss0;
        theta[i] = saved - h;
        double down = reference.loss(theta, batch, state0) - loss0;
        theta[i] = saved;
        numeric[i] = (up - down) / (2 * h);
      }
      int[] bounds = blocks(sizes);
      String[] names = {"LSTM W", "LSTM b", "W_xi", "b_xi", "W_y", "b_y"};
      for (int blk = 0; blk < names.length; blk++) {
        float[] a = java.util.Arrays.copyOfRange(analytic, bounds[blk], bounds[blk + 1]);
        double[] nm = java.util.Arrays.copyOfRange(numeric, bounds[blk], bounds[blk + 1]);
        double max = 0;
        for (double v : nm) {
          max = Math.max(max, Math.abs(v));
        }
        assertTrue(max > 1e-3, names[blk] + ": gradient too small to test anything (" + max + ")");
        assertNull(GradientCheck.compare(a, nm, RTOL, FLOOR), names[blk]);
      }
    }
  }

  /** Recomputing the tape's segments from checkpoints gives the gradients of keeping every state, bit for bit. */
  @Test
  void checkpointedTapeGivesTheSameGradients() {
    CopyTask.Options o = TrainingTest.smallTask("scalar", 1);
    int steps = TrainingTest.maxSteps(o);
    try (DncKernels k = DncKernels.load("scalar");
        DncModel full = new DncModel(k, o.sizes(), steps, 0, 4);
        DncModel checkpointed = new DncModel(k, o.sizes(), steps, 3, 4)) {
      CopySequences.Batch batch = new CopySequences(o.bits(), o.maxLength(), o.maxLength(), 12).next(o.batch());
      double a = full.forward(batch), b = checkpointed.forward(batch);
      full.backward(batch);
      checkpointed.backward(batch);
      assertEquals(a, b);
      assertArrayEquals(full.gradients(), checkpointed.gradients());
    }
  }

  /** Start offsets of the six parameter tensors and the end, in {@link DncModel#parameters()}' layout. */
  static int[] blocks(DncModel.Sizes s) {
    int in = s.inputSize() + s.readSize(), h = s.hidden(), xi = s.memoryShape().interfaceSize();
    int lstmB = (in + h) * 4 * h, ifW = lstmB + 4 * h, ifB = ifW + h * xi, outW = ifB + xi;
    int outB = outW + (h + s.readSize()) * s.bits();
    return new int[] {0, lstmB, ifW, ifB, outW, outB, outB + s.bits()};
  }

  /**
   * A valid state without ties: memory N(0, 0.5²); usages distinct on a grid of 0.9/N, shuffled; zero link and
   * precedence (a valid pair); read and write weightings random with row sums 0.9.
   */
  static float[][] warmState(DncModel.Sizes s, SplittableRandom r) {
    int b = s.batch(), n = s.slots(), w = s.wordSize(), heads = s.readHeads();
    float[] memory = new float[b * n * w], usage = new float[b * n], link = new float[b * n * n];
    float[] precedence = new float[b * n], read = new float[b * heads * n], write = new float[b * n];
    for (int i = 0; i < memory.length; i++) {
      memory[i] = (float) (0.5 * gaussian(r));
    }
    for (int bb = 0; bb < b; bb++) {
      int[] order = new int[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      for (int i = n - 1; i > 0; i--) {
        int j = r.nextInt(i + 1), tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
      }
      for (int i = 0; i < n; i++) {
        usage[bb * n + i] = (float) (0.05 + 0.9 * order[i] / n);
      }
    }
    weightings(read, n, r);
    weightings(write, n, r);
    return new float[][] {memory, usage, link, precedence, read, write};
  }

  private static void weightings(float[] rows, int n, SplittableRandom r) {
    for (int row = 0; row < rows.length / n; row++) {
      double sum = 0;
      double[] e = new double[n];
      for (int i = 0; i < n; i++) {
        e[i] = Math.exp(gaussian(r));
        sum += e[i];
      }
      for (int i = 0; i < n; i++) {
        rows[row * n + i] = (float) (0.9 * e[i] / sum);
      }
    }
  }

  private static double gaussian(SplittableRandom r) {
    return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  static void upload(MemoryState state, float[][] parts) {
    state.memory().copyFrom(parts[0], 0);
    state.usage().copyFrom(parts[1], 0);
    state.link().copyFrom(parts[2], 0);
    state.precedence().copyFrom(parts[3], 0);
    state.readWeights().copyFrom(parts[4], 0);
    state.writeWeights().copyFrom(parts[5], 0);
  }
}
