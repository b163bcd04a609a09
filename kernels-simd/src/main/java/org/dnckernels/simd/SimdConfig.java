package org.dnckernels.simd;

/**
 * The SIMD backend's arithmetic choice: whether lanes fuse multiply-adds, and the scalar multiply-add that rounds
 * as the lanes do. No Vector API class is touched here.
 */
final class SimdConfig {
  /**
   * Whether lane FMAs are used: {@code -Ddnc.kernels.simd.fma=true|false}, else HotSpot's UseFMA (without
   * hardware FMA the Vector API emulates it lane by lane, far slower than a multiply and an add). Kernels write
   * {@code USE_FMA ? a.fma(b, c) : a.mul(b).add(c)} inline at each use.
   */
  static final boolean USE_FMA = useFma();

  private SimdConfig() {}

  private static boolean useFma() {
    String forced = System.getProperty("dnc.kernels.simd.fma");
    if (forced != null && !forced.isBlank()) {
      return Boolean.parseBoolean(forced.trim());
    }
    return SimdBackendProvider.hotSpotFlag("UseFMA", "true").equals("true");
  }

  /**
   * a·b + c rounded as the lane code rounds {@code a.fma(b, c)} or {@code a.mul(b).add(c)}: scalar tails use it
   * so that an element gives the same bits in a tail as in a vector lane (equal inputs, equal outputs).
   */
  static float madd(float a, float b, float c) {
    return USE_FMA ? Math.fma(a, b, c) : a * b + c;
  }
}
