package org.dnckernels.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.dnckernels.DncKernels;
import org.dnckernels.InterfaceValues;
import org.dnckernels.MemoryShape;
import org.dnckernels.MemoryState;
import org.dnckernels.Tensor;
import org.dnckernels.Workspace;
import org.dnckernels.testing.InterfaceData;
import org.dnckernels.testing.RandomTensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Splitting the batch over threads must not change the results: each batch entry runs the same code on any
 * thread. Every kernel and the memory step, one thread against three threads that split every call. Not
 * bit-for-bit: a float lane reduction may add its lanes in another order once C2 compiles it (the Vector API
 * allows that), so a slice that runs compiled can differ from one that ran interpreted by an ulp or so. A wrong
 * slice (an entry skipped, written twice or by the wrong thread) is off by far more than {@link #ULPS}.
 */
class SimdThreadsTest {
  /** One kernel call: |a − b| ≤ ULPS · 2^-24 · (1 + |a|). */
  private static final double ULPS = 64;
  /**
   * Several memory steps feed each result into the next (softmaxes, allocation products), which amplifies an ulp of
   * difference: |a − b| ≤ STEPS_TOLERANCE · (1 + |a|). A slice computed twice, skipped or mixed with another
   * call's data is off by orders of magnitude more.
   */
  private static final double STEPS_TOLERANCE = 1e-4;
  @BeforeAll
  static void vectorApi() {
    assumeTrue(ModuleLayer.boot().findModule(SimdBackendProvider.MODULE).isPresent(), "no Vector API");
  }

  @Test
  void everyKernelGivesTheSameBitsOnOneAndThreeThreads() {
    int b = 5, n = 37, w = 35, r = 3, wh = 2;
    try (SimdKernels one = new SimdKernels(1); SimdKernels three = new SimdKernels(3, 0)) {
      for (int seed = 0; seed < 3; seed++) {
        float[][] a = runAll(one, b, n, w, r, wh, seed);
        float[][] c = runAll(three, b, n, w, r, wh, seed);
        assertEquals(a.length, c.length);
        for (int i = 0; i < a.length; i++) {
          assertClose(a[i], c[i], ULPS * 0x1p-24, "output " + i + " of seed " + seed);
        }
      }
    }
  }

  @Test
  void memoryStepsGiveTheSameBitsOnOneAndThreeThreads() {
    MemoryShape shape = new MemoryShape(7, 33, 20, 3, 2);
    try (SimdKernels one = new SimdKernels(1); SimdKernels three = new SimdKernels(3, 0)) {
      assertClose(steps(one, shape, 5), steps(three, shape, 5), STEPS_TOLERANCE, "memory steps");
    }
  }

  /**
   * Link kernels split by segments of rows (here 4 rows each, so that small matrices have several): every
   * segment runs the same code on any thread and the partial backward sums are added in segment order, so one
   * thread and three give the same bits. Batches of 1 (the split shares one matrix), 2 with two write heads
   * (matrices and segments across threads) and 3 (uneven), sizes with tails.
   */
  @Test
  void linkKernelsSplitBySegmentsGiveTheSameBitsOnOneAndThreeThreads() {
    int[][] shapes = {{1, 37, 3, 1}, {1, 64, 4, 1}, {2, 45, 2, 2}, {3, 29, 1, 1}, {1, 40, 5, 2}};
    try (SimdKernels one = new SimdKernels(1, SimdKernels.INLINE_WORK, 4);
        SimdKernels three = new SimdKernels(3, 0, 4)) {
      for (int[] shape : shapes) {
        int b = shape[0], n = shape[1], r = shape[2], wh = shape[3];
        float[][] a = runLink(one, b, n, r, wh);
        float[][] c = runLink(three, b, n, r, wh);
        for (int i = 0; i < a.length; i++) {
          assertArrayEquals(a[i], c[i], "output " + i + " at B" + b + " N" + n + " R" + r + " Wh" + wh);
        }
      }
    }
  }

  /** A step of one batch entry shares only its link pass between threads, by segments. */
  @Test
  void singleEntryMemoryStepsGiveTheSameBitsOnOneAndThreeThreads() {
    MemoryShape shape = new MemoryShape(1, 43, 20, 3, 2);
    try (SimdKernels one = new SimdKernels(1, SimdKernels.INLINE_WORK, 4);
        SimdKernels three = new SimdKernels(3, 0, 4)) {
      assertArrayEquals(steps(one, shape, 5), steps(three, shape, 5), "memory steps of one entry");
    }
  }

  /** forwardBackward, then the fused pass, then linkUpdate alone, each output copied. */
  private static float[][] runLink(DncKernels k, int b, int n, int r, int wh) {
    RandomTensors random = new RandomTensors(n);
    Tensor link = k.upload(random.link(b, wh, n), 0, b, wh, n, n);
    Tensor readWeights = k.upload(random.weightings(b * r, n), 0, b, r, n);
    Tensor precedence = k.upload(random.subWeightings(b * wh, n), 0, b, wh, n);
    Tensor writeWeights = k.upload(random.subWeightings(b * wh, n), 0, b, wh, n);
    Tensor forward = k.allocate(b, r, wh, n);
    Tensor backward = k.allocate(b, r, wh, n);
    k.forwardBackward(link, readWeights, forward, backward);
    float[] f1 = forward.toArray(), b1 = backward.toArray();
    k.linkUpdateAndWeightings(link, precedence, writeWeights, readWeights, forward, backward);
    float[] l2 = link.toArray(), f2 = forward.toArray(), b2 = backward.toArray();
    k.linkUpdate(link, precedence, writeWeights);
    return new float[][] {f1, b1, l2, f2, b2, link.toArray()};
  }

  /** Two callers share one backend: one gets the pool, the other runs inline; both must be right. */
  @Test
  void concurrentCallersGetCorrectResults() throws Exception {
    MemoryShape shape = new MemoryShape(6, 40, 24, 2, 1);
    float[] expected;
    try (SimdKernels one = new SimdKernels(1)) {
      expected = steps(one, shape, 5);
    }
    try (SimdKernels shared = new SimdKernels(2, 0)) {
      List<Thread> threads = new ArrayList<>();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      CountDownLatch start = new CountDownLatch(1);
      for (int t = 0; t < 3; t++) {
        Thread thread = new Thread(() -> {
          try {
            start.await();
            // repeated, so that calls overlap: the pool is busy for some and free for others
            for (int round = 0; round < 10; round++) {
              assertClose(expected, steps(shared, shape, 5), STEPS_TOLERANCE, "memory steps of a concurrent caller");
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        });
        thread.start();
        threads.add(thread);
      }
      start.countDown();
      for (Thread thread : threads) {
        thread.join();
      }
      if (failure.get() != null) {
        throw new AssertionError(failure.get());
      }
    }
  }

  private static void assertClose(float[] expected, float[] actual, double relative, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      double bound = relative * (1 + Math.abs(expected[i]));
      if (!(Math.abs((double) expected[i] - actual[i]) <= bound)) {
        throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]);
      }
    }
  }

  /** Memory, usage, link, precedence, read/write weights and read vectors after {@code count} steps. */
  private static float[] steps(DncKernels k, MemoryShape s, int count) {
    RandomTensors random = new RandomTensors(5);
    int b = s.batch(), r = s.readHeads(), w = s.wordSize();
    MemoryState state = k.newState(s);
    state.memory().copyFrom(random.memory(b, s.slots(), w), 0);
    Workspace ws = k.newWorkspace(s);
    Tensor readVectors = k.allocate(b, r, w);
    for (int i = 0; i < count; i++) {
      InterfaceValues in = random.interfaceValues(b, w, r, s.writeHeads()).upload(k, s);
      k.memoryStep(state, in, readVectors, ws);
    }
    return concat(state.memory().toArray(), state.usage().toArray(), state.link().toArray(),
        state.precedence().toArray(), state.readWeights().toArray(), state.writeWeights().toArray(),
        readVectors.toArray());
  }

  private static float[][] runAll(DncKernels k, int b, int n, int w, int r, int wh, long seed) {
    RandomTensors random = new RandomTensors(seed);
    List<float[]> outs = new ArrayList<>();
    Tensor memory = k.upload(random.memory(b, n, w), 0, b, n, w);
    Tensor keys = k.upload(random.keys(b * r, w), 0, b, r, w);
    Tensor strengths = k.upload(random.strengths(b * r), 0, b, r);
    Tensor content = k.allocate(b, r, n);
    k.contentWeights(memory, keys, strengths, content);
    outs.add(content.toArray());

    Tensor readWeights = k.upload(random.weightings(b * r, n), 0, b, r, n);
    Tensor readVectors = k.allocate(b, r, w);
    k.read(memory, readWeights, readVectors);
    outs.add(readVectors.toArray());

    Tensor writeWeights = k.upload(random.weightings(b * wh, n), 0, b, wh, n);
    Tensor erase = k.upload(random.gates(b * wh * w), 0, b, wh, w);
    Tensor add = k.upload(random.gaussian(b * wh * w, 1), 0, b, wh, w);
    k.eraseAndAdd(memory, writeWeights, erase, add);
    outs.add(memory.toArray());

    Tensor usage = k.upload(random.usage(b * n), 0, b, n);
    Tensor freeGates = k.upload(random.gates(b * r), 0, b, r);
    k.usage(usage, writeWeights, freeGates, readWeights, usage);
    outs.add(usage.toArray());

    Tensor writeGates = k.upload(random.gates(b * wh), 0, b, wh);
    Tensor allocationGates = k.upload(random.gates(b * wh), 0, b, wh);
    Tensor allocation = k.allocate(b, wh, n);
    k.allocation(usage, writeGates, allocationGates, allocation);
    outs.add(allocation.toArray());

    Tensor writeContent = k.upload(random.weightings(b * wh, n), 0, b, wh, n);
    Tensor newWriteWeights = k.allocate(b, wh, n);
    k.writeWeights(allocation, writeContent, writeGates, allocationGates, newWriteWeights);
    outs.add(newWriteWeights.toArray());

    Tensor link = k.upload(random.link(b, wh, n), 0, b, wh, n, n);
    Tensor precedence = k.upload(random.subWeightings(b * wh, n), 0, b, wh, n);
    Tensor forward = k.allocate(b, r, wh, n);
    Tensor backward = k.allocate(b, r, wh, n);
    k.forwardBackward(link, readWeights, forward, backward);
    outs.add(forward.toArray());
    outs.add(backward.toArray());
    k.linkUpdateAndWeightings(link, precedence, newWriteWeights, readWeights, forward, backward);
    outs.add(link.toArray());
    outs.add(forward.toArray());
    outs.add(backward.toArray());
    k.linkUpdate(link, precedence, writeWeights);
    outs.add(link.toArray());
    k.precedence(precedence, newWriteWeights);
    outs.add(precedence.toArray());

    Tensor modes = k.upload(random.readModes(b * r, 2 * wh + 1), 0, b, r, 2 * wh + 1);
    Tensor mixed = k.allocate(b, r, n);
    k.readModeMix(modes, backward, content, forward, mixed);
    outs.add(mixed.toArray());

    Tensor previous = k.upload(random.ntmWeights(b * r, n), 0, b, r, n);
    Tensor gate = k.upload(random.gates(b * r), 0, b, r);
    Tensor interpolated = k.allocate(b, r, n);
    k.ntmInterpolate(content, previous, gate, interpolated);
    outs.add(interpolated.toArray());
    Tensor shift = k.upload(random.shifts(b * r, 3), 0, b, r, 3);
    Tensor shifted = k.allocate(b, r, n);
    k.ntmShift(interpolated, shift, shifted);
    outs.add(shifted.toArray());
    Tensor gamma = k.upload(random.gammas(b * r), 0, b, r);
    k.ntmSharpen(shifted, gamma, shifted);
    outs.add(shifted.toArray());

    MemoryShape split = new MemoryShape(b, 1, w, r, 1);
    Tensor raw = k.upload(random.rawInterface(b, r, w), 0, b, split.interfaceSize());
    InterfaceValues values = k.newInterface(split);
    k.interfaceSplit(raw, values);
    InterfaceData data = InterfaceData.download(values);
    outs.add(concat(data.readKeys(), data.readStrengths(), data.writeKeys(), data.writeStrengths(),
        data.eraseVectors(), data.writeVectors(), data.freeGates(), data.allocationGates(), data.writeGates(),
        data.readModes()));
    return outs.toArray(new float[0][]);
  }

  private static float[] concat(float[]... parts) {
    int size = 0;
    for (float[] p : parts) {
      size += p.length;
    }
    float[] out = new float[size];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
