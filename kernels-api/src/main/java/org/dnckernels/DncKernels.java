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
 */
public abstract class DncKernels implements AutoCloseable {
  /** ε of the contract (cosine similarity, norms, allocation remap). */
  public static final float EPSILON = 1e-6f;

  private volatile boolean closed;
  /** The backend's math, one implementation per kernel family. */
  private final KernelMath.Table math;

  /** A backend computing with {@code math}. */
  protected DncKernels(KernelMath.Table math) {
    Checks.notNull("math", math);
    this.math = math;
  }

  // ---------------------------------------------------------------------------------------------------------
  // backend selection

  /**
   * The backend named by {@code -Ddnc.kernels.backend=scalar|simd|cuda|auto} (default {@code auto}: CUDA if
   * it works, else SIMD if the Vector API is usable, else scalar). Logs one INFO line naming the chosen backend
   * and one line per rejected backend with its reason.
   *
   * @throws IllegalStateException if a forced backend cannot be loaded (the message gives the reason)
   */
  public static DncKernels load() {
    return Backends.load();
  }

  /**
   * The named backend ({@code scalar}, {@code simd}, {@code cuda} or {@code auto}).
   *
   * @throws IllegalStateException if it is unknown or unavailable here (the message gives the reason)
   */
  public static DncKernels load(String backend) {
    return Backends.load(backend);
  }

  /** Every backend found on the class path, best first, with its availability and the reason if not. */
  public static List<BackendInfo> backends() {
    return Backends.list();
  }

  /** The backend's name: {@code scalar}, {@code simd}, {@code cuda}. */
  public abstract String name();

  /** A one-line description (e.g. the vector species or the GPU). */
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

  /** Whether {@link #close()} was called. */
  public final boolean isClosed() {
    return closed;
  }

  /** The backend's part of {@link #close()}, called once. */
  protected void closeImpl() {}

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(name() + " backend: closed; load a new one to compute again");
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // tensors

  /** A new zero-filled tensor of this backend. */
  public abstract Tensor allocate(int... shape);

  /** Whether {@link #wrap} is supported (true for host backends). */
  public boolean canWrap() {
    return false;
  }

  /**
   * A tensor that is a view of {@code data} from {@code offset} (no copy): kernels read and write the array.
   *
   * @throws UnsupportedOperationException on a device backend (use {@link #upload})
   * @throws IllegalArgumentException if the array is null or too short, or a dimension is below 1
   */
  public Tensor wrap(float[] data, int offset, int... shape) {
    throw new UnsupportedOperationException(name() + " tensors live on the device: use upload() and copyTo()");
  }

  /** A new tensor holding a copy of {@code data} from {@code offset}. */
  public Tensor upload(float[] data, int offset, int... shape) {
    int size = Tensor.elementCount(Tensor.checkedShape(shape));
    Tensor.checkRange("data", data, offset, size);
    Tensor t = allocate(shape);
    t.copyFrom(data, offset);
    return t;
  }

  /** Whether {@code t} is a tensor this backend can compute on. */
  protected abstract boolean owns(Tensor t);

  /** Zero-filled state tensors for {@code shape}. */
  public MemoryState newState(MemoryShape shape) {
    Checks.notNull("shape", shape);
    int b = shape.batch(), n = shape.slots(), w = shape.wordSize(), r = shape.readHeads(), wh = shape.writeHeads();
    return new MemoryState(
        allocate(b, n, w), allocate(b, n), allocate(b, wh, n, n), allocate(b, wh, n), allocate(b, r, n),
        allocate(b, wh, n));
  }

  /** Zero-filled interface tensors for {@code shape}. */
  public InterfaceValues newInterface(MemoryShape shape) {
    Checks.notNull("shape", shape);
    int b = shape.batch(), w = shape.wordSize(), r = shape.readHeads(), wh = shape.writeHeads();
    return new InterfaceValues(
        allocate(b, r, w), allocate(b, r), allocate(b, wh, w), allocate(b, wh), allocate(b, wh, w),
        allocate(b, wh, w), allocate(b, r), allocate(b, wh), allocate(b, wh), allocate(b, r, shape.readModes()));
  }

  /** Scratch for {@link #memoryStep} at {@code shape}; make once, reuse every step. */
  public Workspace newWorkspace(MemoryShape shape) {
    Checks.notNull("shape", shape);
    return new Workspace(this, shape);
  }

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
   */
  protected void memoryStepImpl(MemoryState state, InterfaceValues in, Tensor readVectors, Workspace ws) {
    memoryStep(state, in, readVectors, ws, 0, state.memory().dim(0));
  }

  /**
   * The step on batch entries [b0, b1), in DeepMind's order: the phases before the link pass, the link pass,
   * after it (batch entries are independent, so any split of the batch gives the same result). This is the one
   * place the order is written; a backend overrides a phase with a fused version, never the order.
   */
  protected final void memoryStep(
      MemoryState state, InterfaceValues in, Tensor readVectors, Workspace ws, int b0, int b1) {
    stepBeforeLink(state, in, ws, b0, b1);
    stepLinkPass(state, ws, b0, b1);
    stepAfterLink(state, in, readVectors, ws, b0, b1);
  }

  /** Usage u_t, allocation a_t, write content weights on M_{t−1}, write weights w^w_t, then erase/add on M. */
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

  /** L_t from p_{t−1} and w^w_t, then the forward and backward weightings from L_t and w^r_{t−1}. */
  protected void stepLinkPass(MemoryState state, Workspace ws, int b0, int b1) {
    math.temporalLinkage().linkUpdateAndWeightings(state.link(), state.precedence(), state.writeWeights(),
        state.readWeights(), ws.forward, ws.backward, b0, b1);
  }

  /** Precedence p_t, read content weights on M_t, the read-mode mix w^r_t, then the read vectors. */
  protected void stepAfterLink(
      MemoryState state, InterfaceValues in, Tensor readVectors, Workspace ws, int b0, int b1) {
    math.temporalLinkage().precedence(state.precedence(), state.writeWeights(), b0, b1);
    math.contentAddressing().contentWeights(state.memory(), in.readKeys(), in.readStrengths(), ws.readContent, b0,
        b1);
    math.readModes().readModeMix(in.readModes(), ws.backward, ws.readContent, ws.forward, state.readWeights(), b0,
        b1);
    math.memoryRead().read(state.memory(), state.readWeights(), readVectors, b0, b1);
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
