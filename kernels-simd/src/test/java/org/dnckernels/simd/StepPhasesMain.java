package org.dnckernels.simd;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
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
 * <p>The last columns set each arithmetic phase against its FMA floor: the phase's vector multiply-adds (rows of
 * whole vectors, see {@link #vectorOps}) at this core's measured FMA throughput (twelve independent FMA chains
 * timed in the same run). Exps, sorts and lane sums are not in the floor: how far a phase is above it is what
 * they, loop setup and loads cost.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp kernels-simd/target/classes:kernels-simd/target/test-classes:\
 *     kernels-api/target/classes org.dnckernels.simd.StepPhasesMain B N W R [rounds]
 * </pre>
 */
public final class StepPhasesMain {
  private static final int CALLS = 2_000;

  private StepPhasesMain() {}

  /**
   * Vector multiply-adds per phase (the order of {@code names}; 0: not an arithmetic phase), whole vectors of
   * {@link SimdSpecies#LANES} floats per row: content, H keys per row plus the row's squares; erase/add, three per
   * vector (1 − w·e, times M, + w·a); the link pass, two per vector of L (its product with 1 − w_i − w_j, whose
   * subtraction can issue on an add pipe, and + w_i p_j), then a forward and a backward FMA per read head; the read,
   * one per head. The step's row is their sum.
   */
  static long[] vectorOps(int b, int n, int w, int r) {
    long rowVectors = (w + SimdSpecies.LANES - 1) / SimdSpecies.LANES;
    long linkVectors = (n + SimdSpecies.LANES - 1) / SimdSpecies.LANES;
    long writeContent = (long) b * n * rowVectors * 2;
    long eraseAdd = (long) b * n * rowVectors * 3;
    long link = (long) b * n * linkVectors * (2 + 2L * r);
    long readContent = (long) b * n * rowVectors * (r + 1);
    long read = (long) b * n * rowVectors * r;
    long step = writeContent + eraseAdd + link + readContent + read;
    return new long[] {step, 0, 0, writeContent, 0, eraseAdd, link, 0, readContent, 0, read};
  }

  /**
   * The profiling tools' inputs: interface values split from a random controller output (seed 7) into {@code in},
   * then 20 steps on {@code s}, so that memory, usage and links hold what steps write.
   */
  static void writtenState(SimdKernels k, MemoryState s, InterfaceValues in, Workspace ws, Tensor raw,
      Tensor reads) {
    float[] values = HostKernels.array(raw);
    Random random = new Random(7);
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextGaussian();
    }
    k.interfaceSplit(raw, in);
    for (int t = 0; t < 20; t++) {
      k.memoryStep(s, in, reads, ws);
    }
  }

  /** ns per vector FMA at full throughput: twelve independent chains, best of 20 rounds. */
  static double fmaThroughputNs() {
    float sink = 0;
    double best = Double.MAX_VALUE;
    int iterations = 2_000_000;
    for (int round = 0; round < 20; round++) {
      long t0 = System.nanoTime();
      sink += fmaChains(iterations, round);
      best = Math.min(best, (System.nanoTime() - t0) / (12.0 * iterations));
    }
    if (sink == 42) {
      System.out.println();
    }
    return best;
  }

  private static float fmaChains(int iterations, float c) {
    FloatVector m = FloatVector.broadcast(SimdSpecies.FLOAT, 0.999f);
    FloatVector k = FloatVector.broadcast(SimdSpecies.FLOAT, c);
    FloatVector a0 = k, a1 = k, a2 = k, a3 = k, a4 = k, a5 = k, a6 = k, a7 = k, a8 = k, a9 = k, a10 = k, a11 = k;
    for (int i = 0; i < iterations; i++) {
      a0 = a0.fma(m, k);
      a1 = a1.fma(m, k);
      a2 = a2.fma(m, k);
      a3 = a3.fma(m, k);
      a4 = a4.fma(m, k);
      a5 = a5.fma(m, k);
      a6 = a6.fma(m, k);
      a7 = a7.fma(m, k);
      a8 = a8.fma(m, k);
      a9 = a9.fma(m, k);
      a10 = a10.fma(m, k);
      a11 = a11.fma(m, k);
    }
    return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
        .reduceLanes(VectorOperators.ADD);
  }

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
      writtenState(k, s, in, ws, raw, reads);
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
      double fmaNs = fmaThroughputNs();
      long[] ops = vectorOps(b, n, w, r);
      System.out.printf(Locale.ROOT, "B=%d N=%d W=%d R=%d, one thread, best of %d rounds of %d calls; %d-lane FMA"
          + " %.3f ns (throughput, this run)%n", b, n, w, r, rounds, CALLS, SimdSpecies.LANES, fmaNs);
      System.out.printf(Locale.ROOT, "%-14s %10s %6s %10s %10s %7s%n", "phase", "time", "share", "vec FMAs",
          "FMA floor", "x floor");
      long allOps = 0;
      for (int c = 0; c < calls.length; c++) {
        allOps += c == 0 ? 0 : ops[c];
        String floor = ops[c] == 0 ? String.format(Locale.ROOT, "%10s %10s %7s", "-", "-", "-")
            : String.format(Locale.ROOT, "%10d %7.0f ns %6.1fx", ops[c], ops[c] * fmaNs, best[c] / (ops[c] * fmaNs));
        System.out.printf(Locale.ROOT, "%-14s %7.0f ns %5.1f%% %s%n", names[c], best[c], 100 * best[c] / best[0],
            floor);
      }
      System.out.printf(Locale.ROOT, "%-14s %7.0f ns %5.1f%% %10d %7.0f ns %6.1fx%n", "sum of parts", parts,
          100 * parts / best[0], allOps, allOps * fmaNs, parts / (allOps * fmaNs));
    }
  }
}
