package org.dnckernels.simd;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.dnckernels.HostKernels;
import org.dnckernels.InterfaceValues;
import org.dnckernels.MemoryShape;
import org.dnckernels.MemoryState;
import org.dnckernels.Tensor;
import org.dnckernels.Workspace;

/**
 * Where one SIMD memory step's time goes, on one thread: the whole step through the facade, then each kernel the
 * step runs, called on its slice function directly with the step's own tensors (no checks, no dispatch), in the
 * step's order. The gap between the step and the sum of its parts is what the checks and the dispatch cost.
 * A profiling aid (docs/simd.md, "Small shapes"), not a test: best of {@code rounds} rounds of 2,000 calls each,
 * interleaved, so that a noisy machine slows every row alike.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp kernels-simd/target/classes:kernels-simd/target/test-classes:\
 *     kernels-api/target/classes org.dnckernels.simd.StepPhasesMain B N W R [rounds]
 * </pre>
 */
public final class StepPhasesMain {
  private static final int CALLS = 2_000;

  private StepPhasesMain() {}

  public static void main(String[] args) {
    if (args.length < 4) {
      System.err.println("usage: StepPhasesMain B N W R [rounds]");
      System.exit(2);
    }
    int b = Integer.parseInt(args[0]), n = Integer.parseInt(args[1]), w = Integer.parseInt(args[2]);
    int r = Integer.parseInt(args[3]), rounds = args.length > 4 ? Integer.parseInt(args[4]) : 20;
    MemoryShape shape = new MemoryShape(b, n, w, r, 1);
    try (SimdKernels k = new SimdKernels(1)) {
      MemoryState s = k.newState(shape);
      InterfaceValues in = k.newInterface(shape);
      Workspace ws = k.newWorkspace(shape);
      Tensor raw = k.allocate(b, shape.interfaceSize());
      Tensor reads = k.allocate(b, r, w);
      // interface values from a random controller output, then a state that 20 steps have written
      float[] values = HostKernels.array(raw);
      Random random = new Random(7);
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) random.nextGaussian();
      }
      k.interfaceSplit(raw, in);
      for (int t = 0; t < 20; t++) {
        k.memoryStep(s, in, reads, ws);
      }
      String[] names = {"step (facade)", "usage", "allocation", "write content", "write weights", "erase/add",
          "link pass", "precedence", "read content", "read modes", "read"};
      Runnable[] calls = {
          () -> k.memoryStep(s, in, reads, ws),
          () -> SimdUsage.usageSlice(s.usage(), s.writeWeights(), in.freeGates(), s.readWeights(), s.usage(), 0, b),
          () -> SimdAllocation.allocationSlice(s.usage(), in.writeGates(), in.allocationGates(), ws.allocation(), 0,
              b),
          () -> SimdContentAddressing.contentWeightsSlice(s.memory(), in.writeKeys(), in.writeStrengths(),
              ws.writeContent(), 0, b),
          () -> SimdWriteWeighting.writeWeightsSlice(ws.allocation(), ws.writeContent(), in.writeGates(),
              in.allocationGates(), s.writeWeights(), 0, b),
          () -> SimdMemoryWrite.eraseAndAddSlice(s.memory(), s.writeWeights(), in.eraseVectors(),
              in.writeVectors(), 0, b),
          () -> SimdTemporalLinkage.linkUpdateAndWeightingsSlice(s.link(), s.precedence(), s.writeWeights(),
              s.readWeights(), ws.forward(), ws.backward(), SimdTemporalLinkage.SEGMENT_ROWS, 0, b),
          () -> SimdTemporalLinkage.precedenceSlice(s.precedence(), s.writeWeights(), 0, b),
          () -> SimdContentAddressing.contentWeightsSlice(s.memory(), in.readKeys(), in.readStrengths(),
              ws.readContent(), 0, b),
          () -> SimdReadModes.readModeMixSlice(in.readModes(), ws.backward(), ws.readContent(), ws.forward(),
              s.readWeights(), 0, b),
          () -> SimdMemoryRead.readSlice(s.memory(), s.readWeights(), reads, 0, b),
      };
      double[] best = new double[calls.length];
      Arrays.fill(best, Double.MAX_VALUE);
      for (int round = 0; round < rounds; round++) {
        for (int c = 0; c < calls.length; c++) {
          long t0 = System.nanoTime();
          for (int i = 0; i < CALLS; i++) {
            calls[c].run();
          }
          double ns = (System.nanoTime() - t0) / (double) CALLS;
          // the first rounds compile
          if (round >= Math.min(4, rounds - 1)) {
            best[c] = Math.min(best[c], ns);
          }
        }
      }
      double parts = 0;
      for (int c = 1; c < calls.length; c++) {
        parts += best[c];
      }
      System.out.printf(Locale.ROOT, "B=%d N=%d W=%d R=%d, one thread, best of %d rounds of %d calls%n", b, n, w, r,
          rounds, CALLS);
      for (int c = 0; c < calls.length; c++) {
        System.out.printf(Locale.ROOT, "%-14s %10.0f ns %5.1f%%%n", names[c], best[c], 100 * best[c] / best[0]);
      }
      System.out.printf(Locale.ROOT, "%-14s %10.0f ns %5.1f%%%n", "sum of parts", parts, 100 * parts / best[0]);
    }
  }
}
