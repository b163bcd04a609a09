package org.dnckernels.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.dnckernels.DncKernels;
import org.junit.jupiter.api.Test;

/**
 * A short training run on a fixed seed must at least halve the loss: the gradients of the whole model, memory
 * included, point downhill. On the default backend ({@code -Ddnc.kernels.backend=scalar} forces the reference).
 * A small copy task (6 bits, lengths 2–4, N = W = 8, R = 2, batch 8, lr 1e-2, 800 iterations: about two
 * seconds) with a controller of only 8 cells, too small to hold 24 bits in its own state, so that the run
 * depends on the memory: with correct gradients the last 50 iterations' loss is 3% of the first 20's; with the
 * sign of the read backward's memory gradient flipped (planted by hand in the scalar backend) it stays at 71%,
 * and the test fails. The loss starts near 6 bits × 3 steps × ln 2 ≈ 12.5 per sequence (outputs at ½).
 */
class TrainingTest {
  static CopyTask.Options smallTask(String backend, int iterations) {
    return new CopyTask.Options(backend, 6, 2, 4, 8, 8, 2, 8, 8, iterations, 0, 3, 1e-2f, 10f, 0, 100,
        Path.of("unused"));
  }

  @Test
  void shortRunHalvesTheLoss() {
    CopyTask.Options o = smallTask("auto", 800);
    try (DncKernels k = DncKernels.load(); DncModel model = new DncModel(k, o.sizes(), maxSteps(o), 0, o.seed())) {
      CopyTask.Result r = CopyTask.train(model, o, null);
      double first = mean(r, 0, 20), last = mean(r, r.losses().size() - 50, r.losses().size());
      assertTrue(last <= 0.5 * first,
          k.name() + ": loss " + first + " over the first 20 iterations, " + last + " over the last 50");
    }
  }

  static int maxSteps(CopyTask.Options o) {
    return 2 * o.maxLength() + 1;
  }

  static double mean(CopyTask.Result r, int from, int to) {
    double s = 0;
    for (int i = from; i < to; i++) {
      s += r.losses().get(i);
    }
    return s / (to - from);
  }
}
