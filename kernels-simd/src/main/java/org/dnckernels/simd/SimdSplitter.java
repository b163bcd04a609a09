package org.dnckernels.simd;

/**
 * How a SIMD call is split over the backend's threads: the pool, the work below which a call runs on the caller
 * alone, and the rows per segment of a link matrix. Every family class asks it before running a call; a call
 * splits into up to {@code threads} slices, the caller taking the first.
 *
 * <p>Only a call over the whole batch splits: a call over a part of it is a slice of a split already running
 * (the memory step splits once and runs its kernels on each slice), and the pool is then held anyway.
 */
final class SimdSplitter implements AutoCloseable {
  final int threads;
  final long inlineWork;
  /** Rows per segment of a link matrix: {@link SimdTemporalLinkage#SEGMENT_ROWS} but in tests. */
  final int segmentRows;
  /** null with one thread. */
  private final SimdBatchPool pool;
  /** Partial backward sums of a link pass split by segments; only the holder of the pool uses it. */
  private float[] linkPartials = new float[0];

  SimdSplitter(int threads, long inlineWork, int segmentRows) {
    if (threads < 1 || threads > SimdBatchPool.MAX_THREADS) {
      throw new IllegalArgumentException(
          "threads: must be in [1, " + SimdBatchPool.MAX_THREADS + "] but was " + threads);
    }
    if (segmentRows < 1) {
      throw new IllegalArgumentException("segmentRows: must be >= 1 but was " + segmentRows);
    }
    this.threads = threads;
    this.inlineWork = inlineWork;
    this.segmentRows = segmentRows;
    this.pool = threads > 1 ? new SimdBatchPool(threads) : null;
  }

  /** The pool, or null with one thread. */
  SimdBatchPool pool() {
    return pool;
  }

  /** Slices for a call of {@code work} element operations over {@code units} batch entries or link segments. */
  int parts(int units, long work) {
    long byWork = inlineWork == 0 ? units : Math.max(1, work / inlineWork);
    return (int) Math.min(Math.min(threads, units), byWork);
  }

  /**
   * The slices to split a call over batch entries [b0, b1) of {@code batch} into, holding the pool when more than
   * one: then the caller must {@link #runAndRelease}. 1: run inline (one thread, small, a partial range, or the
   * pool busy with another call).
   */
  int acquire(int b0, int b1, int batch, long work) {
    if (b0 != 0 || b1 != batch) {
      return 1;
    }
    return acquireUnits(batch, work);
  }

  /** As {@link #acquire} for a call over {@code units} independent units (segments of link matrices). */
  int acquireUnits(int units, long work) {
    if (pool == null) {
      return 1;
    }
    int parts = parts(units, work);
    return parts > 1 && pool.tryAcquire() ? parts : 1;
  }

  /** Runs {@code task} on {@code parts} slices of [0, units) and releases the pool. Must follow an acquire. */
  void runAndRelease(SimdBatchPool.Slices task, int parts, int units) {
    pool.runAndRelease(task, parts, units);
  }

  /** The partial-sum buffer of a split link pass, at least {@code floats} long; only the pool's holder calls it. */
  float[] linkPartials(int floats) {
    if (linkPartials.length < floats) {
      linkPartials = new float[floats];
    }
    return linkPartials;
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.close();
    }
  }
}
