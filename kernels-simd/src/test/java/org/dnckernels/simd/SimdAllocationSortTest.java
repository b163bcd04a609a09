package org.dnckernels.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Allocation sorts runs of 49 to 128 keys with a bitonic network in long lanes instead of the radix sort: the two
 * must give the same array, for keys as the allocation builds them (a float's ordered bits over the slot, many
 * usages tied, the slots ascending within ties: sorted on the high word) and for distinct keys in any order
 * (sorted on the whole key), for every padded size and for a run that starts inside the array.
 */
class SimdAllocationSortTest {
  @BeforeAll
  static void vectorApi() {
    assumeTrue(ModuleLayer.boot().findModule(SimdBackendProvider.MODULE).isPresent(), "no Vector API");
  }

  @ParameterizedTest(name = "n={0}")
  @ValueSource(ints = {49, 50, 63, 64, 65, 100, 127, 128})
  void bitonicNetworkGivesTheRadixOrder(int n) {
    // on 128-bit vectors (2 long lanes) sortKeys keeps the radix sort, so there is no network to compare
    assumeTrue(SimdSpecies.LANES >= 8, "the network runs on 4 to 8 long lanes");
    Random random = new Random(n);
    int[] counts = new int[SimdAllocation.COUNTS];
    for (int round = 0; round < 50; round++) {
      int from = round % 2 == 0 ? 0 : 7, to = from + n;
      long[] keys = new long[to + 3 * n];
      for (int i = 0; i < n; i++) {
        // usages on 9 levels (ties), some exact zeros, and distinct ones
        float u = round % 3 == 0 ? random.nextInt(9) / 8f : round % 3 == 1 ? random.nextFloat() : 0f;
        int bits = Float.floatToRawIntBits(u + 0f);
        keys[from + i] = ((long) (bits ^ ((bits >> 31) & 0x7fffffff)) << 32) | i;
      }
      int lowBit = 32;
      if (round % 5 == 4) {
        // distinct keys in any order, sorted on the whole key
        for (int i = n - 1; i > 0; i--) {
          int j = random.nextInt(i + 1);
          long t = keys[from + i];
          keys[from + i] = keys[from + j];
          keys[from + j] = t;
        }
        lowBit = 0;
      }
      long[] radix = keys.clone(), bitonic = keys.clone();
      SimdAllocation.sortKeys(radix, from, to, lowBit, to, counts, 0);
      SimdAllocation.sortKeys(bitonic, from, to, lowBit, to, counts, 128);
      long[] a = java.util.Arrays.copyOfRange(radix, from, to), b = java.util.Arrays.copyOfRange(bitonic, from, to);
      assertArrayEquals(a, b, "n=" + n + " round " + round);
    }
  }
}
