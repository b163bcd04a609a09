package org.dnckernels.bench;

import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The machine's bandwidth in the same run as the kernels: the STREAM triad {@code a[i] = b[i] + s·c[i]} on one
 * thread, over three float arrays whose total size matches the kernels' working sets (64 KiB: caches; 1 and
 * 4 MiB: the N = 128 and N = 1024 link matrices, the N = 16384 memory; 64 MiB: the batched N = 1024 link matrix;
 * 256 MiB: DRAM). Bytes per call: 12 per element (two reads, one write).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BandwidthBenchmark {
  /** Working-set sizes of the triad in KiB (all three arrays together). */
  public static final String[] SIZES_KIB = {"64", "1024", "4096", "65536", "262144"};

  @State(Scope.Thread)
  public static class Arrays {
    @Param({"64", "1024", "4096", "65536", "262144"})
    public int kib;

    float[] a, b, c;
    float scale;

    @Setup(Level.Trial)
    public void setUp() {
      int n = floatsPerArray(kib);
      SeededData data = new SeededData(SeededData.seed("triad", Integer.toString(kib)));
      a = new float[n];
      b = data.uniform(n, -1f, 1f);
      c = data.uniform(n, -1f, 1f);
      scale = 0.5f;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      KernelState.checkSane("triad a", a);
    }
  }

  /** Floats in each of the three arrays for a working set of {@code kib} KiB. */
  public static int floatsPerArray(long kib) {
    return (int) (kib * 1024 / (3 * Float.BYTES));
  }

  @Benchmark
  public float[] triad(Arrays s) {
    float[] a = s.a, b = s.b, c = s.c;
    float scale = s.scale;
    for (int i = 0; i < a.length; i++) {
      a[i] = b[i] + scale * c[i];
    }
    return a;
  }
}
