package org.dnckernels.simd;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A small fixed pool of daemon threads that split a batch: the caller runs part 0 itself and the workers run
 * the others, then the caller waits for them. One fork/join costs a few atomic writes and, when a worker is
 * asleep, one unpark: nothing is allocated per call (the task is a pre-allocated object of the caller).
 *
 * <p>Workers spin briefly after each part (memory steps come back to back) and then park. The pool serves one
 * call at a time: a second thread that calls while it is busy gets {@code false} from {@link #tryAcquire} and
 * runs its call inline.
 *
 * <p>Each part is claimed before it runs, by its worker or by the caller. {@link #close()} may come at any time,
 * also during a call: a worker that already claimed its part finishes it, and the caller runs every part that no
 * worker claimed (workers that saw the close first), so a call in flight always completes and never waits on a
 * stopped thread.
 */
final class SimdBatchPool implements AutoCloseable {
  /** The work of one slice [b0, b1) of a call's batch entries (or of its units, see SimdKernels). */
  interface Slices {
    void run(int b0, int b1);

    /** Called on the caller once every slice has run without failure, while the pool is still held. */
    default void afterSlices() {}

    /** Called once the call is over, before the pool is released: drop references to the call's data. */
    default void clear() {}
  }

  /** The slice count shares a long with the generation: 16 bits. */
  static final int MAX_THREADS = 0xFFFF;
  /** onSpinWait rounds before a waiting thread parks (a few tens of microseconds). */
  private static final int SPINS = 1 << 14;

  private final Thread[] workers;
  private final AtomicBoolean busy = new AtomicBoolean();
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  /** claims[p]: the last generation whose part p was taken (by worker p or by the caller). */
  private final AtomicLongArray claims;
  /** generation << 16 | parts: read in one volatile load, so a worker never mixes two calls. */
  private volatile long ticket;
  private volatile boolean closed;
  private volatile Thread caller;
  private Slices slices;
  private int batch;

  SimdBatchPool(int threads) {
    workers = new Thread[threads - 1];
    claims = new AtomicLongArray(threads);
    for (int i = 0; i < workers.length; i++) {
      int part = i + 1;
      Thread t = new Thread(() -> work(part), "dnc-kernels-simd-" + part);
      t.setDaemon(true);
      workers[i] = t;
    }
    for (Thread t : workers) {
      t.start();
    }
  }

  /** Threads including the caller. */
  int threads() {
    return workers.length + 1;
  }

  /** Takes the pool for one call; {@code false} when another thread holds it (then run inline). */
  boolean tryAcquire() {
    return !closed && busy.compareAndSet(false, true);
  }

  /**
   * Runs {@code task} on {@code parts} slices of [0, batch), part 0 on the calling thread, and releases the pool.
   * Must follow a successful {@link #tryAcquire}.
   */
  void runAndRelease(Slices task, int parts, int batch) {
    try {
      this.slices = task;
      this.batch = batch;
      this.caller = Thread.currentThread();
      failure.set(null);
      pending.set(parts - 1);
      long generation = (ticket >>> 16) + 1;
      ticket = generation << 16 | parts; // publishes slices and batch
      for (int p = 1; p < parts; p++) {
        LockSupport.unpark(workers[p - 1]);
      }
      Throwable own = null;
      try {
        task.run(0, batch / parts);
      } catch (Throwable t) {
        own = t;
      }
      int spins = SPINS;
      while (pending.get() != 0) {
        if (closed) {
          // workers stop once closed: run the parts none of them took
          for (int p = 1; p < parts; p++) {
            if (claim(p, generation)) {
              runPart(task, p, parts, batch);
            }
          }
        }
        if (pending.get() == 0) {
          break;
        }
        if (spins > 0) {
          spins--;
          Thread.onSpinWait();
        } else {
          LockSupport.park(this);
        }
      }
      Throwable t = own != null ? own : failure.get();
      if (t instanceof RuntimeException e) {
        throw e;
      }
      if (t instanceof Error e) {
        throw e;
      }
      if (t != null) {
        throw new IllegalStateException(t);
      }
      task.afterSlices();
    } finally {
      slices = null;
      task.clear();
      busy.set(false);
    }
  }

  private void work(int part) {
    long seen = 0;
    while (true) {
      long t;
      int spins = SPINS;
      while ((t = ticket) >>> 16 == seen >>> 16 && !closed) {
        if (spins > 0) {
          spins--;
          Thread.onSpinWait();
        } else {
          LockSupport.park(this);
        }
      }
      if (t >>> 16 == seen >>> 16) {
        return; // closed, and no call waits for this worker
      }
      seen = t;
      int parts = (int) (t & 0xFFFF);
      if (part < parts && claim(part, t >>> 16)) {
        runPart(slices, part, parts, batch);
      }
    }
  }

  /** Takes part {@code p} of call {@code generation}; false if the caller or its worker already took it. */
  private boolean claim(int p, long generation) {
    long last = claims.get(p);
    return last < generation && claims.compareAndSet(p, last, generation);
  }

  /** Runs a claimed part [batch·p/parts, batch·(p+1)/parts), records a failure, and counts it done. */
  private void runPart(Slices task, int p, int parts, int n) {
    try {
      task.run((int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts));
    } catch (Throwable e) {
      failure.compareAndSet(null, e);
    }
    if (pending.decrementAndGet() == 0) {
      LockSupport.unpark(caller);
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Thread t : workers) {
      LockSupport.unpark(t);
    }
    Thread c = caller;
    if (c != null) {
      LockSupport.unpark(c); // a caller parked in runAndRelease rechecks closed
    }
  }
}
