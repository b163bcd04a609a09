package org.dnckernels.simd;

import static org.dnckernels.HostKernels.array;
import static org.dnckernels.HostKernels.offset;
import static org.dnckernels.simd.SimdSpecies.FLOAT;
import static org.dnckernels.simd.SimdSpecies.LANES;

import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.dnckernels.DncKernels;
import org.dnckernels.HostScratch;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * Allocation weightings, one write head after the other:
 *
 * <pre>
 *   ũ = ε + (1 − ε) u ;  φ = argsort ũ (ties: lower index first)
 *   out[φ_j] = (1 − ũ[φ_j]) Π_{i&lt;j} ũ[φ_i] ;  u ← u + (1 − u) g^a g^w out
 * </pre>
 *
 * <p>The sort and the cumulative product are serial. A sort key is one {@code long}: order-preserving float bits
 * in the high word and the slot in the low word, sorted by an LSD radix sort on the high word (stable, so ties keep
 * the lower slot first; no boxing, no comparator, no allocation); runs of up to 48 keys by insertion and of 49 to
 * 128 by a bitonic network in long lanes, on the whole key, which gives the same order. ũ, the product and the usage
 * carried between heads are in double exactly as in the scalar reference, so the order, the ties and every
 * weight match it bit for bit:
 * <ul>
 *   <li>first head: the key holds the float usage itself. ũ is strictly increasing in it above {@link #TINY}
 *       (checked over every float in [0, 1]); below, distinct tiny usages can share one ũ, and those runs are
 *       re-sorted by slot.
 *   <li>later heads: the usage is a double, the key holds it rounded to float; groups with equal keys are
 *       re-sorted by (ũ, slot) and runs of equal ũ across groups by slot.
 * </ul>
 * The key packing and the usage update between heads are vectorised; the product reads ũ back from the key (first
 * head), so its only random access is the store of the weight.
 */
final class SimdAllocation implements KernelMath.Allocation {
  private static final VectorSpecies<Long> LONG = FLOAT.withLanes(long.class);
  private static final VectorSpecies<Double> DOUBLE = FLOAT.withLanes(double.class);
  private static final int HALF = LANES / 2;
  /** The contract's float ε widened to double, as the scalar reference uses it. */
  private static final double EPS = DncKernels.EPSILON;
  /** Above this usage, distinct floats give distinct ũ in double (the largest colliding one is 3.49e-15). */
  private static final float TINY = 1e-14f;
  private static final long HIGH = 0xffff_ffff_0000_0000L;
  private static final long LOW = 0x0000_0000_ffff_ffffL;
  /** Runs up to this many keys are insertion-sorted; from WIDE_FROM keys the radix digits are 11 bits, not 8. */
  private static final int INSERTION = 48, WIDE_FROM = 2048;
  /**
   * Runs of more than INSERTION and up to this many keys go through a bitonic network in long lanes, padded to a
   * power of two: at N = 128 the radix sort's four passes over 256 buckets cost more than the 128 keys.
   */
  private static final int BITONIC = 128;
  private static final int LONG_LANES = LONG.length();
  /** Lane i takes lane i xor 1, 2, 4: the network's exchanges inside a vector (null: wider than the vector). */
  private static final VectorShuffle<Long> LONG_SWAP_1 = LONG_LANES > 1 ? VectorShuffle.fromOp(LONG, i -> i ^ 1) : null;
  private static final VectorShuffle<Long> LONG_SWAP_2 = LONG_LANES > 2 ? VectorShuffle.fromOp(LONG, i -> i ^ 2) : null;
  private static final VectorShuffle<Long> LONG_SWAP_4 = LONG_LANES > 4 ? VectorShuffle.fromOp(LONG, i -> i ^ 4) : null;
  /** Digit counters: 8 digits of 8 bits or 6 of 11. */
  static final int COUNTS = 6 << 11;

  private final SimdSplitter split;
  /** The call being split, by name; only the holder of the pool writes it. */
  private final Call call = new Call();

  SimdAllocation(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void allocation(Tensor usage, Tensor writeGates, Tensor allocationGates, Tensor out, int b0, int b1) {
    // the sort dominates: n log n per write head
    long work = (long) (b1 - b0) * out.dim(1) * usage.dim(1) * (2 + SimdKernels.log2(usage.dim(1)));
    int parts = split.acquire(b0, b1, usage.dim(0), work);
    if (parts == 1) {
      allocationSlice(usage, writeGates, allocationGates, out, b0, b1);
      return;
    }
    call.usage = usage;
    call.writeGates = writeGates;
    call.allocationGates = allocationGates;
    call.out = out;
    split.runAndRelease(call, parts, b1);
  }

  private static final class Call implements SimdBatchPool.Slices {
    Tensor usage;
    Tensor writeGates;
    Tensor allocationGates;
    Tensor out;

    @Override
    public void run(int b0, int b1) {
      allocationSlice(usage, writeGates, allocationGates, out, b0, b1);
    }

    @Override
    public void clear() {
      usage = writeGates = allocationGates = out = null;
    }
  }

  /** Batch entries [b0, b1). */
  static void allocationSlice(Tensor usage, Tensor writeGates, Tensor allocationGates, Tensor out, int b0, int b1) {
    int n = usage.dim(1), wh = writeGates.dim(1);
    float[] us = array(usage), gw = array(writeGates), ga = array(allocationGates), o = array(out);
    int usOff = offset(usage), gwOff = offset(writeGates), gaOff = offset(allocationGates), oOff = offset(out);
    HostScratch scratch = HostScratch.get();
    // sort keys [0,n) and the sorts' buffer [n,3n) (the bitonic network pads to a power of two, below 2n)
    long[] keys = scratch.longs(0, 3 * n);
    int[] counts = scratch.ints(0, COUNTS);
    // several heads: the double usage [0,n), the unrounded weights [n,2n), ũ in sorted order [2n,3n)
    double[] work = wh > 1 ? scratch.doubles(0, 3 * n) : null;
    for (int b = b0; b < b1; b++) {
      int ub = usOff + b * n, ob = oOff + b * wh * n;
      sortFirstHead(us, ub, n, keys, counts);
      // free list: the least used slot first, each later slot scaled by the usage of all before it
      double product = 1;
      for (int j = 0; j < n; j++) {
        long key = keys[j];
        int slot = (int) key;
        double remapped = remap(usageOf(key));
        double a = (1 - remapped) * product;
        o[ob + slot] = (float) a;
        if (work != null) {
          work[n + slot] = a;
        }
        product *= remapped;
      }
      if (wh > 1) {
        laterHeads(us, ub, ga, gaOff + b * wh, gw, gwOff + b * wh, wh, o, ob, keys, counts, work, n);
      }
    }
  }

  /** Heads 1..Wh−1 of one batch entry; work holds head 0's unrounded weights at [n, 2n). */
  private static void laterHeads(
      float[] us, int ub, float[] ga, int gaBase, float[] gw, int gwBase, int wh, float[] o, int ob, long[] keys,
      int[] counts, double[] work, int n) {
    int sorted = 2 * n;
    for (int i = 0; i < n; i++) {
      work[i] = us[ub + i];
    }
    for (int h = 1; h < wh; h++) {
      // the next head sees the slots the previous one will write as used
      updateUsage(work, n, (double) ga[gaBase + h - 1] * gw[gwBase + h - 1]);
      sortLaterHead(work, n, keys, counts);
      double product = 1;
      int hb = ob + h * n;
      for (int j = 0; j < n; j++) {
        int slot = (int) keys[j];
        double remapped = work[sorted + j];
        double a = (1 - remapped) * product;
        o[hb + slot] = (float) a;
        work[n + slot] = a;
        product *= remapped;
      }
    }
  }

  /**
   * Head 0's order: keys[0, n) become (usage bits, slot) sorted by ascending (ũ, slot), ũ = remap(usageOf(key));
   * keys[n, 2n) is the radix sort's buffer.
   */
  static void sortFirstHead(float[] us, int ub, int n, long[] keys, int[] counts) {
    packFloatKeys(us, ub, n, keys);
    sortKeys(keys, 0, n, 32, n, counts);
    orderTinyTies(keys, n, counts);
  }

  /**
   * A later head's order from the double usage work[0, n): slot (int) keys[j] is the j-th by ascending (ũ, slot),
   * its ũ at work[2n + j]; work[n, 2n) is not touched.
   */
  static void sortLaterHead(double[] work, int n, long[] keys, int[] counts) {
    int sorted = 2 * n;
    for (int i = 0; i < n; i++) {
      keys[i] = ((long) orderedBits((float) work[i]) << 32) | i;
    }
    sortKeys(keys, 0, n, 32, n, counts);
    for (int j = 0; j < n; j++) {
      work[sorted + j] = remap(work[(int) keys[j]]);
    }
    orderByRemapped(keys, work, sorted, n, counts);
  }

  static double remap(double u) {
    return EPS + (1 - EPS) * u;
  }

  /** keys[i] = ordered bits of u[i] << 32 | i. */
  private static void packFloatKeys(float[] u, int ub, int n, long[] keys) {
    LongVector lanes = LongVector.zero(LONG).addIndex(1);
    int bound = FLOAT.loopBound(n);
    int i = 0;
    for (; i < bound; i += LANES) {
      // + 0 turns −0 into +0: both give the same ũ, so they must tie
      IntVector bits = FloatVector.fromArray(FLOAT, u, ub + i).add(0f).reinterpretAsInts();
      // flip the magnitude bits of negatives so that signed int order is float order
      IntVector ordered = bits.lanewise(VectorOperators.ASHR, 31).and(0x7fffffff).lanewise(VectorOperators.XOR, bits);
      LongVector lo = (LongVector) ordered.convert(VectorOperators.I2L, 0);
      LongVector hi = (LongVector) ordered.convert(VectorOperators.I2L, 1);
      lo.lanewise(VectorOperators.LSHL, 32).or(lanes.add(i)).intoArray(keys, i);
      hi.lanewise(VectorOperators.LSHL, 32).or(lanes.add(i + HALF)).intoArray(keys, i + HALF);
    }
    // scalar tail
    for (; i < n; i++) {
      keys[i] = ((long) orderedBits(u[ub + i]) << 32) | i;
    }
  }

  /** Float bits in an order where signed int comparison is float comparison (−0 taken as +0). */
  private static int orderedBits(float v) {
    int bits = Float.floatToRawIntBits(v + 0f);
    return bits ^ ((bits >> 31) & 0x7fffffff);
  }

  /** The usage in the high word of a first-head key (the ordered-bits map is its own inverse). */
  static float usageOf(long key) {
    int bits = (int) (key >> 32);
    return Float.intBitsToFloat(bits ^ ((bits >> 31) & 0x7fffffff));
  }

  /** Double bits in an order where signed long comparison is double comparison (−0 taken as +0). */
  private static long orderedBits(double v) {
    long bits = Double.doubleToRawLongBits(v + 0.0);
    return bits ^ ((bits >> 63) & 0x7fff_ffff_ffff_ffffL);
  }

  private static double unorderedDouble(long ordered) {
    return Double.longBitsToDouble(ordered ^ ((ordered >> 63) & 0x7fff_ffff_ffff_ffffL));
  }

  /** First head: keys sorted by usage; runs of tiny usages with one ũ go by slot. */
  private static void orderTinyTies(long[] keys, int n, int[] counts) {
    int j = 0;
    while (j < n && usageOf(keys[j]) < TINY) {
      double remapped = remap(usageOf(keys[j]));
      int e = j + 1;
      while (e < n && remap(usageOf(keys[e])) == remapped) {
        e++;
      }
      if ((keys[j] & HIGH) != (keys[e - 1] & HIGH)) {
        // equal ũ from different usages: one usage for all (same ũ), then slot order
        long high = keys[j] & HIGH;
        for (int m = j; m < e; m++) {
          keys[m] = high | (keys[m] & LOW);
        }
        sortKeys(keys, j, e, 0, n, counts);
      }
      j = e;
    }
  }

  /**
   * Later heads: keys sorted by the float-rounded usage, ũ (double) of each sorted entry at t[tOff..]. Fixes the
   * order to ascending (ũ, slot): within groups of equal float keys, then across runs of equal ũ.
   */
  private static void orderByRemapped(long[] keys, double[] t, int tOff, int n, int[] counts) {
    int j = 0;
    while (j < n) {
      long high = keys[j] & HIGH;
      int e = j + 1;
      while (e < n && (keys[e] & HIGH) == high) {
        e++;
      }
      if (e - j > 1) {
        orderGroup(keys, t, tOff, j, e, n, counts);
      }
      j = e;
    }
    // ũ is now ascending; equal ũ from different float keys still need slot order
    j = 0;
    while (j < n) {
      double remapped = t[tOff + j];
      int e = j + 1;
      boolean ascending = true;
      while (e < n && t[tOff + e] == remapped) {
        ascending &= (int) keys[e] > (int) keys[e - 1];
        e++;
      }
      if (!ascending) {
        for (int m = j; m < e; m++) {
          keys[m] &= LOW;
        }
        sortKeys(keys, j, e, 0, n, counts);
      }
      j = e;
    }
  }

  /** Sorts keys[j..e) (one float key) by (ũ, slot), moving t along. */
  private static void orderGroup(long[] keys, double[] t, int tOff, int j, int e, int n, int[] counts) {
    long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
    for (int m = j; m < e; m++) {
      long bits = orderedBits(t[tOff + m]);
      min = Math.min(min, bits);
      max = Math.max(max, bits);
    }
    if (max - min >= 0 && max - min < (1L << 31)) {
      // one float's worth of usage spans < 2^30 double steps of ũ: the offset fits the high word
      for (int m = j; m < e; m++) {
        keys[m] = ((orderedBits(t[tOff + m]) - min) << 32) | (keys[m] & LOW);
      }
      // the group is in slot order already: a stable sort on the high word
      sortKeys(keys, j, e, 32, n, counts);
      for (int m = j; m < e; m++) {
        t[tOff + m] = unorderedDouble((keys[m] >> 32) + min);
      }
    } else {
      // not reached for usages in [0, 1]; kept for arbitrary inputs
      for (int m = j + 1; m < e; m++) {
        long key = keys[m];
        double v = t[tOff + m];
        int k = m - 1;
        while (k >= j && (t[tOff + k] > v || (t[tOff + k] == v && (int) keys[k] > (int) key))) {
          keys[k + 1] = keys[k];
          t[tOff + k + 1] = t[tOff + k];
          k--;
        }
        keys[k + 1] = key;
        t[tOff + k + 1] = v;
      }
    }
  }

  /**
   * Sorts keys[from, to) ascending as signed longs, given that they are already ascending in their bits below
   * {@code lowBit}: a stable LSD radix sort of the digits from lowBit up (8-bit digits, 11-bit from
   * {@link #WIDE_FROM} keys). One pass counts every digit; a digit that all keys share is skipped. Runs of up to
   * {@link #BITONIC} keys go through {@link #bitonicSort} instead. keys[bufOff, bufOff + 2(to − from)) is the
   * buffer. No allocation, unlike {@code Arrays.sort(long[])}, whose
   * vectorised partition allocates on JDK 22+.
   */
  private static void sortKeys(long[] keys, int from, int to, int lowBit, int bufOff, int[] counts) {
    sortKeys(keys, from, to, lowBit, bufOff, counts, BITONIC);
  }

  /**
   * {@link #sortKeys} with runs of up to {@code bitonicUpTo} keys on the bitonic network (0: the radix sort from
   * INSERTION up; a test compares the two). keys[bufOff, bufOff + 2(to − from)) is the buffer.
   */
  static void sortKeys(long[] keys, int from, int to, int lowBit, int bufOff, int[] counts, int bitonicUpTo) {
    int n = to - from;
    if (n <= INSERTION) {
      insertionSort(keys, from, to);
      return;
    }
    // 4 to 8 long lanes (256 and 512 bits): on 128-bit vectors the network's long lanes were not compiled to
    // vector instructions (SimdSteadyStateTest saw 217 KB of boxes per step at N = 128) and the radix sort stays
    if (n <= bitonicUpTo && LONG_LANES >= 4 && LONG_LANES <= 8) {
      bitonicSort(keys, from, n, bufOff);
      return;
    }
    int bits = n >= WIDE_FROM ? 11 : 8, buckets = 1 << bits, mask = buckets - 1;
    int passes = (64 - lowBit + bits - 1) / bits;
    Arrays.fill(counts, 0, passes * buckets, 0);
    for (int i = from; i < to; i++) {
      // flipping the sign bit makes signed order unsigned digit order
      long k = (keys[i] ^ Long.MIN_VALUE) >>> lowBit;
      for (int p = 0; p < passes; p++) {
        counts[p * buckets + ((int) (k >>> (p * bits)) & mask)]++;
      }
    }
    int src = from, dst = bufOff;
    for (int p = 0; p < passes; p++) {
      int shift = lowBit + p * bits, base = p * buckets;
      if (counts[base + digit(keys[src], shift, mask)] == n) {
        // every key has this digit: the order stays
        continue;
      }
      int start = 0;
      for (int d = 0; d < buckets; d++) {
        int c = counts[base + d];
        counts[base + d] = start;
        start += c;
      }
      for (int i = 0; i < n; i++) {
        long k = keys[src + i];
        keys[dst + counts[base + digit(k, shift, mask)]++] = k;
      }
      int swap = src;
      src = dst;
      dst = swap;
    }
    if (src != from) {
      System.arraycopy(keys, src, keys, from, n);
    }
  }

  /**
   * keys[from, from + n) ascending as signed longs by a bitonic network in keys[buf, buf + size), size the power of
   * two from n up (at least two vectors), padded with Long.MAX_VALUE (above every key: a key's high word is at most
   * a float's ordered bits). Exchanges of elements a vector or more apart are min/max of two vectors; those inside
   * a vector, min/max with the vector's lanes swapped, blended by which lane keeps the larger. Keys are distinct
   * (a slot in the low word), so this gives the radix sort's order exactly.
   */
  private static void bitonicSort(long[] keys, int from, int n, int buf) {
    int size = Math.max(2 * LONG_LANES, Integer.highestOneBit(n - 1) << 1);
    System.arraycopy(keys, from, keys, buf, n);
    Arrays.fill(keys, buf + n, buf + size, Long.MAX_VALUE);
    for (int k = 2; k <= size; k <<= 1) {
      for (int j = k >> 1; j > 0; j >>= 1) {
        if (j >= LONG_LANES) {
          // blocks of 2j inside one block of k: ascending when (g & k) == 0
          for (int v = 0; v < size; v += 2 * j) {
            boolean ascending = (v & k) == 0;
            for (int u = buf + v; u < buf + v + j; u += LONG_LANES) {
              LongVector x = LongVector.fromArray(LONG, keys, u), y = LongVector.fromArray(LONG, keys, u + j);
              if (ascending) {
                x.min(y).intoArray(keys, u);
                x.max(y).intoArray(keys, u + j);
              } else {
                x.max(y).intoArray(keys, u);
                x.min(y).intoArray(keys, u + j);
              }
            }
          }
        } else {
          exchangeInLanes(keys, buf, size, k, j);
        }
      }
    }
    System.arraycopy(keys, buf, keys, from, n);
  }

  /**
   * One stage of {@link #bitonicSort} with partners j &lt; lanes apart: element g keeps the larger of itself and
   * g xor j when (g &amp; j ≠ 0) xor (g &amp; k ≠ 0).
   */
  private static void exchangeInLanes(long[] keys, int buf, int size, int k, int j) {
    // no vector arguments: were C2 to leave this call out of line, they would be boxed
    VectorShuffle<Long> partner = j == 1 ? LONG_SWAP_1 : j == 2 ? LONG_SWAP_2 : LONG_SWAP_4;
    LongVector iota = LongVector.zero(LONG).addIndex(1);
    VectorMask<Long> upper = iota.and(j).compare(VectorOperators.NE, 0);
    // k below the lanes: the direction changes inside a vector; else per vector, by (v & k)
    VectorMask<Long> inVector = k < LONG_LANES ? upper.eq(iota.and(k).compare(VectorOperators.NE, 0)).not() : upper;
    VectorMask<Long> flipped = upper.not();
    for (int v = 0; v < size; v += LONG_LANES) {
      LongVector x = LongVector.fromArray(LONG, keys, buf + v), y = x.rearrange(partner);
      LongVector lo = x.min(y), hi = x.max(y);
      if (k < LONG_LANES || (v & k) == 0) {
        lo.blend(hi, inVector).intoArray(keys, buf + v);
      } else {
        lo.blend(hi, flipped).intoArray(keys, buf + v);
      }
    }
  }

  private static int digit(long key, int shift, int mask) {
    return (int) ((key ^ Long.MIN_VALUE) >>> shift) & mask;
  }

  private static void insertionSort(long[] keys, int from, int to) {
    for (int i = from + 1; i < to; i++) {
      long k = keys[i];
      int j = i - 1;
      while (j >= from && keys[j] > k) {
        keys[j + 1] = keys[j];
        j--;
      }
      keys[j + 1] = k;
    }
  }

  /** used[i] += (1 − used[i]) gate a[i] over work[0, n), a = work[n, 2n), in double as the reference does. */
  static void updateUsage(double[] work, int n, double gate) {
    int lanes = DOUBLE.length();
    int bound = DOUBLE.loopBound(n);
    int i = 0;
    for (; i < bound; i += lanes) {
      DoubleVector u = DoubleVector.fromArray(DOUBLE, work, i);
      DoubleVector a = DoubleVector.fromArray(DOUBLE, work, n + i);
      u.add(u.neg().add(1.0).mul(gate).mul(a)).intoArray(work, i);
    }
    // scalar tail
    for (; i < n; i++) {
      work[i] += (1 - work[i]) * gate * work[n + i];
    }
  }
}
