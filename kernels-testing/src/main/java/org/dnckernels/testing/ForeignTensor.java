package org.dnckernels.testing;

import java.util.Arrays;
import org.dnckernels.Tensor;

/** A tensor of no backend: every backend must refuse it ("a tensor of another backend"). */
public final class ForeignTensor extends Tensor {
  private final float[] data;

  public ForeignTensor(int... shape) {
    super(shape);
    this.data = new float[size()];
  }

  @Override
  public String backend() {
    return "foreign";
  }

  @Override
  public void copyFrom(float[] src, int offset) {
    System.arraycopy(src, offset, data, 0, size());
  }

  @Override
  public void copyTo(float[] dst, int offset) {
    System.arraycopy(data, 0, dst, offset, size());
  }

  @Override
  public void fill(float value) {
    Arrays.fill(data, value);
  }

  @Override
  public boolean overlaps(Tensor other) {
    return other == this;
  }
}
