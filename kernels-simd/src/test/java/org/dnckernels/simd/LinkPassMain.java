package org.dnckernels.simd;

import java.util.Locale;
import org.dnckernels.InterfaceValues;
import org.dnckernels.MemoryShape;
import org.dnckernels.MemoryState;
import org.dnckernels.Tensor;
import org.dnckernels.Workspace;

/**
 * The SIMD link pass alone, per vector of L, for 1, 2 and 4 read heads: the fused update + forward/backward, the
 * forward/backward on L as it is, and the update alone, each called on its slice function on one thread. With
 * {@link StepPhasesMain}'s FMA throughput a reader sets each against its floor (docs/simd.md, "Small shapes"):
 * the fused pass does 2 + 2R vector FMAs per vector of L, forward/backward 2R. A profiling aid, not a test: best
 * of 10 rounds after 5 that compile.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp kernels-simd/target/classes:kernels-simd/target/test-classes:\
 *     kernels-api/target/classes org.dnckernels.simd.LinkPassMain B N
 * </pre>
 */
public final class LinkPassMain {
  private LinkPassMain() {}

  public static void main(String[] args) {
    if (args.length < 2) {
      System.err.println("usage: LinkPassMain B N");
      System.exit(2);
    }
    int b = Integer.parseInt(args[0]), n = Integer.parseInt(args[1]);
    System.out.printf(Locale.ROOT, "B=%d N=%d, one thread, ns per call and per %d-float vector of L%n", b, n,
        SimdSpecies.LANES);
    for (int r : new int[] {1, 2, 4}) {
      MemoryShape shape = new MemoryShape(b, n, 16, r, 1);
      try (SimdKernels k = new SimdKernels(1)) {
        MemoryState s = k.newState(shape);
        InterfaceValues in = k.newInterface(shape);
        Workspace ws = k.newWorkspace(shape);
        Tensor raw = k.allocate(b, shape.interfaceSize());
        Tensor reads = k.allocate(b, r, 16);
        // a link matrix and weightings that 20 steps have written
        StepPhasesMain.writtenState(k, s, in, ws, raw, reads);
        int rows = SimdTemporalLinkage.SEGMENT_ROWS;
        Runnable fused = () -> SimdTemporalLinkage.linkUpdateAndWeightingsSlice(s.link(), s.precedence(),
            s.writeWeights(), s.readWeights(), ws.forward(), ws.backward(), rows, 0, b);
        Runnable weightings = () -> SimdTemporalLinkage.forwardBackwardSlice(s.link(), s.readWeights(), ws.forward(),
            ws.backward(), rows, 0, b);
        Runnable update = () -> SimdTemporalLinkage.linkUpdateSlice(s.link(), s.precedence(), s.writeWeights(), rows,
            0, b);
        Runnable[] calls = {fused, weightings, update};
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
        int repeats = (int) Math.max(200, 200_000_000L / ((long) b * n * n * (1 + 2 * r)));
        for (int round = 0; round < 15; round++) {
          for (int c = 0; c < calls.length; c++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < repeats; i++) {
              calls[c].run();
            }
            if (round >= 5) {
              best[c] = Math.min(best[c], (System.nanoTime() - t0) / (double) repeats);
            }
          }
        }
        double vectors = (double) b * n * ((n + SimdSpecies.LANES - 1) / SimdSpecies.LANES);
        System.out.printf(Locale.ROOT, "R=%d  fused %9.0f ns (%.2f ns/vec)  forward/backward %9.0f ns (%.2f)"
            + "  update %9.0f ns (%.2f)%n", r, best[0], best[0] / vectors, best[1], best[1] / vectors, best[2],
            best[2] / vectors);
      }
    }
  }
}
