package org.dnckernels.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one core reaches when it streams an array and does k lane FMAs on each vector loaded, with nothing else
 * in the loop (no stores, no other loads, accumulators in registers): the ceiling for a kernel of that FMA
 * density, next to the triad in the same run. Forward/backward with R read heads does 2R FMAs per link-matrix
 * vector (a forward and a backward one per head), so {@link #readFma8} is the ceiling of forwardBackward with four
 * heads, and {@link #readFma4} that of the read kernel with four heads (one FMA per head per memory vector).
 * {@link #read} is the plain read stream (k = 0). Bytes per call: 4 per element, read once.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ComputeCeilingBenchmark {
  /** Array sizes in KiB: the N = 1024 link matrix (4 MiB) and sixteen of them (64 MiB, from DRAM). */
  public static final String[] SIZES_KIB = {"4096", "65536"};

  private static final VectorSpecies<Float> FLOAT = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = FLOAT.length();

  @State(Scope.Thread)
  public static class Stream {
    @Param({"4096", "65536"})
    public int kib;

    float[] a;

    @Setup(Level.Trial)
    public void setUp() {
      int n = floats(kib);
      a = new SeededData(SeededData.seed("ceiling", Integer.toString(kib))).uniform(n, -1f, 1f);
    }
  }

  /** The FMAs per vector of a benchmark method of this class, −1 for another name. */
  public static int fmasPerVector(String method) {
    return switch (method) {
      case "read" -> 0;
      case "readFma4" -> 4;
      case "readFma8" -> 8;
      default -> -1;
    };
  }

  /** Floats in the array of {@code kib} KiB (a multiple of four vectors). */
  public static int floats(long kib) {
    return (int) (kib * 1024 / Float.BYTES);
  }

  /** k = 0: four independent lane sums. */
  @Benchmark
  public float read(Stream s) {
    float[] a = s.a;
    FloatVector s0 = FloatVector.zero(FLOAT), s1 = s0, s2 = s0, s3 = s0;
    for (int i = 0; i < a.length; i += 4 * LANES) {
      s0 = s0.add(FloatVector.fromArray(FLOAT, a, i));
      s1 = s1.add(FloatVector.fromArray(FLOAT, a, i + LANES));
      s2 = s2.add(FloatVector.fromArray(FLOAT, a, i + 2 * LANES));
      s3 = s3.add(FloatVector.fromArray(FLOAT, a, i + 3 * LANES));
    }
    return s0.add(s1).add(s2).add(s3).reduceLanes(VectorOperators.ADD);
  }

  /** k = 4: each vector loaded feeds four FMAs, into 16 accumulators (one FMA each per iteration). */
  @Benchmark
  public float readFma4(Stream s) {
    float[] a = s.a;
    FloatVector m0 = FloatVector.broadcast(FLOAT, 0.5f), m1 = FloatVector.broadcast(FLOAT, 0.25f);
    FloatVector m2 = FloatVector.broadcast(FLOAT, 0.125f), m3 = FloatVector.broadcast(FLOAT, 0.0625f);
    FloatVector f0 = FloatVector.zero(FLOAT), f1 = f0, f2 = f0, f3 = f0, g0 = f0, g1 = f0, g2 = f0, g3 = f0;
    FloatVector h0 = f0, h1 = f0, h2 = f0, h3 = f0, k0 = f0, k1 = f0, k2 = f0, k3 = f0;
    for (int i = 0; i < a.length; i += 4 * LANES) {
      FloatVector l0 = FloatVector.fromArray(FLOAT, a, i), l1 = FloatVector.fromArray(FLOAT, a, i + LANES);
      FloatVector l2 = FloatVector.fromArray(FLOAT, a, i + 2 * LANES);
      FloatVector l3 = FloatVector.fromArray(FLOAT, a, i + 3 * LANES);
      f0 = l0.fma(m0, f0);
      f1 = l1.fma(m0, f1);
      f2 = l2.fma(m0, f2);
      f3 = l3.fma(m0, f3);
      g0 = l0.fma(m1, g0);
      g1 = l1.fma(m1, g1);
      g2 = l2.fma(m1, g2);
      g3 = l3.fma(m1, g3);
      h0 = l0.fma(m2, h0);
      h1 = l1.fma(m2, h1);
      h2 = l2.fma(m2, h2);
      h3 = l3.fma(m2, h3);
      k0 = l0.fma(m3, k0);
      k1 = l1.fma(m3, k1);
      k2 = l2.fma(m3, k2);
      k3 = l3.fma(m3, k3);
    }
    return sum(f0, f1, f2, f3).add(sum(g0, g1, g2, g3)).add(sum(h0, h1, h2, h3)).add(sum(k0, k1, k2, k3))
        .reduceLanes(VectorOperators.ADD);
  }

  /**
   * k = 8: each vector loaded feeds eight FMAs, into 16 accumulators (two FMAs each per iteration). Its first half
   * repeats {@link #readFma4} on purpose: a shared loop would put a branch or a call in what is measured.
   */
  @Benchmark
  public float readFma8(Stream s) {
    float[] a = s.a;
    FloatVector m0 = FloatVector.broadcast(FLOAT, 0.5f), m1 = FloatVector.broadcast(FLOAT, 0.25f);
    FloatVector m2 = FloatVector.broadcast(FLOAT, 0.125f), m3 = FloatVector.broadcast(FLOAT, 0.0625f);
    FloatVector f0 = FloatVector.zero(FLOAT), f1 = f0, f2 = f0, f3 = f0, g0 = f0, g1 = f0, g2 = f0, g3 = f0;
    FloatVector h0 = f0, h1 = f0, h2 = f0, h3 = f0, k0 = f0, k1 = f0, k2 = f0, k3 = f0;
    for (int i = 0; i < a.length; i += 4 * LANES) {
      FloatVector l0 = FloatVector.fromArray(FLOAT, a, i), l1 = FloatVector.fromArray(FLOAT, a, i + LANES);
      FloatVector l2 = FloatVector.fromArray(FLOAT, a, i + 2 * LANES);
      FloatVector l3 = FloatVector.fromArray(FLOAT, a, i + 3 * LANES);
      f0 = l0.fma(m0, f0);
      f1 = l1.fma(m0, f1);
      f2 = l2.fma(m0, f2);
      f3 = l3.fma(m0, f3);
      g0 = l0.fma(m1, g0);
      g1 = l1.fma(m1, g1);
      g2 = l2.fma(m1, g2);
      g3 = l3.fma(m1, g3);
      h0 = l0.fma(m2, h0);
      h1 = l1.fma(m2, h1);
      h2 = l2.fma(m2, h2);
      h3 = l3.fma(m2, h3);
      k0 = l0.fma(m3, k0);
      k1 = l1.fma(m3, k1);
      k2 = l2.fma(m3, k2);
      k3 = l3.fma(m3, k3);
      f0 = l0.fma(m1, f0);
      f1 = l1.fma(m1, f1);
      f2 = l2.fma(m1, f2);
      f3 = l3.fma(m1, f3);
      g0 = l0.fma(m2, g0);
      g1 = l1.fma(m2, g1);
      g2 = l2.fma(m2, g2);
      g3 = l3.fma(m2, g3);
      h0 = l0.fma(m3, h0);
      h1 = l1.fma(m3, h1);
      h2 = l2.fma(m3, h2);
      h3 = l3.fma(m3, h3);
      k0 = l0.fma(m0, k0);
      k1 = l1.fma(m0, k1);
      k2 = l2.fma(m0, k2);
      k3 = l3.fma(m0, k3);
    }
    return sum(f0, f1, f2, f3).add(sum(g0, g1, g2, g3)).add(sum(h0, h1, h2, h3)).add(sum(k0, k1, k2, k3))
        .reduceLanes(VectorOperators.ADD);
  }

  private static FloatVector sum(FloatVector a, FloatVector b, FloatVector c, FloatVector d) {
    return a.add(b).add(c.add(d));
  }
}
