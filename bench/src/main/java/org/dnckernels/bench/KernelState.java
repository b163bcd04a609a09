package org.dnckernels.bench;

import java.util.ArrayList;
import java.util.List;
import org.dnckernels.DncKernels;
import org.dnckernels.KernelSpec;
import org.dnckernels.KernelSpec.Arg;
import org.dnckernels.KernelSpec.Role;
import org.dnckernels.KernelSpec.Sizes;
import org.dnckernels.KernelSpec.Values;
import org.dnckernels.InterfaceValues;
import org.dnckernels.MemoryShape;
import org.dnckernels.MemoryState;
import org.dnckernels.Tensor;
import org.dnckernels.Workspace;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One kernel's arguments on one backend at one shape, made from its {@link KernelSpec}: every argument of
 * {@link KernelSpec#shapes} at {@link Sizes#standalone}, inputs filled by {@link #values} from their
 * {@link Arg#values() domain}, the memory step with a workspace; the call is {@link KernelSpec#bind}.
 *
 * <p>Every tensor is registered with a host copy: inputs ({@link Role#READ}) are uploaded from it, outputs
 * ({@link Role#WRITE}) downloaded into it, and tensors a kernel updates in place ({@link Role#UPDATE}) go both
 * ways, which is what the with-transfer runs time. In-place kernels run in a steady state (their inputs keep the
 * state bounded and non-zero); {@link #tearDown} throws if any output ended up NaN, infinite, exploded or all
 * zero, so a drifting benchmark fails instead of timing garbage.
 */
@State(Scope.Thread)
public abstract class KernelState {
  /** Backends the runner keeps only when {@code DncKernels.backends()} says they are available. */
  @Param({"scalar", "simd", "cuda"})
  public String backend;

  @Param({BenchShapes.DEEPMIND, BenchShapes.MEDIUM_SINGLE, BenchShapes.MEDIUM, BenchShapes.LARGE_SINGLE,
      BenchShapes.LARGE_BATCH})
  public String shape;

  protected DncKernels kernels;
  protected MemoryShape size;
  protected SeededData data;

  private final List<Bound> inputs = new ArrayList<>();
  private final List<Bound> outputs = new ArrayList<>();
  private final List<Bound> updated = new ArrayList<>();
  private Workspace workspace;
  private Runnable call;
  private Object result;

  private record Bound(String name, Tensor tensor, float[] host) {}

  /** The kernel this state runs. */
  protected abstract KernelSpec spec();

  @Setup(Level.Trial)
  public void setUp() {
    beforeLoad();
    KernelSpec spec = spec();
    kernels = DncKernels.load(backend);
    size = BenchShapes.parse(shape);
    data = new SeededData(SeededData.seed(spec.method(), shape));
    Sizes sizes = Sizes.standalone(size);
    int[][] shapes = spec.shapes(sizes);
    Tensor[] tensors = new Tensor[shapes.length];
    float[][] hosts = new float[shapes.length][];
    for (int i = 0; i < shapes.length; i++) {
      Arg a = spec.args().get(i);
      List<Bound> list = switch (a.role()) {
        case READ -> inputs;
        case WRITE -> outputs;
        case UPDATE -> updated;
      };
      float[] host = a.role() == Role.WRITE ? new float[count(shapes[i])] : values(spec, a, shapes[i], data);
      tensors[i] = kernels.upload(host, 0, shapes[i]);
      hosts[i] = host;
      list.add(new Bound(a.name(), tensors[i], host));
      if (a.role().written()) {
        result = tensors[i];
      }
    }
    if (spec.family() == KernelSpec.Family.MEMORY_STEP) {
      workspace = kernels.newWorkspace(sizes.memoryShape());
    }
    if (spec == KernelSpec.MEMORY_STEP_BACKWARD) {
      recordStep(tensors, hosts, sizes.memoryShape());
    }
    call = spec.bind(kernels, tensors, workspace);
    kernels.synchronize();
  }

  /**
   * The step backward differentiates a step that ran: the forward step from {@code prev} with {@code in} fills
   * the saved workspace and gives {@code next} (args 0-5, 6-15 and 16-21 of {@link KernelSpec#MEMORY_STEP_BACKWARD}).
   */
  private void recordStep(Tensor[] t, float[][] hosts, MemoryShape s) {
    Tensor[] live = new Tensor[6];
    for (int k = 0; k < 6; k++) {
      live[k] = kernels.upload(hosts[k], 0, t[k].shape());
    }
    MemoryState state = new MemoryState(live[0], live[1], live[2], live[3], live[4], live[5]);
    InterfaceValues in = new InterfaceValues(t[6], t[7], t[8], t[9], t[10], t[11], t[12], t[13], t[14], t[15]);
    try (Tensor rv = kernels.allocate(s.batch(), s.readHeads(), s.wordSize())) {
      kernels.memoryStep(state, in, rv, workspace);
    }
    for (int k = 0; k < 6; k++) {
      live[k].copyTo(hosts[16 + k], 0);
      t[16 + k].copyFrom(hosts[16 + k], 0);
      live[k].close();
    }
  }

  /**
   * A backward's gradient tensors start each iteration from their initial values: accumulated ones then grow
   * linearly within an iteration (far below the sanity limit), and the ones a backward carries in place
   * ({@link #CARRIED_DECAYING}) decay by at most (1 − 1e-6)^calls, which stays in float's normal range.
   */
  @Setup(Level.Iteration)
  public void restoreGradients() {
    if (spec().isBackward()) {
      for (Bound b : updated) {
        b.tensor.copyFrom(b.host, 0);
      }
      kernels.synchronize();
    }
  }

  /**
   * Backwards that carry a gradient in place with nothing added to it: erase/add's ∂ℓ/∂M is multiplied by
   * Π(1 − w e), precedence's by 1 − Σw, the link update's by 1 − w_i − w_j on every call. With write weights
   * summing to 1e-6 (instead of about 1) the factor is within 2e-6 of 1, so an iteration of up to 10^7 calls
   * never drives the gradient into float's subnormal range (slow on x86) or to zero. The time does not depend on
   * the values. (The fused link pass and the step add to their carried gradients every call: steady as is.)
   */
  static final java.util.Set<KernelSpec> CARRIED_DECAYING = java.util.EnumSet.of(
      KernelSpec.ERASE_AND_ADD_BACKWARD, KernelSpec.PRECEDENCE_BACKWARD, KernelSpec.LINK_UPDATE_BACKWARD);

  /** Runs before the backend is created (e.g. to set the backend's system properties). */
  protected void beforeLoad() {}

  /**
   * The values of input {@code a} of {@code spec}: weightings positive with rows summing to at most 1 (1 for
   * most; the precedence 0.5 and, next to a precedence or link state, the write weights 0.9), distributions
   * summing to 1, gates and erase values in [0.1, 0.9) (write gates [0.5, 1): writing mostly on), usage in
   * [0, 1), strengths in [1, 10), sharpening exponents in [1, 3), link matrices valid (zero diagonal, row sums
   * below 1), memory updated in place and the vectors added to it in [-1, 1) (the fixed point of
   * M ← M(1 − w e) + w a is a/e, bounded by 10 with e ≥ 0.1), other reals standard normal. The in-place kernels
   * then converge to a bounded, non-zero fixed point instead of drifting to zero or infinity.
   */
  static float[] values(KernelSpec spec, Arg a, int[] shape, SeededData data) {
    int n = count(shape);
    int last = shape[shape.length - 1];
    String name = a.name();
    return switch (a.values()) {
      case ANY -> a.role() == Role.UPDATE || addedToMemory(spec, a) ? data.uniform(n, -1f, 1f) : data.normal(n);
      case STRENGTH -> data.uniform(n, 1f, 10f);
      case GATE -> name.endsWith("writeGates") ? data.uniform(n, 0.5f, 1f) : data.uniform(n, 0.1f, 0.9f);
      case USAGE -> data.uniform(n, 0f, 1f);
      case WEIGHTING -> data.weightings(n / last, last, weightingTotal(spec, name));
      case DISTRIBUTION -> data.weightings(n / last, last, 1f);
      case LINK -> data.links(n / (last * last), last);
      case SHARPENING -> data.uniform(n, 1f, 3f);
      case OUTPUT -> new float[n];
    };
  }

  // p ← (1 − Σw) p + w stays a weighting with fixed point w / Σw; L tends to w_i p_j / (w_i + w_j): never zero
  private static float weightingTotal(KernelSpec spec, String name) {
    if (CARRIED_DECAYING.contains(spec) && name.endsWith("riteWeights")) {
      return 1e-6f;
    }
    if (name.toLowerCase(java.util.Locale.ROOT).contains("precedence")) {
      return 0.5f;
    }
    boolean linkage = spec.touchesLink() || spec.args().stream().anyMatch(x -> x.name().endsWith("precedence"));
    return linkage && name.endsWith("riteWeights") ? 0.9f : 1f;
  }

  // a B×Wh×W input of a kernel that updates real values in place (the memory): what it writes into it
  private static boolean addedToMemory(KernelSpec spec, Arg a) {
    boolean updatesReals = spec.args().stream().anyMatch(x -> x.role() == Role.UPDATE && x.values() == Values.ANY);
    return updatesReals && a.role() == Role.READ && String.join(" ", a.dims()).equals("B Wh W");
  }

  /** The kernel alone, on tensors already on the backend: waits for the device before the clock stops. */
  public Object run() {
    call.run();
    kernels.synchronize();
    return result;
  }

  /** Upload every input, run the kernel, download every output: what a host caller of a device backend pays. */
  public Object runWithTransfer() {
    for (Bound b : inputs) {
      b.tensor.copyFrom(b.host, 0);
    }
    for (Bound b : updated) {
      b.tensor.copyFrom(b.host, 0);
    }
    call.run();
    for (Bound b : outputs) {
      b.tensor.copyTo(b.host, 0);
    }
    for (Bound b : updated) {
      b.tensor.copyTo(b.host, 0);
    }
    kernels.synchronize();
    return result;
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
      if (workspace != null) {
        workspace.close();
      }
      for (List<Bound> list : List.of(inputs, outputs, updated)) {
        for (Bound b : list) {
          b.tensor.close();
        }
        list.clear();
      }
      kernels.close();
    }
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
