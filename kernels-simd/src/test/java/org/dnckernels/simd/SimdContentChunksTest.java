package org.dnckernels.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.dnckernels.Tensor;
import org.dnckernels.testing.RandomTensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The content weights run each pass over every row of a chunk of batch entries ({@link
 * SimdContentAddressing#CHUNK_FLOATS}) before the next pass. Rows only change order, so a batch gives the bits
 * of its entries weighted one at a time (chunks of one entry): checked over two full chunks and a partial one,
 * with an entry of huge magnitudes (its keys take the double path) in the middle of a chunk, and for H = 1
 * (write keys), 3 and 4 and N across one vector, a tail, and N = 1024 (a chunk per entry).
 */
class SimdContentChunksTest {
  @BeforeAll
  static void vectorApi() {
    assumeTrue(ModuleLayer.boot().findModule(SimdBackendProvider.MODULE).isPresent(), "no Vector API");
  }

  static List<int[]> shapes() {
    // {N, W, H}
    return List.of(new int[] {16, 16, 4}, new int[] {16, 16, 1}, new int[] {17, 5, 3}, new int[] {128, 32, 4},
        new int[] {1024, 64, 4});
  }

  @ParameterizedTest(name = "N={0}")
  @MethodSource("shapes")
  void batchGivesTheBitsOfEachEntryAlone(int[] shape) {
    int n = shape[0], w = shape[1], h = shape[2];
    int chunk = Math.max(1, SimdContentAddressing.CHUNK_FLOATS / (h * n)), b = 2 * chunk + Math.max(1, chunk / 2);
    RandomTensors rnd = new RandomTensors(17L * n + h);
    float[] memory = rnd.memory(b, n, w), keys = rnd.keys(b * h, w), strengths = rnd.strengths(b * h);
    // an entry whose squares overflow float: its keys take exactLogits
    int huge = chunk + chunk / 2;
    for (int i = huge * n * w; i < (huge + 1) * n * w; i++) {
      memory[i] *= 1e30f;
    }
    for (int i = huge * h * w; i < (huge + 1) * h * w; i++) {
      keys[i] *= 1e30f;
    }
    try (SimdKernels k = new SimdKernels(1)) {
      Tensor m = k.upload(memory, 0, b, n, w), key = k.upload(keys, 0, b, h, w), beta = k.upload(strengths, 0, b, h);
      Tensor whole = k.allocate(b, h, n), alone = k.allocate(b, h, n);
      SimdContentAddressing.contentWeightsSlice(m, key, beta, whole, 0, b);
      for (int e = 0; e < b; e++) {
        SimdContentAddressing.contentWeightsSlice(m, key, beta, alone, e, e + 1);
      }
      float[] got = whole.toArray();
      assertArrayEquals(alone.toArray(), got, "B=" + b + " N=" + n + " W=" + w + " H=" + h);
      // the huge entry's weights are finite rows that sum to 1: the double path ran, not an overflowed float one
      for (int row = huge * h; row < (huge + 1) * h; row++) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
          assertTrue(Float.isFinite(got[row * n + i]), "row " + row + " slot " + i);
          sum += got[row * n + i];
        }
        assertTrue(Math.abs(sum - 1) < 1e-5, "row " + row + " sums to " + sum);
      }
    }
  }
}
