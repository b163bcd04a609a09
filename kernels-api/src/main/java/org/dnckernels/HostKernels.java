package org.dnckernels;

/**
 * Base of the backends that compute on the JVM heap: their tensors are {@link HostTensor} views of
 * {@code float[]}, so callers can {@link #wrap} their own arrays without copies. Host tensors are shared by all
 * host backends.
 */
public abstract class HostKernels extends DncKernels {
  /** What {@link Tensor#backend()} says of a host tensor, whichever host backend made it. */
  public static final String HOST = "host";

  /**
   * A host backend computing with these kernel classes.
   *
   * @param math     the forward kernels, one class per family
   * @param backward the backward kernels, one class per family
   */
  protected HostKernels(KernelMath.Table math, KernelMath.BackwardTable backward) {
    super(math, backward);
  }

  @Override
  protected final void zero(Tensor t, int b0, int b1) {
    HostTensor h = (HostTensor) t;
    int perEntry = t.size() / t.dim(0);
    java.util.Arrays.fill(h.array(), h.offset() + b0 * perEntry, h.offset() + b1 * perEntry, 0f);
  }

  @Override
  protected final void copyImpl(Tensor src, Tensor dst) {
    System.arraycopy(array(src), offset(src), array(dst), offset(dst), src.size());
  }

  @Override
  public final Tensor allocate(int... shape) {
    int[] checked = Tensor.checkedShape(shape);
    return new HostTensor(HOST, new float[Tensor.elementCount(checked)], 0, checked);
  }

  @Override
  public final boolean canWrap() {
    return true;
  }

  @Override
  public final Tensor wrap(float[] data, int offset, int... shape) {
    return new HostTensor(HOST, data, offset, shape);
  }

  @Override
  protected final boolean owns(Tensor t) {
    return t instanceof HostTensor;
  }

  /**
   * The backing array of a host tensor (checked by the facade before any kernel runs). For host backend
   * implementations, whose kernel classes sit outside this class.
   *
   * @param t a {@link HostTensor}
   * @return its array, shared (not a copy)
   */
  public static float[] array(Tensor t) {
    return ((HostTensor) t).array();
  }

  /**
   * Index of element 0 of a host tensor in its array; for host backend implementations, as {@link #array}.
   *
   * @param t a {@link HostTensor}
   * @return the index of its first element in {@link #array(Tensor)}
   */
  public static int offset(Tensor t) {
    return ((HostTensor) t).offset();
  }
}
