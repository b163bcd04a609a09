package org.dnckernels;

import java.util.List;

/**
 * The DNC memory and NTM addressing kernels of one backend.
 *
 * <p>Get one with {@link #load()} (the best available backend, or the one named by the system property
 * {@value Backends#PROPERTY}) or {@link #load(String)}; list them with {@link #backends()}. Every public kernel
 * method checks its arguments against its {@link KernelSpec}, then runs the backend's {@link KernelMath} on the
 * whole batch. A bad argument (null, wrong shape, a tensor of another backend, a forbidden alias) gets an
 * {@link IllegalArgumentException} that names it and shows the expected vs. actual shape, and nothing is written.
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li>B batch, N memory slots, W word size, R read heads, Wh write heads, H heads of an addressing call.
 *   <li>float32, row-major, batch first, contiguous. ε = {@value #EPSILON}.
 *   <li>Outputs are passed in by the caller; kernels allocate nothing. An output may be the same tensor as an
 *       input only where its javadoc says so; otherwise it must not share storage with any input.
 *   <li>Precision: the scalar backend accumulates every reduction (dot products, norms, softmax sums,
 *       allocation products) in double and rounds once to float. Other backends are checked against it with the
 *       tolerances documented in {@code docs/precision.md}; exact properties (ties in allocation, the zero link
 *       diagonal, one-hot results) hold exactly on every backend.
 *   <li>Host backends are thread-safe for calls on disjoint outputs. A device backend serialises its calls on
 *       its own stream.
 * </ul>
 *
 * <h2>Gradients</h2>
 * Every kernel {@code k} has a backward {@code kBackward}: the vector-Jacobian product of a scalar loss ℓ.
 * <ul>
 *   <li><b>What it takes.</b> The forward's inputs, as they were when the forward ran; where it says so, the
 *       forward's output too (where that is cheaper than recomputing it); the gradient of ℓ w.r.t. each output
 *       ({@code grad<Output>}, only read).
 *   <li><b>Accumulate.</b> It <em>adds</em> ∂ℓ/∂x to {@code grad<X>} for each differentiable input x, so one
 *       tensor that feeds several kernels (memory feeds the write content, erase/add, the read content and the
 *       read) collects all its gradients; zero a gradient tensor before its first use.
 *   <li><b>In place.</b> A kernel that updates a tensor in place (erase/add's memory, the link matrix,
 *       precedence) has one gradient tensor for it, which holds ∂ℓ/∂(the updated value) on entry and
 *       ∂ℓ/∂(the value before) on exit. This is the accumulate rule too: the in-place kernel destroys the old
 *       value, so it is its last reader, and in reverse order nothing has added to that gradient yet. The caller
 *       must keep the value before the update (a copy), which the backward takes ({@code prevMemory},
 *       {@code prevLink}, {@code prevPrecedence}); {@link #usageBackward} may be used in place the same way.
 *   <li><b>Non-differentiable points.</b> Allocation holds the sort permutation constant (as {@code tf.nn.top_k}
 *       and {@code torch.sort} autograd do); NTM sharpening gives a zero gradient on an all-zero row (its output
 *       is the constant 1/N there). No backward divides by a value that can be zero, so zero rows, usages of 0
 *       and 1, ties and β up to 1e30 give finite gradients.
 *   <li><b>Checks.</b> The same as the forward's: each gradient has the shape of its value, a written gradient
 *       must not share storage with any other argument, and a bad call writes nothing.
 * </ul>
 */
public abstract class DncKernels implements AutoCloseable {
  /** ε of the contract (cosine similarity, norms, allocation remap). */
  public static final float EPSILON = 1e-6f;

  private volatile boolean closed;
  /** The backend's math, one implementation per kernel family. */
  private final KernelMath.Table math;
  /** The backend's backwards, one implementation per kernel family. */
  private final KernelMath.BackwardTable grad;

  /**
   * A backend computing with {@code math} and {@code backward}.
   *
   * @param math     the forward kernels, one implementation per family
   * @param backward the backward kernels, one implementation per family
   * @throws IllegalArgumentException if either is null
   */
  protected DncKernels(KernelMath.Table math, KernelMath.BackwardTable backward) {
    Checks.notNull("math", math);
    Checks.notNull("backward", backward);
    this.math = math;
    this.grad = backward;
  }

  // ---------------------------------------------------------------------------------------------------------
  // backend selection

  /**
   * The backend named by {@code -Ddnc.kernels.backend=scalar|simd|cuda|auto} (default {@code auto}: CUDA if
   * it works, else SIMD if the Vector API is usable, else scalar). Logs one INFO line naming the chosen backend
   * and one line per rejected backend with its reason.
   *
   * @return a new backend instance, owned by the caller (close it)
   * @throws IllegalStateException if a forced backend cannot be loaded (the message gives the reason)
   */
  public static DncKernels load() {
    return Backends.load();
  }

  /**
   * The named backend.
   *
   * @param backend {@code scalar}, {@code simd}, {@code cuda} or {@code auto} (case and surrounding spaces ignored)
   * @return a new backend instance, owned by the caller (close it)
   * @throws IllegalArgumentException if {@code backend} is null
   * @throws IllegalStateException if it is unknown or unavailable here (the message gives the reason)
   */
  public static DncKernels load(String backend) {
    return Backends.load(backend);
  }

  /**
   * Every backend found on the class path, best first, with its availability and the reason if not.
   *
   * @return the backends found, probed once per JVM
   */
  public static List<BackendInfo> backends() {
    return Backends.list();
  }

  /**
   * The backend's name.
   *
   * @return {@code scalar}, {@code simd} or {@code cuda}
   */
  public abstract String name();

  /**
   * A one-line description (e.g. the vector species or the GPU).
   *
   * @return the description; {@link #name()} unless the backend says more
   */
  public String description() {
    return name();
  }

  /** Waits until all work issued by this backend is done (a no-op on host backends). */
  public void synchronize() {}

  /**
   * Releases backend resources (device context, thread pools). Tensors must be closed separately. Idempotent. A
   * kernel call already running when another thread closes the backend completes; every kernel call after it
   * throws {@link IllegalStateException}.
   */
  @Override
  public final void close() {
    if (!closed) {
      closed = true;
      closeImpl();
    }
  }

  /**
   * Whether {@link #close()} was called.
   *
   * @return true once closed
   */
  public final boolean isClosed() {
    return closed;
  }

  /** The backend's part of {@link #close()}, called once. */
  protected void closeImpl() {}

