package org.dnckernels.cuda;

import java.lang.ref.Cleaner;
import org.dnckernels.Tensor;

/**
 * A float32 tensor in device memory of one {@link CudaKernels} instance. Values move only through
 * {@link #copyFrom} (queued on the backend's stream) and {@link #copyTo} (waits for the queued work). New
 * tensors are zero-filled. {@link #close()} frees the memory at once; a tensor that is never closed is freed by
 * a {@link Cleaner} once unreachable, and every tensor is freed when its backend is closed.
 */
public final class CudaTensor extends Tensor {
  private static final Cleaner CLEANER = Cleaner.create();

  private final CudaKernels owner;
  private final CudaStream stream;
  private final CudaStream.Buffer buffer;
  private final Cleaner.Cleanable cleanable;

  CudaTensor(CudaKernels owner, CudaStream stream, int... shape) {
    super(shape);
    this.owner = owner;
    this.stream = stream;
    try (CudaStream s = stream.enter()) {
      this.buffer = s.allocate(4L * size());
    }
    // the action must not capture this tensor, or it would never become unreachable
    CudaStream.Buffer b = buffer;
    this.cleanable = CLEANER.register(this, () -> stream.release(b));
  }

  CudaKernels owner() {
    return owner;
  }

  /** The device address; call with the stream entered. */
  long address() {
    if (buffer.freed) {
      throw new IllegalStateException(this + " is closed");
    }
    return buffer.address;
  }

  @Override
  public String backend() {
    return CudaKernels.NAME;
  }

  @Override
  public void copyFrom(float[] src, int offset) {
    checkRange("src", src, offset, size());
    try (CudaStream s = stream.enter()) {
      s.gpu.upload(address(), src, offset, size());
    }
  }

  @Override
  public void copyTo(float[] dst, int offset) {
    checkRange("dst", dst, offset, size());
    try (CudaStream s = stream.enter()) {
      s.gpu.download(address(), dst, offset, size());
    }
  }

  @Override
  public void fill(float value) {
    try (CudaStream s = stream.enter()) {
      s.gpu.fill(address(), Float.floatToRawIntBits(value), size());
    }
  }

  @Override
  public boolean overlaps(Tensor other) {
    if (!(other instanceof CudaTensor c)) {
      return false;
    }
    if (buffer.freed || c.buffer.freed) {
      // a freed range may have been handed out again: only the same tensor counts
      return c == this;
    }
    return c.buffer.address < buffer.address + buffer.bytes && buffer.address < c.buffer.address + c.buffer.bytes;
  }

  /** Frees the device memory now. Idempotent. */
  @Override
  public void close() {
    cleanable.clean();
  }
}
