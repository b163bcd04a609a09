package org.dnckernels.simd;

import java.util.SplittableRandom;
import java.util.zip.CRC32;

/**
 * The child JVM of {@link SimdMathWidthsTest}: runs {@link SimdMath#exp(float[], int, int)} and
 * {@link SimdMath#expMinus} on fixed inputs at this JVM's species, once cold and once after a warm-up long enough
 * for C2 (the call count is the first argument; 0 under {@code -Xint}), and prints {@code lanes=L bits=CRC} (a
 * CRC of the output bits). Exits 1 if an output differs from {@link SimdMath#exp(float)} on the same element, or
 * the warm result from the cold one.
 */
public final class SimdMathMain {
  /** Not a multiple of 4, 8 or 16 lanes, so every width has a scalar tail, each of another length. */
  static final int N = 1003;
  private static final float SHIFT = 3.25f;

  private SimdMathMain() {}

  /** Uniform in [-100, 100] (below and above exp's float range), then the edges and non-finite values. */
  static float[] inputs() {
    SplittableRandom random = new SplittableRandom(20240607L);
    float[] x = new float[N];
    for (int i = 0; i < N; i++) {
      x[i] = (float) (random.nextDouble() * 200 - 100);
    }
    float[] edges = {0f, -0f, 1f, -1f, 1e-30f, -1e-30f, -87.3365447505531f, -87.34f, -87.33f, 88.7f, 88.72f,
        88.68f, 0.34657359f, -0.34657359f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE};
    // at the start (vector lanes at every width) and at the end (scalar tails)
    System.arraycopy(edges, 0, x, 0, edges.length);
    System.arraycopy(edges, 0, x, N - edges.length, edges.length);
    return x;
  }

  public static void main(String[] args) {
    float[] x = inputs();
    long cold = run(x);
    int warmCalls = Integer.parseInt(args[0]);
    for (int i = 0; i < warmCalls; i++) {
      run(x);
    }
    long warm = run(x);
    if (warm != cold) {
      fail("warm result " + Long.toHexString(warm) + " differs from cold " + Long.toHexString(cold));
    }
    System.out.println("lanes=" + SimdSpecies.LANES + " bits=" + Long.toHexString(warm));
  }

  /** exp and expMinus at offset 1 of a copy; checks each element against the scalar form; CRC of both. */
  private static long run(float[] x) {
    float[] a = new float[N + 1], b = new float[N + 1];
    System.arraycopy(x, 0, a, 1, N);
    System.arraycopy(x, 0, b, 1, N);
    SimdMath.exp(a, 1, N);
    SimdMath.expMinus(b, 1, N, SHIFT);
    CRC32 crc = new CRC32();
    for (int i = 0; i < N; i++) {
      check(a[1 + i], SimdMath.exp(x[i]), "exp", i, x[i]);
      check(b[1 + i], SimdMath.exp(x[i] - SHIFT), "expMinus", i, x[i]);
      update(crc, a[1 + i]);
      update(crc, b[1 + i]);
    }
    return crc.getValue();
  }

  private static void check(float lane, float scalar, String what, int i, float x) {
    // floatToIntBits: any NaN counts as the same NaN
    if (Float.floatToIntBits(lane) != Float.floatToIntBits(scalar)) {
      fail(what + " at " + i + " (x = " + x + ", lanes " + SimdSpecies.LANES + "): " + lane + " but the scalar form "
          + "gives " + scalar);
    }
  }

  private static void update(CRC32 crc, float v) {
    int bits = Float.floatToIntBits(v);
    crc.update(bits);
    crc.update(bits >>> 8);
    crc.update(bits >>> 16);
    crc.update(bits >>> 24);
  }

  private static void fail(String message) {
    System.out.println(message);
    System.exit(1);
  }
}
