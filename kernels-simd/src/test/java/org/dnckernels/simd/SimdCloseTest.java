package org.dnckernels.simd;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.dnckernels.InterfaceValues;
import org.dnckernels.MemoryShape;
import org.dnckernels.MemoryState;
import org.dnckernels.Tensor;
import org.dnckernels.Workspace;
import org.dnckernels.testing.RandomTensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code close()} from another thread while batch-split calls run: every call either completes or fails with
 * {@link IllegalStateException}, and none hangs (a hang fails the test by its timeout instead of blocking the
 * build). Calls after close fail the same way.
 */
class SimdCloseTest {
  private static final int TRIALS = 200;

  @BeforeAll
  static void vectorApi() {
    assumeTrue(ModuleLayer.boot().findModule(SimdBackendProvider.MODULE).isPresent(), "no Vector API");
  }

  @Test
  void closeDuringSplitCallsNeverHangsTheCaller() {
    MemoryShape s = new MemoryShape(8, 33, 16, 2, 1);
    RandomTensors rnd = new RandomTensors(5);
    for (int trial = 0; trial < TRIALS; trial++) {
      int delayNanos = rnd.nextInt(200_000);
      int at = trial;
      assertTimeoutPreemptively(Duration.ofSeconds(20), () -> closeWhileStepping(s, delayNanos, at),
          "trial " + trial + ": a call still waits after close()");
    }
  }

  private static void closeWhileStepping(MemoryShape s, int delayNanos, int trial) throws Exception {
    // four threads, every call split: the pool's workers are busy when close() comes
    SimdKernels k = new SimdKernels(4, 0);
    MemoryState state = k.newState(s);
    InterfaceValues in = k.newInterface(s);
    Workspace ws = k.newWorkspace(s);
    Tensor reads = k.allocate(s.batch(), s.readHeads(), s.wordSize());
    in.readStrengths().fill(1f);
    in.writeStrengths().fill(1f);
    in.writeGates().fill(1f);
    in.readModes().fill(1f / 3);
    CountDownLatch started = new CountDownLatch(1);
    AtomicReference<Throwable> unexpected = new AtomicReference<>();
    Thread stepper = new Thread(() -> {
      started.countDown();
      try {
        while (true) {
          k.memoryStep(state, in, reads, ws);
        }
      } catch (IllegalStateException closed) {
        // the end: every call after close() gets this
      } catch (Throwable t) {
        unexpected.set(t);
      }
    }, "stepper-" + trial);
    stepper.start();
    started.await();
    long until = System.nanoTime() + delayNanos;
    while (System.nanoTime() < until) {
      Thread.onSpinWait();
    }
    k.close();
    stepper.join();
    if (unexpected.get() != null) {
      fail("trial " + trial + ": the stepping thread failed with something other than IllegalStateException",
          unexpected.get());
    }
    assertTrue(k.isClosed(), "closed");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> k.memoryStep(state, in, reads, ws));
    assertTrue(e.getMessage().contains("closed"), "the message says why: " + e.getMessage());
    assertThrows(IllegalStateException.class, () -> k.contentWeights(state.memory(), in.readKeys(),
        in.readStrengths(), ws.readContent()), "every kernel after close");
    k.close(); // idempotent
  }
}
