package org.dnckernels.cuda;

import java.util.Collections;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One backend instance's device state: its stream (inside {@link Gpu}), the lock that serialises every call on
 * it, the allocations it made and its scratch buffers. Kept apart from {@link CudaKernels} so that the cleaners
 * of forgotten tensors and of a forgotten backend can reach it without keeping those objects alive.
 *
 * <p>Every device call goes through {@link #enter()} … {@link #close()} (use try-with-resources): take the lock,
 * refuse if closed, make the context current. The lock is reentrant, so a tensor freed by its cleaner while the
 * same thread holds the lock is fine.
 */
final class CudaStream implements AutoCloseable {
  /** Scratch buffers of the kernels, grown on demand and reused (calls are serialised). */
  enum Scratch {
    SORT_KEYS,
    SORT_INDICES,
    SORT_USAGE,
    FORWARD_PARTIALS,
    BACKWARD_PARTIALS,
    // backwards: content addressing
    CONTENT_COEFFICIENTS
  }

  /** A device allocation; {@code freed} is written under the lock. */
  static final class Buffer {
    final long address;
    final long bytes;
    volatile boolean freed;

    Buffer(long address, long bytes) {
      this.address = address;
      this.bytes = bytes;
    }
  }

  final Gpu gpu;
  private final ReentrantLock lock = new ReentrantLock();
  private final Set<Buffer> live = Collections.newSetFromMap(new IdentityHashMap<>());
  private final EnumMap<Scratch, Buffer> scratch = new EnumMap<>(Scratch.class);
  private boolean closed;

  CudaStream(Gpu gpu) {
    this.gpu = gpu;
  }

  /** Takes the lock and makes the context current; pair with {@link #close()} (try-with-resources). */
  CudaStream enter() {
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("the cuda backend is closed");
      }
      gpu.enter();
      return this;
    } catch (RuntimeException | Error e) {
      lock.unlock();
      throw e;
    }
  }

  /** Releases the lock taken by {@link #enter()}. */
  @Override
  public void close() {
    lock.unlock();
  }

  /** Queues a kernel launch (see {@link Gpu#launch}). Call inside {@link #enter()}. */
  void launch(Kernel kernel, int grid, int sharedBytes, long... args) {
    gpu.launch(kernel, grid, sharedBytes, args);
  }

  /** A new zero-filled allocation, tracked until freed. Call inside {@link #enter()}. */
  Buffer allocate(long bytes) {
    Buffer b = new Buffer(gpu.allocate(bytes), bytes);
    live.add(b);
    gpu.fill(b.address, 0, bytes / 4);
    return b;
  }

  /** Frees {@code b} unless already freed (or the whole stream is closed). Safe from a cleaner thread. */
  void release(Buffer b) {
    lock.lock();
    try {
      if (b.freed || closed) {
        return;
      }
      gpu.enter();
      b.freed = true;
      live.remove(b);
      gpu.free(b.address);
    } finally {
      lock.unlock();
    }
  }

  /** The address of scratch buffer {@code which}, at least {@code bytes} long. Call inside {@link #enter()}. */
  long scratch(Scratch which, long bytes) {
    Buffer b = scratch.get(which);
    if (b != null && b.bytes >= bytes) {
      return b.address;
    }
    if (b != null) {
      b.freed = true;
      live.remove(b);
      gpu.free(b.address);
    }
    // grow by at least half so that slowly growing shapes do not reallocate every call
    long size = b == null ? bytes : Math.max(bytes, b.bytes + b.bytes / 2);
    Buffer grown = new Buffer(gpu.allocate(size), size);
    live.add(grown);
    scratch.put(which, grown);
    return grown.address;
  }

  /** Frees everything this backend allocated and the stream; later calls fail. Idempotent. */
  void shutdown() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        gpu.enter();
        gpu.synchronize();
        for (Buffer b : live) {
          b.freed = true;
          gpu.free(b.address);
        }
      } finally {
        live.clear();
        scratch.clear();
        gpu.close();
      }
    } finally {
      lock.unlock();
    }
  }

  boolean isClosed() {
    return closed;
  }
}
