package org.dnckernels.cuda;

/**
 * Where the allocation sort keeps its (key, index) pairs for N slots: all in shared memory when
 * {@code 12·P + 8·N} bytes fit (P = N rounded up to a power of two), else in global scratch, sorted in
 * chunks of the largest power of two whose pairs fit in shared memory plus global passes for the wider
 * strides. See {@code allocation.cuh}.
 *
 * @param padded      P, the sort size
 * @param chunk       pairs sorted together in shared memory
 * @param global      whether the pairs and the usage copy live in global scratch
 * @param sharedBytes dynamic shared memory of the launch
 * @param keyBytes    global scratch for the keys (B·P longs), 0 when not global
 * @param indexBytes  global scratch for the indices (B·P ints), 0 when not global
 * @param usedBytes   global scratch for the usage copies (B·N doubles), 0 when not global
 */
record AllocationPlan(
    int padded, int chunk, boolean global, int sharedBytes, long keyBytes, long indexBytes, long usedBytes) {
  /** Bytes per pair: a 64-bit key and a 32-bit index. */
  static final int PAIR_BYTES = 12;
  /** The largest N the sort handles (P must stay an int). */
  static final int MAX_SLOTS = 1 << 30;

  static AllocationPlan of(int batch, int slots, int maxSharedBytes) {
    if (slots < 1 || slots > MAX_SLOTS) {
      throw new IllegalArgumentException(
          "usage: the cuda backend sorts at most 2^30 slots per batch row, got " + slots);
    }
    int padded = Integer.highestOneBit(slots);
    if (padded < slots) {
      padded <<= 1;
    }
    long inShared = (long) PAIR_BYTES * padded + 8L * slots;
    if (inShared <= maxSharedBytes) {
      return new AllocationPlan(padded, padded, false, (int) inShared, 0, 0, 0);
    }
    int chunk = Math.min(padded, Integer.highestOneBit(Math.max(1, maxSharedBytes / PAIR_BYTES)));
    if (chunk < 2) {
      throw new IllegalStateException("the allocation sort needs shared memory for at least 2 pairs, the device offers "
          + maxSharedBytes + " bytes");
    }
    return new AllocationPlan(
        padded, chunk, true, PAIR_BYTES * chunk, 8L * batch * padded, 4L * batch * padded, 8L * batch * slots);
  }
}
