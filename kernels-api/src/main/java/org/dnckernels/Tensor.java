package org.dnckernels;

import java.util.Arrays;

/**
 * A dense float32 tensor owned by one backend: row-major, contiguous, batch first.
 *
 * <p>A host backend's tensor is a view of a caller's {@code float[]} ({@link HostTensor}); a device backend's
 * tensor lives in device memory and moves only through {@link #copyFrom} and {@link #copyTo}. Kernels accept only
 * tensors of the backend that runs them.
 */
public abstract class Tensor implements AutoCloseable {
  private final int[] shape;
  private final int size;

  /**
   * A tensor of the given shape; the subclass holds the storage.
   *
   * @param shape dimensions, each {@code >= 1}
   * @throws IllegalArgumentException if a dimension is below 1 or the element count overflows an int
   */
  protected Tensor(int... shape) {
    this.shape = checkedShape(shape);
    this.size = elementCount(this.shape);
  }

  /**
   * The dimensions, batch first.
   *
   * @return a copy of the shape
   */
  public final int[] shape() {
    return shape.clone();
  }

  /**
   * The number of dimensions.
   *
   * @return {@code shape().length}
   */
  public final int rank() {
    return shape.length;
  }

  /**
   * One dimension.
   *
   * @param axis 0 to {@code rank() - 1}
   * @return the size along {@code axis}
   * @throws ArrayIndexOutOfBoundsException if {@code axis} is outside the shape
   */
  public final int dim(int axis) {
    return shape[axis];
  }

  /**
   * Number of elements.
   *
   * @return the product of the dimensions
   */
  public final int size() {
    return size;
  }

  /**
   * Name of the backend that owns this tensor.
   *
   * @return {@link HostKernels#HOST} for host tensors, else the backend's name
   */
  public abstract String backend();

  /**
   * Overwrites the whole tensor with {@code size()} floats of {@code src} starting at {@code offset}.
   *
   * @param src    the values, row-major
   * @param offset index in {@code src} of element 0
   * @throws IllegalArgumentException if {@code src} is null or too short from {@code offset}; nothing is written
   */
  public abstract void copyFrom(float[] src, int offset);

  /**
   * Copies the whole tensor into {@code dst} starting at {@code offset}; waits for pending device work.
   *
   * @param dst    receives {@code size()} floats, row-major
   * @param offset index in {@code dst} for element 0
   * @throws IllegalArgumentException if {@code dst} is null or too short from {@code offset}; nothing is written
   */
  public abstract void copyTo(float[] dst, int offset);

  /**
   * Sets every element to {@code value}.
   *
   * @param value the value written
   */
  public abstract void fill(float value);

  /**
   * Convenience: a new array holding the tensor's values ({@link #copyTo} into a new array).
   *
   * @return {@code size()} floats, row-major
   */
  public final float[] toArray() {
    float[] out = new float[size];
    copyTo(out, 0);
    return out;
  }

  /**
   * Whether this tensor and {@code other} share storage. Kernels use it to refuse outputs that alias inputs
   * where the contract forbids it.
   *
   * @param other another tensor
   * @return true if some element of one is stored where an element of the other is
   */
  public abstract boolean overlaps(Tensor other);

  /**
   * Whether this tensor and {@code other} are views of exactly the same storage (same elements, same order).
   *
   * @param other another tensor
   * @return true if both cover the same elements in the same order
   */
  public boolean sameStorage(Tensor other) {
    return this == other;
  }

  /** Releases device memory; a no-op for host tensors. Idempotent. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return backend() + " tensor " + Arrays.toString(shape);
  }

  static int[] checkedShape(int[] shape) {
    if (shape == null) {
      throw new IllegalArgumentException("shape: must not be null");
    }
    if (shape.length == 0) {
      throw new IllegalArgumentException("shape: needs at least one dimension");
    }
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 1) {
        throw new IllegalArgumentException(
            "shape: dimension " + i + " must be >= 1 but was " + shape[i] + " in " + Arrays.toString(shape));
      }
    }
    return shape.clone();
  }

  static int elementCount(int[] shape) {
    long n = 1;
    for (int d : shape) {
      n *= d;
      if (n > Integer.MAX_VALUE - 16) {
        throw new IllegalArgumentException("shape: " + Arrays.toString(shape) + " has more than 2^31 elements");
      }
    }
    return (int) n;
  }

  /**
   * Checks that {@code a} holds {@code len} floats from {@code off}: the one range check of every backend's copies
   * (and of {@link DncKernels#upload}), an IAE naming the argument otherwise.
   *
   * @param name the argument's name, for the message
   * @param a    the array
   * @param off  the first index used
   * @param len  the number of floats needed from {@code off}
   * @throws IllegalArgumentException if {@code a} is null or shorter than {@code off + len}, or {@code off < 0}
   */
  protected static void checkRange(String name, float[] a, int off, int len) {
    if (a == null) {
      throw new IllegalArgumentException(name + ": must not be null");
    }
    if (off < 0 || (long) off + len > a.length) {
      throw new IllegalArgumentException(
          name + ": needs " + len + " floats from offset " + off + " but the array length is " + a.length);
    }
  }
}
