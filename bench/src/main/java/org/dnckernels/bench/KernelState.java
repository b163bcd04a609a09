package org.dnckernels.bench;

import java.util.ArrayList;
import java.util.List;
import org.dnckernels.DncKernels;
import org.dnckernels.MemoryShape;
import org.dnckernels.Tensor;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One kernel's inputs and outputs on one backend at one shape.
 *
 * <p>Every tensor is registered with a host copy: inputs are uploaded from it, outputs downloaded into it, and
 * tensors a kernel updates in place go both ways, which is what the with-transfer benchmarks time. In-place
 * kernels run in a steady state (their inputs keep the state bounded and non-zero); {@link #tearDown} throws if
 * any output ended up NaN, infinite, exploded or all zero, so a drifting benchmark fails instead of timing
 * garbage.
 */
@State(Scope.Thread)
public abstract class KernelState {
  /** Backends the runner keeps only when {@code DncKernels.backends()} says they are available. */
  @Param({"scalar", "simd", "cuda"})
  public String backend;

  @Param({BenchShapes.DEEPMIND, BenchShapes.MEDIUM, BenchShapes.LARGE_SINGLE, BenchShapes.LARGE_BATCH})
  public String shape;

  protected DncKernels kernels;
  protected MemoryShape size;
  protected SeededData data;

  private final List<Bound> inputs = new ArrayList<>();
  private final List<Bound> outputs = new ArrayList<>();
  private final List<Bound> updated = new ArrayList<>();

  private record Bound(String name, Tensor tensor, float[] host) {}

  @Setup(Level.Trial)
  public void setUp() {
    beforeLoad();
    kernels = DncKernels.load(backend);
    size = BenchShapes.parse(shape);
    data = new SeededData(SeededData.seed(getClass().getSimpleName(), shape));
    make();
    kernels.synchronize();
  }

  /** Runs before the backend is created (e.g. to set the backend's system properties). */
  protected void beforeLoad() {}

  /** Makes the tensors with {@link #input}, {@link #output} and {@link #updated}. */
  protected abstract void make();

  /** One call of the kernel; asynchronous on a device backend. */
  protected abstract void call();

  /** What the call produced, handed back to JMH so nothing is optimised away. */
  protected abstract Object result();

  /** The kernel alone, on tensors already on the backend: waits for the device before the clock stops. */
  public Object run() {
    call();
    kernels.synchronize();
    return result();
  }

  /** Upload every input, run the kernel, download every output: what a host caller of a device backend pays. */
  public Object runWithTransfer() {
    for (Bound b : inputs) {
      b.tensor.copyFrom(b.host, 0);
    }
    for (Bound b : updated) {
      b.tensor.copyFrom(b.host, 0);
    }
    call();
    for (Bound b : outputs) {
      b.tensor.copyTo(b.host, 0);
    }
    for (Bound b : updated) {
      b.tensor.copyTo(b.host, 0);
    }
    kernels.synchronize();
    return result();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      kernels.synchronize();
      for (Bound b : outputs) {
        checkSane(b.name, b.tensor.toArray());
      }
      for (Bound b : updated) {
        checkSane(b.name, b.tensor.toArray());
      }
    } finally {
      closeExtras();
      for (Bound b : inputs) {
        b.tensor.close();
      }
      for (Bound b : outputs) {
        b.tensor.close();
      }
      for (Bound b : updated) {
        b.tensor.close();
      }
      kernels.close();
    }
  }

  /** Closes what {@link #make} made besides the registered tensors (a workspace). */
  protected void closeExtras() {}

  protected Tensor input(String name, float[] values, int... dims) {
    return bind(inputs, name, values, dims);
  }

  protected Tensor output(String name, int... dims) {
    return bind(outputs, name, new float[count(dims)], dims);
  }

  /** A tensor the kernel reads and writes in place. */
  protected Tensor updated(String name, float[] values, int... dims) {
    return bind(updated, name, values, dims);
  }

  private Tensor bind(List<Bound> list, String name, float[] host, int... dims) {
    Tensor t = kernels.upload(host, 0, dims);
    list.add(new Bound(name, t, host));
    return t;
  }

  private static int count(int... dims) {
    int n = 1;
    for (int d : dims) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** Throws if {@code values} hold NaN or infinity, have exploded, or are all zero. */
  static void checkSane(String name, float[] values) {
    boolean nonZero = false;
    for (int i = 0; i < values.length; i++) {
      float v = values[i];
      if (!Float.isFinite(v) || Math.abs(v) > 1e12f) {
        throw new IllegalStateException(name + "[" + i + "] = " + v + " after the benchmark: the steady state broke");
      }
      nonZero |= v != 0f;
    }
    if (!nonZero) {
      throw new IllegalStateException(name + " is all zero after the benchmark: the steady state broke");
    }
  }
}
