package org.dnckernels.simd;

import java.security.MessageDigest;
import java.util.HexFormat;
import org.dnckernels.DncKernels;
import org.dnckernels.KernelSpec;
import org.dnckernels.Tensor;
import org.dnckernels.Workspace;
import org.dnckernels.testing.RandomTensors;

/**
 * The child JVM of {@link JitTiersTest}: every kernel of the contract (forwards and backwards) on fixed inputs,
 * after {@code args[0]} warm-up calls (0 under {@code -Xint}), printing {@code method=SHA-256} of its written
 * arguments, one line per kernel. The same bits under the interpreter and C2 is the claim.
 */
public final class JitTiersMain {
  private JitTiersMain() {}

  public static void main(String[] args) throws Exception {
    int warm = Integer.parseInt(args[0]);
    // vector bodies and scalar tails at 16 lanes and below, two write heads, a 3-wide shift
    KernelSpec.Sizes sizes = new KernelSpec.Sizes(2, 19, 21, 2, 2, 2, 3);
    try (DncKernels k = new SimdKernels(1, SimdKernels.INLINE_WORK)) {
      for (KernelSpec spec : KernelSpec.values()) {
        int[][] shapes = spec.shapes(sizes);
        RandomTensors rnd = new RandomTensors(31 + spec.ordinal());
        float[][] inputs = new float[shapes.length][];
        Tensor[] t = new Tensor[shapes.length];
        for (int i = 0; i < t.length; i++) {
          inputs[i] = rnd.of(spec.args().get(i).values(), shapes[i]);
          t[i] = k.allocate(shapes[i]);
        }
        Workspace ws = spec.family() == KernelSpec.Family.MEMORY_STEP ? k.newWorkspace(sizes.memoryShape()) : null;
        Runnable call = spec.bind(k, t, ws);
        for (int n = 0; n <= warm; n++) {
          // every call from the same inputs: in-place kernels and accumulated gradients start over
          for (int i = 0; i < t.length; i++) {
            if (inputs[i] != null) {
              t[i].copyFrom(inputs[i], 0);
            } else {
              t[i].fill(0f);
            }
          }
          call.run();
        }
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < t.length; i++) {
          if (spec.args().get(i).role().written()) {
            for (float v : t[i].toArray()) {
              int bits = Float.floatToRawIntBits(v);
              md.update(new byte[] {(byte) bits, (byte) (bits >>> 8), (byte) (bits >>> 16), (byte) (bits >>> 24)});
            }
          }
        }
        System.out.println(spec.method() + "=" + HexFormat.of().formatHex(md.digest()));
      }
    }
  }
}