  final void checkOpen() {
    if (closed) {
      throw new IllegalStateException(name() + " backend: closed; load a new one to compute again");
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // tensors

  /**
   * A new zero-filled tensor of this backend.
   *
   * @param shape dimensions, each at least 1
   * @return the tensor, owned by the caller
   * @throws IllegalArgumentException if a dimension is below 1 or the element count overflows an int
   */
  public abstract Tensor allocate(int... shape);

  /**
   * Whether {@link #wrap} is supported.
   *
   * @return true for host backends, false for device backends
   */
  public boolean canWrap() {
    return false;
  }

  /**
   * A tensor that is a view of {@code data} from {@code offset} (no copy): kernels read and write the array.
   *
   * @param data   the caller's array, row-major
   * @param offset index in {@code data} of element 0
   * @param shape  dimensions, each at least 1
   * @return the view
   * @throws UnsupportedOperationException on a device backend (use {@link #upload})
   * @throws IllegalArgumentException if the array is null or too short, or a dimension is below 1
   */
  public Tensor wrap(float[] data, int offset, int... shape) {
    throw new UnsupportedOperationException(name() + " tensors live on the device: use upload() and copyTo()");
  }

  /**
   * A new tensor holding a copy of {@code data} from {@code offset}.
   *
   * @param data   the values, row-major
   * @param offset index in {@code data} of element 0
   * @param shape  dimensions, each at least 1
   * @return a new tensor of this backend
   * @throws IllegalArgumentException if {@code data} is null or too short, or a dimension is below 1
   */
  public Tensor upload(float[] data, int offset, int... shape) {
    int size = Tensor.elementCount(Tensor.checkedShape(shape));
    Tensor.checkRange("data", data, offset, size);
    Tensor t = allocate(shape);
    t.copyFrom(data, offset);
    return t;
  }

  /**
   * Whether {@code t} is a tensor this backend can compute on.
   *
   * @param t a tensor, not null
   * @return true if its storage belongs to this backend's kind
   */
  protected abstract boolean owns(Tensor t);

  /**
   * Zero-filled state tensors for {@code shape}.
   *
   * @param shape the memory's sizes
   * @return a new state (a fresh DNC's), owned by the caller
   * @throws IllegalArgumentException if {@code shape} is null
   */
  public MemoryState newState(MemoryShape shape) {
    Checks.notNull("shape", shape);
    int b = shape.batch(), n = shape.slots(), w = shape.wordSize(), r = shape.readHeads(), wh = shape.writeHeads();
    return new MemoryState(
        allocate(b, n, w), allocate(b, n), allocate(b, wh, n, n), allocate(b, wh, n), allocate(b, r, n),
        allocate(b, wh, n));
  }

  /**
   * Zero-filled interface tensors for {@code shape}.
   *
   * @param shape the memory's sizes
   * @return new interface values, owned by the caller
   * @throws IllegalArgumentException if {@code shape} is null
   */
  public InterfaceValues newInterface(MemoryShape shape) {
    Checks.notNull("shape", shape);
    int b = shape.batch(), w = shape.wordSize(), r = shape.readHeads(), wh = shape.writeHeads();
    return new InterfaceValues(
        allocate(b, r, w), allocate(b, r), allocate(b, wh, w), allocate(b, wh), allocate(b, wh, w),
        allocate(b, wh, w), allocate(b, r), allocate(b, wh), allocate(b, wh), allocate(b, r, shape.readModes()));
  }

  /**
   * Scratch for {@link #memoryStep} at {@code shape}; make once, reuse every step. After a step it holds the
   * step's intermediate weightings, which {@link #memoryStepBackward} takes: keep one per step to differentiate.
   *
   * @param shape the memory's sizes
   * @return a new workspace of this backend's tensors
   * @throws IllegalArgumentException if {@code shape} is null
   */
  public Workspace newWorkspace(MemoryShape shape) {
    Checks.notNull("shape", shape);
    return new Workspace(this, shape);
  }

  /**
   * Scratch for {@link #memoryStepBackward} at {@code shape}; make once, reuse every step.
   *
   * @param shape the memory's sizes
   * @return a new backward workspace of this backend's tensors
   * @throws IllegalArgumentException if {@code shape} is null
   */
  public BackwardWorkspace newBackwardWorkspace(MemoryShape shape) {
    Checks.notNull("shape", shape);
    return new BackwardWorkspace(this, shape);
  }

  /**
   * Copies {@code src} into {@code dst} on this backend (a device-to-device copy on CUDA): for example the state
   * before a step, which {@link #memoryStepBackward} needs and the in-place forward overwrites.
   *
   * @param src any tensor of this backend
   * @param dst a tensor of this backend with src's shape, not overlapping it
   */
  public final void copy(Tensor src, Tensor dst) {
    checkOpen();
    Checks.notNull("src", src);
    Checks.notNull("dst", dst);
    checkOwned("src", src);
    checkOwned("dst", dst);
    if (!sameShape(src, dst)) {
      throw new IllegalArgumentException("dst: expected shape " + java.util.Arrays.toString(src.shape())
          + " (src's) but was " + java.util.Arrays.toString(dst.shape()));
    }
    Checks.distinct("dst", dst, "src", src);
    copyImpl(src, dst);
  }

  // dim by dim: shape() copies its array, and copies run on the tape's hot path
  private static boolean sameShape(Tensor a, Tensor b) {
    if (a.rank() != b.rank()) {
      return false;
    }
    for (int i = 0; i < a.rank(); i++) {
      if (a.dim(i) != b.dim(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Every component of {@code src} into {@code dst} ({@link #copy(Tensor, Tensor)} each; shapes equal).
   *
   * @param src the state copied
   * @param dst receives it; of src's shape, sharing no storage with it
   * @throws IllegalArgumentException if either is null, a shape differs or storage is shared
   */
  public final void copy(MemoryState src, MemoryState dst) {
    Checks.notNull("src", src);
    Checks.notNull("dst", dst);
    copy(src.memory(), dst.memory());
    copy(src.usage(), dst.usage());
    copy(src.link(), dst.link());
    copy(src.precedence(), dst.precedence());
    copy(src.readWeights(), dst.readWeights());
    copy(src.writeWeights(), dst.writeWeights());
  }

  /**
   * Every part of {@code src} into {@code dst} ({@link #copy(Tensor, Tensor)} each; shapes equal).
   *
   * @param src the interface values copied
   * @param dst receives them; of src's shapes, sharing no storage with them
   * @throws IllegalArgumentException if either is null, a shape differs or storage is shared
   */
  public final void copy(InterfaceValues src, InterfaceValues dst) {
    Checks.notNull("src", src);
    Checks.notNull("dst", dst);
    copy(src.readKeys(), dst.readKeys());
    copy(src.readStrengths(), dst.readStrengths());
    copy(src.writeKeys(), dst.writeKeys());
    copy(src.writeStrengths(), dst.writeStrengths());
    copy(src.eraseVectors(), dst.eraseVectors());
    copy(src.writeVectors(), dst.writeVectors());
    copy(src.freeGates(), dst.freeGates());
    copy(src.allocationGates(), dst.allocationGates());
    copy(src.writeGates(), dst.writeGates());
    copy(src.readModes(), dst.readModes());
  }

  /**
   * Copies every element of {@code src} to {@code dst}: same shape, both owned, not overlapping (checked).
   *
   * @param src the tensor read
   * @param dst the tensor written
   */
  protected abstract void copyImpl(Tensor src, Tensor dst);

  /**
   * Sets batch entries [b0, b1) of {@code t} (its first axis) to zero. For a backend's step backward, which
   * clears its gradient scratch and the gradients it carries from one state to the one before.
   *
   * @param t  a tensor of this backend
   * @param b0 first batch entry cleared
   * @param b1 end of the range (exclusive)
   */
  protected abstract void zero(Tensor t, int b0, int b1);

  // ---------------------------------------------------------------------------------------------------------
  // content addressing

  /**
   * Content-based addressing: cosine similarity of each key with each memory row, sharpened by the key strength
   * and normalised with a softmax over the slots.
   *
   * <pre>
   *   ‖x‖        = sqrt(Σ x² + ε)
   *   D[b,h,i]   = k[b,h]·M[b,i] / (‖k[b,h]‖ ‖M[b,i]‖ + ε)
   *   out[b,h,i] = exp(β[b,h] D[b,h,i] − max_j β D[b,h,j]) / Σ_j exp(β[b,h] D[b,h,j] − max_j β D[b,h,j])
   * </pre>
   *
   * Rows of zeros give D = 0 (finite weights); β = 1e30 gives a finite one-hot. The seed's example (M = [[−0.5,
   * 0.01, 3.1], [0.2, 0.6, 1.2]], k = [0.3, 0.5, 1]) prints [0.454987593255, 0.545012406745] for β = 1 and
   * [0.141196927269, 0.858803072731] for β = 10 with the exact cosine; the ε terms above move these by less than
   * 1e-6 (to ≈ [0.4549878, 0.5450122] and [0.1411978, 0.8588022]).
   *
   * @param memory    M [B,N,W]
   * @param keys      k [B,H,W]
   * @param strengths β [B,H], already activated (β ≥ 0; oneplus gives β ≥ 1)
   * @param out       [B,H,N], each row sums to 1
   */
  public final void contentWeights(Tensor memory, Tensor keys, Tensor strengths, Tensor out) {
    checkOpen();
    KernelSpec.CONTENT_WEIGHTS.check(this, memory, keys, strengths, out);
    math.contentAddressing().contentWeights(memory, keys, strengths, out, 0, memory.dim(0));
  }

  // ---------------------------------------------------------------------------------------------------------
  // write and read

  /**
   * Erase then add, in place, for all write heads at once:
   *
   * <pre>
   *   M[b,i,j] ← M[b,i,j] · Π_h (1 − w[b,h,i] e[b,h,j]) + Σ_h w[b,h,i] a[b,h,j]
   * </pre>
   *
   * The seed's non-dualistic example (M = [[−0.5, 0.01, 3.1], [0.2, 0.6, 1.2], [0, 0, 0], [−0.1, −0.05, 0]],
   * w = [0, 0.8, 0.1, 0.1], e = [1, 0.5, 0], a = [−1.5, −1.3, −1.1]) gives [[−0.5, 0.01, 3.1], [−1.16, −0.68,
   * 0.32], [−0.15, −0.13, −0.11], [−0.24, −0.1775, −0.11]].
   *
   * @param memory       M [B,N,W], updated in place
   * @param writeWeights w [B,Wh,N]
   * @param erase        e [B,Wh,W], in [0,1]
   * @param add          a [B,Wh,W] (the write vectors v)
   */
  public final void eraseAndAdd(Tensor memory, Tensor writeWeights, Tensor erase, Tensor add) {
    checkOpen();
    KernelSpec.ERASE_AND_ADD.check(this, memory, writeWeights, erase, add);
    math.memoryWrite().eraseAndAdd(memory, writeWeights, erase, add, 0, memory.dim(0));
  }

  /**
   * Read: {@code r[b,h] = M[b]ᵀ w[b,h]}, i.e. {@code out[b,h,j] = Σ_i w[b,h,i] M[b,i,j]}.
   *
   * <p>The seed's example with w = [0, 0.8, 0.1, 0.1] on the memory above reads [0.15, 0.475, 0.96].
   *
   * @param memory      M [B,N,W]
   * @param readWeights w [B,R,N]
   * @param out         r [B,R,W]
   */
  public final void read(Tensor memory, Tensor readWeights, Tensor out) {
    checkOpen();
    KernelSpec.READ.check(this, memory, readWeights, out);
    math.memoryRead().read(memory, readWeights, out, 0, memory.dim(0));
  }

  // ---------------------------------------------------------------------------------------------------------
  // dynamic memory allocation

  /**
   * Usage update from the previous step's weightings:
   *
   * <pre>
   *   ŵ   = 1 − Π_h (1 − w^w_h)             (the write weights of all heads together)
   *   ψ   = Π_r (1 − f_r w^r_r)             (retention)
   *   out = (u + (1 − u) ∘ ŵ) ∘ ψ
   * </pre>
   *
   * Stays in [0,1] when the inputs are in [0,1]; a full write (ŵ = 1, ψ = 1) gives 1, a full free (f = 1,
   * w^r = 1) gives 0.
   *
   * @param prevUsage        u [B,N]
   * @param prevWriteWeights w^w [B,Wh,N]
   * @param freeGates        f [B,R]
   * @param prevReadWeights  w^r [B,R,N]
   * @param out              [B,N]; may be {@code prevUsage} itself (in-place update)
   */
  public final void usage(
      Tensor prevUsage, Tensor prevWriteWeights, Tensor freeGates, Tensor prevReadWeights, Tensor out) {
    checkOpen();
    KernelSpec.USAGE.check(this, prevUsage, prevWriteWeights, freeGates, prevReadWeights, out);
    math.usage().usage(prevUsage, prevWriteWeights, freeGates, prevReadWeights, out, 0, out.dim(0));
  }

  /**
   * Allocation weightings for each write head in turn (DeepMind {@code dnc} semantics):
   *
   * <pre>
   *   u ← usage[b]                                  (a private copy: usage is not modified)
   *   for h = 1..Wh:
   *     ũ = ε + (1 − ε) u
   *     φ = indices sorted by ascending ũ, ties broken by lower index first
   *     out[b,h,φ_j] = (1 − ũ[φ_j]) Π_{i&lt;j} ũ[φ_i]
   *     u ← u + (1 − u) ∘ (g^a[b,h] g^w[b,h]) out[b,h]
   * </pre>
   *
   * The product is accumulated in double. The first head's order is exact on every backend (sorting by ũ is
   * sorting by u, ties to the lower index); for later heads, slots whose updated usages differ by less than float
   * resolution may be ordered differently by different backends (see docs/contract.md). Every row sums to at
   * most 1; an empty slot (u = 0) gets a one-hot
   * allocation (1 − ε up to rounding); the least-used slot gets the largest value. Seed examples: u = [1, 0,
   * 0.8, 0.4] gives [0, 1, 0, 0] and u = [0.4, 0.6, 0.2, 0.5] gives [0.12, 0.016, 0.8, 0.04] (within the ε
   * remap).
   *
   * @param usage           u [B,N], not modified
   * @param writeGates      g^w [B,Wh]
   * @param allocationGates g^a [B,Wh]
   * @param out             a [B,Wh,N]
   */
  public final void allocation(Tensor usage, Tensor writeGates, Tensor allocationGates, Tensor out) {
    checkOpen();
    KernelSpec.ALLOCATION.check(this, usage, writeGates, allocationGates, out);
    math.allocation().allocation(usage, writeGates, allocationGates, out, 0, out.dim(0));
  }

  /**
   * Write weightings: {@code out[b,h] = g^w[b,h] (g^a[b,h] a[b,h] + (1 − g^a[b,h]) c[b,h])}.
   *
   * @param allocation      a [B,Wh,N]
   * @param content         c [B,Wh,N] (write content weightings)
   * @param writeGates      g^w [B,Wh]
   * @param allocationGates g^a [B,Wh]
   * @param out             [B,Wh,N]; may be {@code allocation} or {@code content} itself
   */
  public final void writeWeights(
      Tensor allocation, Tensor content, Tensor writeGates, Tensor allocationGates, Tensor out) {
    checkOpen();
    KernelSpec.WRITE_WEIGHTS.check(this, allocation, content, writeGates, allocationGates, out);
    math.writeWeighting().writeWeights(allocation, content, writeGates, allocationGates, out, 0, out.dim(0));
  }

  // ---------------------------------------------------------------------------------------------------------
  // temporal memory linkage

  /**
   * Precedence, in place, per write head: {@code p ← (1 − Σ_i w[i]) p + w}.
   *
   * <p>Unchanged by a zero write; equal to w when Σ w = 1.
   *
   * @param precedence   p [B,Wh,N], updated in place
   * @param writeWeights w [B,Wh,N]
   */
  public final void precedence(Tensor precedence, Tensor writeWeights) {
    checkOpen();
    KernelSpec.PRECEDENCE.check(this, precedence, writeWeights);
    math.temporalLinkage().precedence(precedence, writeWeights, 0, precedence.dim(0));
  }

  /**
   * Temporal link matrix, in place, per write head:
   *
   * <pre>
   *   L[i,j] ← (1 − w[i] − w[j]) L[i,j] + w[i] p[j]     for i ≠ j
   *   L[i,i] = 0 exactly
   * </pre>
   *
   * Values stay in [0,1] and row sums stay ≤ 1 when w and p are weightings; column sums stay ≤ 1 for every link
   * matrix reached from the zero state by such updates (an arbitrary L may break it: the update adds w_i p_j to
   * column j).
   *
   * @param link           L [B,Wh,N,N], updated in place
   * @param prevPrecedence p_{t−1} [B,Wh,N]
   * @param writeWeights   w [B,Wh,N]
   */
  public final void linkUpdate(Tensor link, Tensor prevPrecedence, Tensor writeWeights) {
    checkOpen();
    KernelSpec.LINK_UPDATE.check(this, link, prevPrecedence, writeWeights);
    math.temporalLinkage().linkUpdate(link, prevPrecedence, writeWeights, 0, link.dim(0));
  }

  /**
   * Forward and backward weightings for each read head and write head:
   *
   * <pre>
   *   forward[b,r,h]  = L[b,h] w[b,r]       (forward[i]  = Σ_j L[i,j] w[j])
   *   backward[b,r,h] = L[b,h]ᵀ w[b,r]      (backward[j] = Σ_i L[i,j] w[i])
   * </pre>
   *
   * @param link            L [B,Wh,N,N]
   * @param prevReadWeights w [B,R,N]
   * @param forward         [B,R,Wh,N]
   * @param backward        [B,R,Wh,N]
   */
  public final void forwardBackward(Tensor link, Tensor prevReadWeights, Tensor forward, Tensor backward) {
    checkOpen();
    KernelSpec.FORWARD_BACKWARD.check(this, link, prevReadWeights, forward, backward);
    math.temporalLinkage().forwardBackward(link, prevReadWeights, forward, backward, 0, link.dim(0));
  }

  /**
   * {@link #linkUpdate} followed by {@link #forwardBackward} on the updated link matrix, with the same results.
   * Backends fuse the two into one pass over L (8N² bytes per write head instead of 16–24N²); the memory step
   * uses this.
   *
   * @param link            L [B,Wh,N,N], updated in place
   * @param prevPrecedence  p_{t−1} [B,Wh,N]
   * @param writeWeights    w^w [B,Wh,N]
   * @param prevReadWeights w^r [B,R,N]
   * @param forward         [B,R,Wh,N], from the updated L
   * @param backward        [B,R,Wh,N], from the updated L
   */
  public final void linkUpdateAndWeightings(
      Tensor link, Tensor prevPrecedence, Tensor writeWeights, Tensor prevReadWeights, Tensor forward,
      Tensor backward) {
    checkOpen();
    KernelSpec.LINK_UPDATE_AND_WEIGHTINGS.check(this, link, prevPrecedence, writeWeights, prevReadWeights, forward,
        backward);
    math.temporalLinkage().linkUpdateAndWeightings(link, prevPrecedence, writeWeights, prevReadWeights, forward, backward, 0,
        link.dim(0));
  }

  /**
   * Read-mode mix: the read weightings from the backward, content and forward weightings.
   *
   * <pre>
   *   out[b,r] = Σ_h π[b,r,h] backward[b,r,h] + π[b,r,Wh] c[b,r] + Σ_h π[b,r,Wh+1+h] forward[b,r,h]
   * </pre>
   *
   * Modes are ordered [backward_1..Wh, content, forward_1..Wh] (the seed's π[1] b + π[2] c + π[3] f for one
   * write head).
   *
   * @param modes    π [B,R,2Wh+1]
   * @param backward [B,R,Wh,N]
   * @param content  [B,R,N]
   * @param forward  [B,R,Wh,N]
   * @param out      [B,R,N]
   */
  public final void readModeMix(Tensor modes, Tensor backward, Tensor content, Tensor forward, Tensor out) {
    checkOpen();
    KernelSpec.READ_MODE_MIX.check(this, modes, backward, content, forward, out);
    math.readModes().readModeMix(modes, backward, content, forward, out, 0, out.dim(0));
  }

  // ---------------------------------------------------------------------------------------------------------
  // NTM addressing

  /**
   * NTM interpolation gate: {@code out = g c + (1 − g) w_prev}, per head.
   *
   * @param content  c [B,H,N]
   * @param previous w_prev [B,H,N]
   * @param gate     g [B,H], in [0,1]
   * @param out      [B,H,N]; may be {@code content} or {@code previous} itself
   */
  public final void ntmInterpolate(Tensor content, Tensor previous, Tensor gate, Tensor out) {
    checkOpen();
    KernelSpec.NTM_INTERPOLATE.check(this, content, previous, gate, out);
    math.ntmAddressing().ntmInterpolate(content, previous, gate, out, 0, out.dim(0));
  }

  /**
   * NTM circular shift (convolution with a shift distribution over offsets −k..+k):
   *
   * <pre>
   *   out[i] = Σ_{d=−k..k} w[(i − d) mod N] s[d + k]
   * </pre>
   *
   * i.e. {@code out[i] = Σ_j w[j] s(i − j)} with indices mod N. A one-hot at slot j with s one-hot at offset d
   * moves to slot (j + d) mod N. Any k with 2k + 1 ≤ N.
   *
   * @param weights w [B,H,N]
   * @param shift   s [B,H,2k+1], s[0] is offset −k
   * @param out     [B,H,N], must not share storage with {@code weights}
   */
  public final void ntmShift(Tensor weights, Tensor shift, Tensor out) {
    checkOpen();
    KernelSpec.NTM_SHIFT.check(this, weights, shift, out);
    math.ntmAddressing().ntmShift(weights, shift, out, 0, out.dim(0));
  }

  /**
   * NTM sharpening: {@code out[i] = w[i]^γ / Σ_j w[j]^γ}, per head, with γ ≥ 1.
   *
   * <p>Computed as {@code (w[i]/max w)^γ / Σ_j (w[j]/max w)^γ} so that small weights do not underflow the sum.
   * An all-zero row (nothing to sharpen) gives the uniform weighting 1/N. γ = 1 is the identity on a weighting.
   * Weights are expected to be ≥ 0.
   *
   * @param weights w [B,H,N]
   * @param gamma   γ [B,H]
   * @param out     [B,H,N]; may be {@code weights} itself
   */
  public final void ntmSharpen(Tensor weights, Tensor gamma, Tensor out) {
    checkOpen();
    KernelSpec.NTM_SHARPEN.check(this, weights, gamma, out);
    math.ntmAddressing().ntmSharpen(weights, gamma, out, 0, out.dim(0));
  }

  // ---------------------------------------------------------------------------------------------------------
  // gradients (the class javadoc's "Gradients" gives the rules: accumulate, in place, saved values)

  /**
   * The backward of {@link #contentWeights}. With z = βD, w the forward's weights and g = gradWeights:
   *
   * <pre>
   *   dz[i]          = w[i] (g[i] − Σ_j w[j] g[j])             (the softmax's; the max shift has no gradient)
   *   gradStrengths += Σ_i dz[i] D[i]
   *   dD[i]          = β dz[i]
   *   den            = ‖k‖ ‖M_i‖ + ε
   *   gradKeys      += Σ_i dD[i] (M_i / den − D[i] ‖M_i‖ k / (‖k‖ den))
   *   gradMemory_i  += Σ_h dD[h,i] (k_h / den − D[h,i] ‖k_h‖ M_i / (‖M_i‖ den))
   * </pre>
   *
   * The ε in the norms keeps ‖x‖ ≥ √ε, so zero rows and zero keys give finite gradients; a one-hot w (β = 1e30)
   * gives dz = 0 exactly.
   *
   * @param memory        M [B,N,W]
   * @param keys          k [B,H,W]
   * @param strengths     β [B,H]
   * @param weights       the forward's output w [B,H,N]
   * @param gradWeights   ∂ℓ/∂w [B,H,N]
   * @param gradMemory    [B,N,W], accumulated
   * @param gradKeys      [B,H,W], accumulated
   * @param gradStrengths [B,H], accumulated
   */
  public final void contentWeightsBackward(Tensor memory, Tensor keys, Tensor strengths, Tensor weights,
      Tensor gradWeights, Tensor gradMemory, Tensor gradKeys, Tensor gradStrengths) {
    checkOpen();
    KernelSpec.CONTENT_WEIGHTS_BACKWARD.check(this, memory, keys, strengths, weights, gradWeights, gradMemory,
        gradKeys, gradStrengths);
    grad.contentAddressing().contentWeightsBackward(memory, keys, strengths, weights, gradWeights, gradMemory,
        gradKeys, gradStrengths, 0, memory.dim(0));
  }

  /**
   * The backward of {@link #eraseAndAdd}. With G = gradMemory on entry, R_¬h[i,j] = Π_{h'≠h} (1 − w[h',i] e[h',j])
   * (a product of the other heads' factors, never a quotient) and R = Π_h (1 − w[h,i] e[h,j]):
   *
   * <pre>
   *   gradAdd[h,j]          += Σ_i w[h,i] G[i,j]
   *   gradErase[h,j]        −= Σ_i w[h,i] M[i,j] R_¬h[i,j] G[i,j]
   *   gradWriteWeights[h,i] += Σ_j G[i,j] (a[h,j] − e[h,j] M[i,j] R_¬h[i,j])
   *   gradMemory            ← G ∘ R                                    (in place: ∂ℓ/∂M_t in, ∂ℓ/∂M_{t−1} out)
   * </pre>
   *
   * @param prevMemory       M_{t−1} [B,N,W]: the memory before the forward updated it (keep a copy)
   * @param writeWeights     w [B,Wh,N]
   * @param erase            e [B,Wh,W]
   * @param add              a [B,Wh,W]
   * @param gradMemory       [B,N,W], ∂ℓ/∂M_t on entry, ∂ℓ/∂M_{t−1} through this kernel on exit
   * @param gradWriteWeights [B,Wh,N], accumulated
   * @param gradErase        [B,Wh,W], accumulated
   * @param gradAdd          [B,Wh,W], accumulated
   */
  public final void eraseAndAddBackward(Tensor prevMemory, Tensor writeWeights, Tensor erase, Tensor add,
      Tensor gradMemory, Tensor gradWriteWeights, Tensor gradErase, Tensor gradAdd) {
    checkOpen();
    KernelSpec.ERASE_AND_ADD_BACKWARD.check(this, prevMemory, writeWeights, erase, add, gradMemory,
        gradWriteWeights, gradErase, gradAdd);
    grad.memoryWrite().eraseAndAddBackward(prevMemory, writeWeights, erase, add, gradMemory, gradWriteWeights,
        gradErase, gradAdd, 0, prevMemory.dim(0));
  }

  /**
   * The backward of {@link #read}: {@code gradMemory[i,j] += Σ_h w[h,i] g[h,j]} and {@code gradReadWeights[h,i] +=
   * Σ_j M[i,j] g[h,j]}, with g = gradOut.
   *
   * @param memory          M [B,N,W]
   * @param readWeights     w [B,R,N]
   * @param gradOut         ∂ℓ/∂r [B,R,W]
   * @param gradMemory      [B,N,W], accumulated
   * @param gradReadWeights [B,R,N], accumulated
   */
  public final void readBackward(Tensor memory, Tensor readWeights, Tensor gradOut, Tensor gradMemory,
      Tensor gradReadWeights) {
    checkOpen();
    KernelSpec.READ_BACKWARD.check(this, memory, readWeights, gradOut, gradMemory, gradReadWeights);
    grad.memoryRead().readBackward(memory, readWeights, gradOut, gradMemory, gradReadWeights, 0, memory.dim(0));
  }

  /**
   * The backward of {@link #usage}. With g = gradOut, ŵ and ψ as in the forward, and products over the other heads
   * only (no division):
   *
   * <pre>
   *   gradPrevUsage             += g ψ (1 − ŵ)
   *   gradPrevWriteWeights[h]   += g ψ (1 − u) Π_{h'≠h} (1 − w^w_h')
   *   dψ                         = g (u + (1 − u) ŵ)
   *   gradPrevReadWeights[r]    −= dψ f_r Π_{r'≠r} (1 − f_r' w^r_r')
   *   gradFreeGates[r]          −= Σ_i dψ[i] w^r_r[i] Π_{r'≠r} (1 − f_r' w^r_r'[i])
   * </pre>
   *
   * {@code gradPrevUsage} may be {@code gradOut} itself: then it is overwritten with ∂ℓ/∂u_{t−1} (the in-place
   * rule), which is how the memory step uses it.
   *
   * @param prevUsage            u [B,N]
   * @param prevWriteWeights     w^w [B,Wh,N]
   * @param freeGates            f [B,R]
   * @param prevReadWeights      w^r [B,R,N]
   * @param gradOut              ∂ℓ/∂out [B,N]
   * @param gradPrevUsage        [B,N], accumulated, or overwritten when it is {@code gradOut}
   * @param gradPrevWriteWeights [B,Wh,N], accumulated
   * @param gradFreeGates        [B,R], accumulated
   * @param gradPrevReadWeights  [B,R,N], accumulated
   */
  public final void usageBackward(Tensor prevUsage, Tensor prevWriteWeights, Tensor freeGates,
      Tensor prevReadWeights, Tensor gradOut, Tensor gradPrevUsage, Tensor gradPrevWriteWeights,
      Tensor gradFreeGates, Tensor gradPrevReadWeights) {
    checkOpen();
    KernelSpec.USAGE_BACKWARD.check(this, prevUsage, prevWriteWeights, freeGates, prevReadWeights, gradOut,
        gradPrevUsage, gradPrevWriteWeights, gradFreeGates, gradPrevReadWeights);
    grad.usage().usageBackward(prevUsage, prevWriteWeights, freeGates, prevReadWeights, gradOut, gradPrevUsage,
        gradPrevWriteWeights, gradFreeGates, gradPrevReadWeights, 0, prevUsage.dim(0));
  }

  /**
   * The backward of {@link #allocation}, the sort permutation held constant (as {@code tf.nn.top_k} and
   * {@code torch.sort} autograd do). The forward is recomputed (the orders and the private usage copies u^(h)
   * between heads), then the heads are walked in reverse with s_h = g^a_h g^w_h, du^(Wh+1) = 0:
   *
   * <pre>
   *   g_h                  = gradOut[h] + s_h (1 − u^(h)) ∘ du^(h+1)
   *   gradAllocationGates += g^w_h Σ_i du^(h+1)[i] (1 − u^(h)[i]) a_h[i];  gradWriteGates += g^a_h (same sum)
   *   in sorted order j, with ũ_j = ũ[φ_j] and P_j = Π_{i&lt;j} ũ_i:
   *     S_{N−1} = 0,  S_{j−1} = g_j (1 − ũ_j) + ũ_j S_j                   (the suffix recurrence)
   *     dũ_j    = P_j (S_j − g_j)
   *   du^(h)               = du^(h+1) ∘ (1 − s_h a_h) + (1 − ε) dũ
   *   gradUsage           += du^(1)
   * </pre>
   *
   * A factor ũ_i = 0 would zero P_j for every later j and so their terms; its own derivative P_i S_i is built from
   * the product before it and the recurrence after it, never by dividing the whole product by ũ_i. Ties and usages
   * of exactly 0 or 1 give finite gradients (the order of tied slots is the forward's: lower index first).
   *
   * @param usage               u [B,N]
   * @param writeGates          g^w [B,Wh]
   * @param allocationGates     g^a [B,Wh]
   * @param gradOut             ∂ℓ/∂a [B,Wh,N]
   * @param gradUsage           [B,N], accumulated
   * @param gradWriteGates      [B,Wh], accumulated
   * @param gradAllocationGates [B,Wh], accumulated
   */
  public final void allocationBackward(Tensor usage, Tensor writeGates, Tensor allocationGates, Tensor gradOut,
      Tensor gradUsage, Tensor gradWriteGates, Tensor gradAllocationGates) {
    checkOpen();
    KernelSpec.ALLOCATION_BACKWARD.check(this, usage, writeGates, allocationGates, gradOut, gradUsage,
        gradWriteGates, gradAllocationGates);
    grad.allocation().allocationBackward(usage, writeGates, allocationGates, gradOut, gradUsage, gradWriteGates,
        gradAllocationGates, 0, usage.dim(0));
  }

  /**
   * The backward of {@link #writeWeights}, with g = gradOut:
   *
   * <pre>
   *   gradAllocation      += g^w g^a g
   *   gradContent         += g^w (1 − g^a) g
   *   gradWriteGates      += Σ_i g[i] (g^a a[i] + (1 − g^a) c[i])
   *   gradAllocationGates += g^w Σ_i g[i] (a[i] − c[i])
   * </pre>
   *
   * @param allocation          a [B,Wh,N]
   * @param content             c [B,Wh,N]
   * @param writeGates          g^w [B,Wh]
   * @param allocationGates     g^a [B,Wh]
   * @param gradOut             ∂ℓ/∂w^w [B,Wh,N]
   * @param gradAllocation      [B,Wh,N], accumulated
   * @param gradContent         [B,Wh,N], accumulated
   * @param gradWriteGates      [B,Wh], accumulated
   * @param gradAllocationGates [B,Wh], accumulated
   */
  public final void writeWeightsBackward(Tensor allocation, Tensor content, Tensor writeGates,
      Tensor allocationGates, Tensor gradOut, Tensor gradAllocation, Tensor gradContent, Tensor gradWriteGates,
      Tensor gradAllocationGates) {
    checkOpen();
    KernelSpec.WRITE_WEIGHTS_BACKWARD.check(this, allocation, content, writeGates, allocationGates, gradOut,
        gradAllocation, gradContent, gradWriteGates, gradAllocationGates);
    grad.writeWeighting().writeWeightsBackward(allocation, content, writeGates, allocationGates, gradOut,
        gradAllocation, gradContent, gradWriteGates, gradAllocationGates, 0, allocation.dim(0));
  }

  /**
   * The backward of {@link #precedence}, per write head, with G = gradPrecedence on entry:
   * {@code gradWriteWeights[i] += G[i] − Σ_j G[j] p[j]} and {@code gradPrecedence ← (1 − Σ_i w[i]) G} (in place).
   *
   * @param prevPrecedence   p_{t−1} [B,Wh,N]: the precedence before the forward updated it
   * @param writeWeights     w [B,Wh,N]
   * @param gradPrecedence   [B,Wh,N], ∂ℓ/∂p_t on entry, ∂ℓ/∂p_{t−1} through this kernel on exit
   * @param gradWriteWeights [B,Wh,N], accumulated
   */
  public final void precedenceBackward(Tensor prevPrecedence, Tensor writeWeights, Tensor gradPrecedence,
      Tensor gradWriteWeights) {
    checkOpen();
    KernelSpec.PRECEDENCE_BACKWARD.check(this, prevPrecedence, writeWeights, gradPrecedence, gradWriteWeights);
    grad.temporalLinkage().precedenceBackward(prevPrecedence, writeWeights, gradPrecedence, gradWriteWeights, 0,
        prevPrecedence.dim(0));
  }

  /**
   * The backward of {@link #linkUpdate}, per write head, with G = gradLink on entry, sums over i ≠ j only (the
   * diagonal of L_t is the constant 0, so G's diagonal is ignored and ∂ℓ/∂L_{t−1}[i,i] = 0 exactly):
   *
   * <pre>
   *   gradWriteWeights[i]   += Σ_{j≠i} G[i,j] (p[j] − L[i,j]) − Σ_{j≠i} G[j,i] L[j,i]
   *   gradPrevPrecedence[j] += Σ_{i≠j} G[i,j] w[i]
   *   gradLink[i,j]          ← (1 − w[i] − w[j]) G[i,j]  (i ≠ j),  gradLink[i,i] ← 0          (in place)
   * </pre>
   *
   * @param prevLink           L_{t−1} [B,Wh,N,N]: the link matrix before the forward updated it
   * @param prevPrecedence     p_{t−1} [B,Wh,N]
   * @param writeWeights       w [B,Wh,N]
   * @param gradLink           [B,Wh,N,N], ∂ℓ/∂L_t on entry, ∂ℓ/∂L_{t−1} on exit
   * @param gradPrevPrecedence [B,Wh,N], accumulated
   * @param gradWriteWeights   [B,Wh,N], accumulated
   */
  public final void linkUpdateBackward(Tensor prevLink, Tensor prevPrecedence, Tensor writeWeights,
      Tensor gradLink, Tensor gradPrevPrecedence, Tensor gradWriteWeights) {
    checkOpen();
    KernelSpec.LINK_UPDATE_BACKWARD.check(this, prevLink, prevPrecedence, writeWeights, gradLink,
        gradPrevPrecedence, gradWriteWeights);
    grad.temporalLinkage().linkUpdateBackward(prevLink, prevPrecedence, writeWeights, gradLink, gradPrevPrecedence,
        gradWriteWeights, 0, prevLink.dim(0));
  }

  /**
   * The backward of {@link #forwardBackward}, with gf = gradForward, gb = gradBackward:
   *
   * <pre>
   *   gradLink[h,i,j]        += Σ_r (gf[r,h,i] w[r,j] + gb[r,h,j] w[r,i])
   *   gradPrevReadWeights[r,j] += Σ_h Σ_i (L[h,i,j] gf[r,h,i] + L[h,j,i] gb[r,h,i])
   * </pre>
   *
   * @param link                L [B,Wh,N,N]
   * @param prevReadWeights     w [B,R,N]
   * @param gradForward         ∂ℓ/∂forward [B,R,Wh,N]
   * @param gradBackward        ∂ℓ/∂backward [B,R,Wh,N]
   * @param gradLink            [B,Wh,N,N], accumulated
   * @param gradPrevReadWeights [B,R,N], accumulated
   */
  public final void forwardBackwardBackward(Tensor link, Tensor prevReadWeights, Tensor gradForward,
      Tensor gradBackward, Tensor gradLink, Tensor gradPrevReadWeights) {
    checkOpen();
    KernelSpec.FORWARD_BACKWARD_BACKWARD.check(this, link, prevReadWeights, gradForward, gradBackward, gradLink,
        gradPrevReadWeights);
    grad.temporalLinkage().forwardBackwardBackward(link, prevReadWeights, gradForward, gradBackward, gradLink,
        gradPrevReadWeights, 0, link.dim(0));
  }

  /**
   * The backward of {@link #linkUpdateAndWeightings}: {@link #forwardBackwardBackward} on L_t (rebuilt from
   * L_{t−1} on the fly) accumulated into {@code gradLink}, then {@link #linkUpdateBackward}, with the same
   * results; backends do it in one pass over L (it reads L_{t−1} and reads and writes the gradient: about twice
   * the forward's bytes).
   *
   * @param prevLink            L_{t−1} [B,Wh,N,N]
   * @param prevPrecedence      p_{t−1} [B,Wh,N]
   * @param writeWeights        w^w [B,Wh,N]
   * @param prevReadWeights     w^r [B,R,N]
   * @param gradForward         ∂ℓ/∂forward [B,R,Wh,N]
   * @param gradBackward        ∂ℓ/∂backward [B,R,Wh,N]
   * @param gradLink            [B,Wh,N,N], ∂ℓ/∂L_t on entry, ∂ℓ/∂L_{t−1} on exit
   * @param gradPrevPrecedence  [B,Wh,N], accumulated
   * @param gradWriteWeights    [B,Wh,N], accumulated
   * @param gradPrevReadWeights [B,R,N], accumulated
   */
  public final void linkUpdateAndWeightingsBackward(Tensor prevLink, Tensor prevPrecedence, Tensor writeWeights,
      Tensor prevReadWeights, Tensor gradForward, Tensor gradBackward, Tensor gradLink, Tensor gradPrevPrecedence,
      Tensor gradWriteWeights, Tensor gradPrevReadWeights) {
    checkOpen();
    KernelSpec.LINK_UPDATE_AND_WEIGHTINGS_BACKWARD.check(this, prevLink, prevPrecedence, writeWeights,
        prevReadWeights, gradForward, gradBackward, gradLink, gradPrevPrecedence, gradWriteWeights,
        gradPrevReadWeights);
    grad.temporalLinkage().linkUpdateAndWeightingsBackward(prevLink, prevPrecedence, writeWeights, prevReadWeights,
        gradForward, gradBackward, gradLink, gradPrevPrecedence, gradWriteWeights, gradPrevReadWeights, 0,
        prevLink.dim(0));
  }

  /**
   * The backward of {@link #readModeMix}, with g = gradOut and modes ordered [backward_1..Wh, content,
   * forward_1..Wh]:
   *
   * <pre>
   *   gradModes[r,h]      += g[r]·backward[r,h]    gradBackward[r,h] += π[r,h] g[r]
   *   gradModes[r,Wh]     += g[r]·content[r]       gradContent[r]    += π[r,Wh] g[r]
   *   gradModes[r,Wh+1+h] += g[r]·forward[r,h]     gradForward[r,h]  += π[r,Wh+1+h] g[r]
   * </pre>
   *
   * @param modes        π [B,R,2Wh+1]
   * @param backward     [B,R,Wh,N]
   * @param content      [B,R,N]
   * @param forward      [B,R,Wh,N]
   * @param gradOut      ∂ℓ/∂out [B,R,N]
   * @param gradModes    [B,R,2Wh+1], accumulated
   * @param gradBackward [B,R,Wh,N], accumulated
   * @param gradContent  [B,R,N], accumulated
   * @param gradForward  [B,R,Wh,N], accumulated
   */
  public final void readModeMixBackward(Tensor modes, Tensor backward, Tensor content, Tensor forward,
      Tensor gradOut, Tensor gradModes, Tensor gradBackward, Tensor gradContent, Tensor gradForward) {
    checkOpen();
    KernelSpec.READ_MODE_MIX_BACKWARD.check(this, modes, backward, content, forward, gradOut, gradModes,
        gradBackward, gradContent, gradForward);
    grad.readModes().readModeMixBackward(modes, backward, content, forward, gradOut, gradModes, gradBackward,
        gradContent, gradForward, 0, gradOut.dim(0));
  }

  /**
   * The backward of {@link #ntmInterpolate}, with g = gradOut: {@code gradContent += γ g}, {@code gradPrevious +=
   * (1 − γ) g}, {@code gradGate += Σ_i g[i] (c[i] − w_prev[i])} (γ the gate).
   *
   * @param content      c [B,H,N]
   * @param previous     w_prev [B,H,N]
   * @param gate         [B,H]
   * @param gradOut      ∂ℓ/∂out [B,H,N]
   * @param gradContent  [B,H,N], accumulated
   * @param gradPrevious [B,H,N], accumulated
   * @param gradGate     [B,H], accumulated
   */
  public final void ntmInterpolateBackward(Tensor content, Tensor previous, Tensor gate, Tensor gradOut,
      Tensor gradContent, Tensor gradPrevious, Tensor gradGate) {
    checkOpen();
    KernelSpec.NTM_INTERPOLATE_BACKWARD.check(this, content, previous, gate, gradOut, gradContent, gradPrevious,
        gradGate);
    grad.ntmAddressing().ntmInterpolateBackward(content, previous, gate, gradOut, gradContent, gradPrevious,
        gradGate, 0, content.dim(0));
  }

  /**
   * The backward of {@link #ntmShift} (indices mod N), with g = gradOut:
   * {@code gradWeights[j] += Σ_{d=−k..k} g[j + d] s[d + k]} and {@code gradShift[d + k] += Σ_i g[i] w[i − d]}.
   *
   * @param weights     w [B,H,N]
   * @param shift       s [B,H,2k+1]
   * @param gradOut     ∂ℓ/∂out [B,H,N]
   * @param gradWeights [B,H,N], accumulated
   * @param gradShift   [B,H,2k+1], accumulated
   */
  public final void ntmShiftBackward(Tensor weights, Tensor shift, Tensor gradOut, Tensor gradWeights,
      Tensor gradShift) {
    checkOpen();
    KernelSpec.NTM_SHIFT_BACKWARD.check(this, weights, shift, gradOut, gradWeights, gradShift);
    grad.ntmAddressing().ntmShiftBackward(weights, shift, gradOut, gradWeights, gradShift, 0, weights.dim(0));
  }

  /**
   * The backward of {@link #ntmSharpen}, per head, in the forward's max-scaled form: m = max_i w[i], v = w/m,
   * S = Σ_i v[i]^γ, y = v^γ / S, g = gradOut, ḡ = Σ_i y[i] g[i]:
   *
   * <pre>
   *   gradWeights[i] += γ (g[i] − ḡ) v[i]^(γ−1) / (m S)
   *   gradGamma      += Σ_{i: v[i] &gt; 0} y[i] (g[i] − ḡ) log v[i]         (y log v → 0 as w → 0)
   * </pre>
   *
   * No division by a weight, so zero weights give finite gradients (v^(γ−1) = 1 at γ = 1). An all-zero row, whose
   * output is the constant 1/N, gets a zero gradient.
   *
   * @param weights     w [B,H,N]
   * @param gamma       γ [B,H]
   * @param gradOut     ∂ℓ/∂out [B,H,N]
   * @param gradWeights [B,H,N], accumulated
   * @param gradGamma   [B,H], accumulated
   */
  public final void ntmSharpenBackward(Tensor weights, Tensor gamma, Tensor gradOut, Tensor gradWeights,
      Tensor gradGamma) {
    checkOpen();
    KernelSpec.NTM_SHARPEN_BACKWARD.check(this, weights, gamma, gradOut, gradWeights, gradGamma);
    grad.ntmAddressing().ntmSharpenBackward(weights, gamma, gradOut, gradWeights, gradGamma, 0, weights.dim(0));
  }

  // ---------------------------------------------------------------------------------------------------------
  // interface vector and the whole memory step

  /**
   * Splits and activates the raw interface vector of one write head (the seed's layout, length
   * {@code W·R + 3W + 5R + 3}):
   *
   * <pre>
   *   ξ̂ = [ k^r (R·W) ; β̂^r (R) ; k^w (W) ; β̂^w (1) ; ê (W) ; v (W) ; f̂ (R) ; ĝ^a (1) ; ĝ^w (1) ; π̂ (3R) ]
   *   β = oneplus(β̂) = 1 + log(1 + e^β̂)   (computed as 1 + max(x,0) + log1p(e^−|x|): no overflow)
   *   e = σ(ê), f = σ(f̂), g^a = σ(ĝ^a), g^w = σ(ĝ^w), π_r = softmax(π̂_r) over its 3 modes
   * </pre>
   *
   * Keys and write vectors are copied unchanged. Read modes come out as [backward, content, forward].
   *
   * @param raw ξ̂ [B, W·R + 3W + 5R + 3]
   * @param out interface tensors with Wh = 1; R and W are taken from {@code out.readKeys()} [B,R,W]
   */
  public final void interfaceSplit(Tensor raw, InterfaceValues out) {
    checkOpen();
    Checks.notNull("out", out);
    KernelSpec.INTERFACE_SPLIT.check(this, raw, out);
    int b = raw.dim(0);
    math.interfaceSplit().interfaceSplit(raw, out, 0, b);
  }

  /**
   * One whole DNC memory step, in DeepMind's order, updating {@code state} in place:
   *
   * <ol>
   *   <li>usage u_t from u_{t−1}, the previous write weights, the free gates and the previous read weights
   *   <li>allocation a_t from u_t and the gates (workspace)
   *   <li>write content weights on M_{t−1} (workspace)
   *   <li>write weights w^w_t (state)
   *   <li>erase/add on M (state)
   *   <li>link L_t with p_{t−1}, and forward/backward weightings from L_t and the previous read weights
   *       ({@link #linkUpdateAndWeightings}, workspace)
   *   <li>precedence p_t
   *   <li>read content weights on M_t (workspace)
   *   <li>read-mode mix → read weights w^r_t (state)
   *   <li>read vectors r_t = M_tᵀ w^r_t
   * </ol>
   *
   * The result equals calling those kernels one by one.
   *
   * @param state       the memory state, updated in place
   * @param in          the interface values of this step
   * @param readVectors r [B,R,W], output
   * @param workspace   from {@link #newWorkspace} for the same shape; holds the step's intermediate weightings
   */
  public final void memoryStep(MemoryState state, InterfaceValues in, Tensor readVectors, Workspace workspace) {
    checkOpen();
    Checks.notNull("state", state);
    Checks.notNull("in", in);
    Checks.notNull("workspace", workspace);
    // every tensor's shape, owner and aliasing, from the step's description
    KernelSpec.MEMORY_STEP.check(this, state, in, readVectors);
    // dims straight from the tensors: no MemoryShape per step on the hot path
    int b = state.memory().dim(0), n = state.memory().dim(1), w = state.memory().dim(2);
    int r = state.readWeights().dim(1), wh = state.link().dim(1);
    MemoryShape ws = workspace.shape();
    if (ws.batch() != b || ws.slots() != n || ws.wordSize() != w || ws.readHeads() != r || ws.writeHeads() != wh) {
      throw new IllegalArgumentException(
          "workspace: expected shape " + state.shape() + " but was " + workspace.shape());
    }
    checkOwned("workspace", workspace.allocation);
    checkOwned("workspace", workspace.writeContent);
    checkOwned("workspace", workspace.readContent);
    checkOwned("workspace", workspace.forward);
    checkOwned("workspace", workspace.backward);
    memoryStepImpl(state, in, readVectors, workspace);
  }

  /**
   * The whole step on the whole batch. Default: {@link #memoryStep(MemoryState, InterfaceValues, Tensor, Workspace,
   * int, int)} over [0, B); a backend overrides this to split the batch over threads.
   *
   * @param state       the memory state, updated in place (checked)
   * @param in          the step's interface values (checked)
   * @param readVectors r [B,R,W], output (checked)
   * @param ws          the step's workspace (checked)
   */
  protected void memoryStepImpl(MemoryState state, InterfaceValues in, Tensor readVectors, Workspace ws) {
    memoryStep(state, in, readVectors, ws, 0, state.memory().dim(0));
  }

  /**
   * The step on batch entries [b0, b1), in DeepMind's order: the phases before the link pass, the link pass,
   * after it (batch entries are independent, so any split of the batch gives the same result). This is the one
   * place the order is written; a backend overrides a phase with a fused version, never the order.
   *
   * @param state       the memory state, updated in place
   * @param in          the step's interface values
   * @param readVectors r [B,R,W], output
   * @param ws          the step's workspace
   * @param b0          first batch entry
   * @param b1          end of the batch range (exclusive)
   */
  protected final void memoryStep(
      MemoryState state, InterfaceValues in, Tensor readVectors, Workspace ws, int b0, int b1) {
    stepBeforeLink(state, in, ws, b0, b1);
    stepLinkPass(state, ws, b0, b1);
    stepAfterLink(state, in, readVectors, ws, b0, b1);
  }

  /**
   * Usage u_t, allocation a_t, write content weights on M_{t−1}, write weights w^w_t, then erase/add on M.
   *
   * @param state the memory state: usage, write weights and memory updated
   * @param in    the step's interface values
   * @param ws    receives the allocation and write content weightings
   * @param b0    first batch entry
   * @param b1    end of the batch range (exclusive)
   */
  protected void stepBeforeLink(MemoryState state, InterfaceValues in, Workspace ws, int b0, int b1) {
    math.usage().usage(state.usage(), state.writeWeights(), in.freeGates(), state.readWeights(), state.usage(), b0,
        b1);
    math.allocation().allocation(state.usage(), in.writeGates(), in.allocationGates(), ws.allocation, b0, b1);
    math.contentAddressing().contentWeights(state.memory(), in.writeKeys(), in.writeStrengths(), ws.writeContent, b0,
        b1);
    math.writeWeighting().writeWeights(ws.allocation, ws.writeContent, in.writeGates(), in.allocationGates(),
        state.writeWeights(), b0, b1);
    math.memoryWrite().eraseAndAdd(state.memory(), state.writeWeights(), in.eraseVectors(), in.writeVectors(), b0,
        b1);
  }

  /**
   * L_t from p_{t−1} and w^w_t, then the forward and backward weightings from L_t and w^r_{t−1}.
   *
   * @param state the memory state: the link updated
   * @param ws    receives the forward and backward weightings
   * @param b0    first batch entry
   * @param b1    end of the batch range (exclusive)
   */
  protected void stepLinkPass(MemoryState state, Workspace ws, int b0, int b1) {
    math.temporalLinkage().linkUpdateAndWeightings(state.link(), state.precedence(), state.writeWeights(),
        state.readWeights(), ws.forward, ws.backward, b0, b1);
  }

  /**
   * Precedence p_t, read content weights on M_t, the read-mode mix w^r_t, then the read vectors.
   *
   * @param state       the memory state: precedence and read weights updated
   * @param in          the step's interface values
   * @param readVectors r [B,R,W], output
   * @param ws          receives the read content weightings; its forward and backward weightings are read
   * @param b0          first batch entry
   * @param b1          end of the batch range (exclusive)
   */
  protected void stepAfterLink(
      MemoryState state, InterfaceValues in, Tensor readVectors, Workspace ws, int b0, int b1) {
    math.temporalLinkage().precedence(state.precedence(), state.writeWeights(), b0, b1);
    math.contentAddressing().contentWeights(state.memory(), in.readKeys(), in.readStrengths(), ws.readContent, b0,
        b1);
    math.readModes().readModeMix(in.readModes(), ws.backward, ws.readContent, ws.forward, state.readWeights(), b0,
        b1);
    math.memoryRead().read(state.memory(), state.readWeights(), readVectors, b0, b1);
  }


  /**
   * The backward of {@link #interfaceSplit} (one write head): keys and write vectors pass their gradients
   * through; oneplus′(x) = σ(x); σ′(x) = σ(x)(1 − σ(x)); the mode softmax gives π (g − Σ_m π_m g_m) per read head.
   *
   * @param raw     ξ̂ [B, W·R + 3W + 5R + 3], the forward's input
   * @param gradOut ∂ℓ/∂ of each interface tensor (Wh = 1)
   * @param gradRaw [B, W·R + 3W + 5R + 3], accumulated
   */
  public final void interfaceSplitBackward(Tensor raw, InterfaceValues gradOut, Tensor gradRaw) {
    checkOpen();
    Checks.notNull("gradOut", gradOut);
    KernelSpec.INTERFACE_SPLIT_BACKWARD.check(this, raw, gradOut, gradRaw);
    grad.interfaceSplit().interfaceSplitBackward(raw, gradOut, gradRaw, 0, raw.dim(0));
  }

  /**
   * The backward of one {@link #memoryStep}: the kernels' backwards in reverse order (read, read-mode mix, read
   * content, precedence, the link pass, erase/add, write weights, write content, allocation, usage), with the same
   * results as calling them one by one.
   *
   * <p><b>Saved values.</b> The forward updates its state in place, so the caller keeps, per step: {@code prev},
   * a copy of the state before the step; {@code next}, the state after it (the next step's {@code prev}); and
   * {@code saved}, the step's workspace (its intermediate weightings). {@code in} is the step's interface.
   *
   * <p><b>Gradients.</b> {@code grad} holds ∂ℓ/∂(the state after the step) on entry and ∂ℓ/∂(the state before)
   * on exit, every component (the in-place rule); {@code gradReadVectors} is ∂ℓ/∂r_t; the interface's gradients
   * are added to {@code gradIn}. Feeding {@code grad} back into the step before gives backpropagation through time.
   *
   * @param prev            the state before the step
   * @param in              the step's interface values
   * @param next            the state after the step
   * @param saved           the step's workspace, as the forward left it
   * @param grad            ∂ℓ/∂next on entry, ∂ℓ/∂prev on exit
   * @param gradReadVectors ∂ℓ/∂r [B,R,W]
   * @param gradIn          the interface's gradients, accumulated
   * @param scratch         from {@link #newBackwardWorkspace} for the same shape
   */
  public final void memoryStepBackward(MemoryState prev, InterfaceValues in, MemoryState next, Workspace saved,
      MemoryState grad, Tensor gradReadVectors, InterfaceValues gradIn, BackwardWorkspace scratch) {
    checkOpen();
    Checks.notNull("prev", prev);
    Checks.notNull("in", in);
    Checks.notNull("next", next);
    Checks.notNull("saved", saved);
    Checks.notNull("grad", grad);
    Checks.notNull("gradIn", gradIn);
    Checks.notNull("scratch", scratch);
    KernelSpec.MEMORY_STEP_BACKWARD.check(this, prev, in, next, grad, gradReadVectors, gradIn);
    checkWorkspace("saved", saved.shape(), prev, saved.allocation, saved.writeContent, saved.readContent,
        saved.forward, saved.backward);
    checkWorkspace("scratch", scratch.shape(), prev, scratch.allocation, scratch.writeContent, scratch.readContent,
        scratch.forward, scratch.backward);
    memoryStepBackwardImpl(prev, in, next, saved, grad, gradReadVectors, gradIn, scratch);
  }

  // dims straight from the tensors (no MemoryShape per call), then the workspace's five tensors' owner
  private void checkWorkspace(String name, MemoryShape ws, MemoryState state, Tensor t0, Tensor t1, Tensor t2,
      Tensor t3, Tensor t4) {
    Tensor m = state.memory();
    if (ws.batch() != m.dim(0) || ws.slots() != m.dim(1) || ws.wordSize() != m.dim(2)
        || ws.readHeads() != state.readWeights().dim(1) || ws.writeHeads() != state.link().dim(1)) {
      throw new IllegalArgumentException(name + ": expected shape " + state.shape() + " but was " + ws);
    }
    checkOwned(name, t0);
    checkOwned(name, t1);
    checkOwned(name, t2);
    checkOwned(name, t3);
    checkOwned(name, t4);
  }

  /**
   * The whole step backward on the whole batch. Default: {@link #memoryStepBackward(MemoryState, InterfaceValues,
   * MemoryState, Workspace, MemoryState, Tensor, InterfaceValues, BackwardWorkspace, int, int)} over [0, B); a
   * backend overrides this to split the batch.
   *
   * @param prev            the state before the step
   * @param in              the step's interface values
   * @param next            the state after the step
   * @param saved           the step's workspace, as the forward left it
   * @param grad            ∂ℓ/∂next on entry, ∂ℓ/∂prev on exit
   * @param gradReadVectors ∂ℓ/∂r [B,R,W]
   * @param gradIn          the interface's gradients, accumulated
   * @param scratch         the gradient scratch (checked)
   */
  protected void memoryStepBackwardImpl(MemoryState prev, InterfaceValues in, MemoryState next, Workspace saved,
      MemoryState grad, Tensor gradReadVectors, InterfaceValues gradIn, BackwardWorkspace scratch) {
    memoryStepBackward(prev, in, next, saved, grad, gradReadVectors, gradIn, scratch, 0, prev.memory().dim(0));
  }

  /**
   * The step backward on batch entries [b0, b1): the phases after the link pass, the link pass, before it, each
   * in reverse. The one place the order is written; a backend overrides a phase, never the order.
   *
   * @param prev            the state before the step
   * @param in              the step's interface values
   * @param next            the state after the step
   * @param saved           the step's workspace, as the forward left it
   * @param grad            ∂ℓ/∂next on entry, ∂ℓ/∂prev on exit
   * @param gradReadVectors ∂ℓ/∂r [B,R,W]
   * @param gradIn          the interface's gradients, accumulated
   * @param scratch         the gradient scratch (checked)
   * @param b0              first batch entry
   * @param b1              end of the batch range (exclusive)
   */
  protected final void memoryStepBackward(MemoryState prev, InterfaceValues in, MemoryState next, Workspace saved,
      MemoryState grad, Tensor gradReadVectors, InterfaceValues gradIn, BackwardWorkspace scratch, int b0, int b1) {
    stepBackwardAfterLink(prev, in, next, saved, grad, gradReadVectors, gradIn, scratch, b0, b1);
    stepBackwardLinkPass(prev, next, grad, scratch, b0, b1);
    stepBackwardBeforeLink(prev, in, next, saved, grad, gradIn, scratch, b0, b1);
  }

  /**
   * Clears the scratch, then the backwards of the read, the read-mode mix, the read content weights and the
   * precedence. ∂ℓ/∂w^r_t is complete once the read's part is added; the mix consumes it, and the tensor then
   * starts collecting ∂ℓ/∂w^r_{t−1}.
   *
   * @param prev            the state before the step
   * @param in              the step's interface values
   * @param next            the state after the step
   * @param saved           the step's workspace, as the forward left it
   * @param grad            ∂ℓ/∂next on entry, ∂ℓ/∂prev on exit
   * @param gradReadVectors ∂ℓ/∂r [B,R,W]
   * @param gradIn          the interface's gradients, accumulated
   * @param scratch         the gradient scratch (checked)
   * @param b0              first batch entry
   * @param b1              end of the batch range (exclusive)
   */
  protected void stepBackwardAfterLink(MemoryState prev, InterfaceValues in, MemoryState next, Workspace saved,
      MemoryState grad, Tensor gradReadVectors, InterfaceValues gradIn, BackwardWorkspace scratch, int b0, int b1) {
    zero(scratch.allocation, b0, b1);
    zero(scratch.writeContent, b0, b1);
    zero(scratch.readContent, b0, b1);
    zero(scratch.forward, b0, b1);
    zero(scratch.backward, b0, b1);
    this.grad.memoryRead().readBackward(next.memory(), next.readWeights(), gradReadVectors, grad.memory(),
        grad.readWeights(), b0, b1);
    this.grad.readModes().readModeMixBackward(in.readModes(), saved.backward, saved.readContent, saved.forward,
        grad.readWeights(), gradIn.readModes(), scratch.backward, scratch.readContent, scratch.forward, b0, b1);
    zero(grad.readWeights(), b0, b1);
    this.grad.contentAddressing().contentWeightsBackward(next.memory(), in.readKeys(), in.readStrengths(),
        saved.readContent, scratch.readContent, grad.memory(), gradIn.readKeys(), gradIn.readStrengths(), b0, b1);
    this.grad.temporalLinkage().precedenceBackward(prev.precedence(), next.writeWeights(), grad.precedence(),
        grad.writeWeights(), b0, b1);
  }

  /**
   * The backward of the fused link pass: ∂ℓ/∂L_t → ∂ℓ/∂L_{t−1} in place, adding to p_{t−1}, w^w_t, w^r_{t−1}.
   *
   * @param prev    the state before the step
   * @param next    the state after the step
   * @param grad    its link gradient updated in place; precedence, write and read weights accumulated
   * @param scratch holds ∂ℓ/∂f and ∂ℓ/∂b from the phase after the link pass
   * @param b0      first batch entry
   * @param b1      end of the batch range (exclusive)
   */
  protected void stepBackwardLinkPass(MemoryState prev, MemoryState next, MemoryState grad,
      BackwardWorkspace scratch, int b0, int b1) {
    this.grad.temporalLinkage().linkUpdateAndWeightingsBackward(prev.link(), prev.precedence(), next.writeWeights(),
        prev.readWeights(), scratch.forward, scratch.backward, grad.link(), grad.precedence(), grad.writeWeights(),
        grad.readWeights(), b0, b1);
  }

  /**
   * The backwards of erase/add, the write weights (which consume ∂ℓ/∂w^w_t; the tensor then starts collecting
   * ∂ℓ/∂w^w_{t−1}), the write content weights, the allocation and the usage (in place on ∂ℓ/∂u).
   *
   * @param prev            the state before the step
   * @param in              the step's interface values
   * @param next            the state after the step
   * @param saved           the step's workspace, as the forward left it
   * @param grad            ∂ℓ/∂next on entry, ∂ℓ/∂prev on exit
   * @param gradIn          the interface's gradients, accumulated
   * @param scratch         the gradient scratch (checked)
   * @param b0              first batch entry
   * @param b1              end of the batch range (exclusive)
   */
  protected void stepBackwardBeforeLink(MemoryState prev, InterfaceValues in, MemoryState next, Workspace saved,
      MemoryState grad, InterfaceValues gradIn, BackwardWorkspace scratch, int b0, int b1) {
    this.grad.memoryWrite().eraseAndAddBackward(prev.memory(), next.writeWeights(), in.eraseVectors(),
        in.writeVectors(), grad.memory(), grad.writeWeights(), gradIn.eraseVectors(), gradIn.writeVectors(), b0, b1);
    this.grad.writeWeighting().writeWeightsBackward(saved.allocation, saved.writeContent, in.writeGates(),
        in.allocationGates(), grad.writeWeights(), scratch.allocation, scratch.writeContent, gradIn.writeGates(),
        gradIn.allocationGates(), b0, b1);
    zero(grad.writeWeights(), b0, b1);
    this.grad.contentAddressing().contentWeightsBackward(prev.memory(), in.writeKeys(), in.writeStrengths(),
        saved.writeContent, scratch.writeContent, grad.memory(), gradIn.writeKeys(), gradIn.writeStrengths(), b0, b1);
    this.grad.allocation().allocationBackward(next.usage(), in.writeGates(), in.allocationGates(), scratch.allocation,
        grad.usage(), gradIn.writeGates(), gradIn.allocationGates(), b0, b1);
    this.grad.usage().usageBackward(prev.usage(), prev.writeWeights(), in.freeGates(), prev.readWeights(),
        grad.usage(), grad.usage(), grad.writeWeights(), gradIn.freeGates(), grad.readWeights(), b0, b1);
  }

  // ---------------------------------------------------------------------------------------------------------

  /** {@code t} must be a tensor of this backend. */
  final void checkOwned(String name, Tensor t) {
    if (!owns(t)) {
      throw new IllegalArgumentException(
          name + ": is a " + t.backend() + " tensor; backend " + name() + " needs its own tensors");
    }
  }
}
