package org.dnckernels;

import java.util.Arrays;

/**
 * A tensor that is a view of a caller's {@code float[]} from {@code offset}, row-major and contiguous. Kernels
 * read and write the array directly: no copies.
 */
public final class HostTensor extends Tensor {
  private final float[] data;
  private final int offset;
  private final String backend;

  HostTensor(String backend, float[] data, int offset, int... shape) {
    super(shape);
    this.backend = backend;
    if (data == null) {
      throw new IllegalArgumentException("data: must not be null");
    }
    if (offset < 0 || (long) offset + size() > data.length) {
      throw new IllegalArgumentException("data: shape " + Arrays.toString(shape) + " needs " + size()
          + " floats from offset " + offset + " but the array length is " + data.length);
    }
    this.data = data;
    this.offset = offset;
  }

  /**
   * The backing array.
   *
   * @return the array, shared (not a copy)
   */
  public float[] array() {
    return data;
  }

  /**
   * Where the view starts.
   *
   * @return index of element 0 in {@link #array()}
   */
  public int offset() {
    return offset;
  }

  @Override
  public String backend() {
    return backend;
  }

  @Override
  public void copyFrom(float[] src, int srcOffset) {
    checkRange("src", src, srcOffset, size());
    System.arraycopy(src, srcOffset, data, offset, size());
  }

  @Override
  public void copyTo(float[] dst, int dstOffset) {
    checkRange("dst", dst, dstOffset, size());
    System.arraycopy(data, offset, dst, dstOffset, size());
  }

  @Override
  public void fill(float value) {
    Arrays.fill(data, offset, offset + size(), value);
  }

  @Override
  public boolean overlaps(Tensor other) {
    return other instanceof HostTensor h
        && h.data == data
        && h.offset < offset + size()
        && offset < h.offset + h.size();
  }

  @Override
  public boolean sameStorage(Tensor other) {
    return other instanceof HostTensor h && h.data == data && h.offset == offset && h.size() == size();
  }
}
