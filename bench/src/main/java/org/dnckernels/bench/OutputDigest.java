package org.dnckernels.bench;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.dnckernels.DncKernels;
import org.dnckernels.KernelSpec;
import org.dnckernels.Tensor;
import org.dnckernels.Workspace;

/**
 * The bits of every kernel's outputs on fixed seeds: one SHA-256 line per backend, kernel and shape. Run it before
 * and after a change that must not change results (a restructure, a faster loop that claims the same bits) and
 * diff the two outputs. Inputs follow the benchmarks' value rules; shapes have vector tails, link segments and
 * several write heads; the memory step runs six steps from zero.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar org.dnckernels.bench.OutputDigest \
 *       [backend ...]        (default: scalar simd; -Ddnc.kernels.simd.threads=N picks SIMD's threads)
 * </pre>
 */
public final class OutputDigest {
  /** B, N, W, R, Wh, H, K: tails of every lane count, segments of a link matrix, one and three write heads. */
  static final List<KernelSpec.Sizes> SIZES = List.of(
      new KernelSpec.Sizes(3, 37, 19, 3, 2, 3, 5), new KernelSpec.Sizes(1, 300, 64, 4, 1, 4, 3),
      new KernelSpec.Sizes(16, 64, 32, 4, 2, 4, 3), new KernelSpec.Sizes(4, 1040, 16, 2, 1, 2, 7),
      new KernelSpec.Sizes(2, 5, 3, 1, 3, 1, 1));
  private static final int STEPS = 6;

  private OutputDigest() {}

  public static void main(String[] args) {
    List<String> backends = args.length == 0 ? List.of("scalar", "simd") : List.of(args);
    for (String name : backends) {
      try (DncKernels k = DncKernels.load(name)) {
        for (String line : digests(k)) {
          System.out.println(line);
        }
      }
    }
  }

  /** "backend kernel shape sha256-prefix" for every kernel at every size of {@link #SIZES}. */
  static List<String> digests(DncKernels k) {
    List<String> out = new ArrayList<>();
    for (KernelSpec spec : KernelSpec.values()) {
      for (KernelSpec.Sizes s : SIZES) {
        out.add(k.name() + " " + spec.method() + " " + s.b() + "x" + s.n() + "x" + s.w() + "x" + s.r() + "x" + s.wh()
            + " h" + s.h() + " k" + s.k() + " " + digest(k, spec, s));
      }
    }
    return out;
  }

  private static String digest(DncKernels k, KernelSpec spec, KernelSpec.Sizes s) {
    MessageDigest md = sha256();
    SeededData data = new SeededData(SeededData.seed("digest", spec.method(), s.toString()));
    int[][] shapes = spec.shapes(s);
    Tensor[] t = new Tensor[shapes.length];
    List<AutoCloseable> made = new ArrayList<>();
    try (Workspace ws = spec.family() == KernelSpec.Family.MEMORY_STEP ? k.newWorkspace(s.memoryShape()) : null) {
      for (int i = 0; i < t.length; i++) {
        KernelSpec.Arg a = spec.args().get(i);
        // the step starts from the zero state; everything else from the benchmarks' values
        boolean zero = spec == KernelSpec.MEMORY_STEP && a.role() == KernelSpec.Role.UPDATE;
        float[] v = zero ? new float[count(shapes[i])] : KernelState.values(spec, a, shapes[i], data);
        t[i] = k.upload(v, 0, shapes[i]);
        made.add(t[i]);
      }
      Runnable call = spec.bind(k, t, ws);
      for (int step = 0; step < (spec == KernelSpec.MEMORY_STEP ? STEPS : 1); step++) {
        call.run();
        for (int i = 0; i < t.length; i++) {
          if (spec.args().get(i).role().written()) {
            update(md, t[i].toArray());
          }
        }
      }
    } finally {
      for (AutoCloseable c : made) {
        try {
          c.close();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return HexFormat.of().formatHex(md.digest()).substring(0, 16);
  }

  private static void update(MessageDigest md, float[] values) {
    byte[] bytes = new byte[4 * values.length];
    for (int i = 0; i < values.length; i++) {
      int bits = Float.floatToRawIntBits(values[i]);
      bytes[4 * i] = (byte) bits;
      bytes[4 * i + 1] = (byte) (bits >> 8);
      bytes[4 * i + 2] = (byte) (bits >> 16);
      bytes[4 * i + 3] = (byte) (bits >> 24);
    }
    md.update(bytes);
  }

  private static int count(int[] shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
