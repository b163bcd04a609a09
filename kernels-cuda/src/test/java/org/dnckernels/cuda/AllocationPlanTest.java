package org.dnckernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Where the allocation sort keeps its pairs, for the shared-memory sizes of real devices. */
class AllocationPlanTest {
  // cuDeviceGetAttribute(MAX_SHARED_MEMORY_PER_BLOCK_OPTIN) on sm_90, less step_allocate's 8720 static bytes
  private static final int H100 = 232448 - 8720;
  private static final int TURING = 65536 - 8720;

  @Test
  void smallMemoriesSortInSharedMemory() {
    AllocationPlan p = AllocationPlan.of(4, 1000, H100);
    assertFalse(p.global());
    assertEquals(1024, p.padded());
    assertEquals(1024, p.chunk());
    assertEquals(12 * 1024 + 8 * 1000, p.sharedBytes());
    assertEquals(0, p.keyBytes() + p.indexBytes() + p.usedBytes());
  }

  @Test
  void oneSlotIsAOneElementSort() {
    AllocationPlan p = AllocationPlan.of(1, 1, H100);
    assertEquals(1, p.padded());
    assertFalse(p.global());
  }

  @Test
  void theSharedLimitOfAnH100IsAbove8192Slots() {
    assertFalse(AllocationPlan.of(1, 8192, H100).global());
    assertTrue(AllocationPlan.of(1, 8193, H100).global());
    assertTrue(AllocationPlan.of(1, 4096, TURING).global());
  }

  @Test
  void largeMemoriesSortInGlobalScratchWithTheLargestChunkThatFits() {
    AllocationPlan p = AllocationPlan.of(3, 20000, H100);
    assertTrue(p.global());
    assertEquals(32768, p.padded());
    assertEquals(16384, p.chunk());
    assertTrue(p.sharedBytes() <= H100);
    assertEquals(8L * 3 * 32768, p.keyBytes());
    assertEquals(4L * 3 * 32768, p.indexBytes());
    assertEquals(8L * 3 * 20000, p.usedBytes());
  }

  @Test
  void moreThan2To30SlotsIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> AllocationPlan.of(1, (1 << 30) + 1, H100));
  }
}
