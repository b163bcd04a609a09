package org.dnckernels.cuda;

import static org.dnckernels.cuda.CudaContext.at;
import static org.dnckernels.cuda.CudaContext.elements;
import static org.dnckernels.cuda.Kernel.LINK_TILES;
import static org.dnckernels.cuda.Kernel.STEP_ALLOCATE;
import static org.dnckernels.cuda.Kernel.STEP_READ;
import static org.dnckernels.cuda.Kernel.STEP_WRITE;

import org.dnckernels.InterfaceValues;
import org.dnckernels.MemoryState;
import org.dnckernels.Tensor;
import org.dnckernels.Workspace;

/**
 * The fused memory step on the device (see {@code memory_step.cuh}), as the three phases of
 * {@link org.dnckernels.DncKernels}'s step over batch entries [b0, b1): {@link #beforeLink} is {@code step_allocate}
 * (usage in place, the allocation, the write content weights on M_{t−1}) and {@code step_write} (write weights,
 * erase/add); {@link #linkPass} is {@code link_tiles} updating L and leaving the forward/backward partials in the
 * stream's scratch; {@link #afterLink} is {@code step_read} (read content on M_t, forward/backward from those
 * partials, the read-mode mix, the read vectors, and the precedence after {@code link_tiles} has read p_{t−1}).
 *
 * <p>{@link #afterLink} reads the partials {@link #linkPass} left: it asks the stream's scratch for the same sizes,
 * which gives the same buffers, so the two must run for the same range with nothing else on the stream in between
 * ({@link CudaKernels} holds the stream's lock over the whole step).
 */
final class CudaMemoryStep {
  private final CudaContext context;

  CudaMemoryStep(CudaContext context) {
    this.context = context;
  }

  void beforeLink(MemoryState state, InterfaceValues in, Workspace ws, int b0, int b1) {
    int b = b1 - b0, n = state.memory().dim(1), w = state.memory().dim(2);
    int r = state.readWeights().dim(1), wh = state.link().dim(1);
    try (CudaStream s = context.stream.enter()) {
      AllocationPlan plan = AllocationPlan.of(b, n, context.gpu.maxDynamicSharedMemory(STEP_ALLOCATE));
      long[] sort = CudaContext.sortScratch(s, plan);
      s.launch(STEP_ALLOCATE, b * (1 + wh), plan.sharedBytes(), at(state.usage(), b0), at(state.writeWeights(), b0),
          at(in.freeGates(), b0), at(state.readWeights(), b0), at(in.writeGates(), b0), at(in.allocationGates(), b0),
          at(ws.allocation(), b0), at(state.memory(), b0), at(in.writeKeys(), b0), at(in.writeStrengths(), b0),
          at(ws.writeContent(), b0), n, w, r, wh, plan.padded(), plan.chunk(), sort[0], sort[1], sort[2]);
      s.launch(STEP_WRITE, context.spread(elements(state.memory(), b0, b1)), 0, at(ws.allocation(), b0),
          at(ws.writeContent(), b0), at(in.writeGates(), b0), at(in.allocationGates(), b0),
          at(state.writeWeights(), b0), at(state.memory(), b0), at(in.eraseVectors(), b0), at(in.writeVectors(), b0),
          b, n, w, wh);
    }
  }

  void linkPass(MemoryState state, int b0, int b1) {
    int b = b1 - b0, n = state.memory().dim(1), r = state.readWeights().dim(1), wh = state.link().dim(1);
    try (CudaStream s = context.stream.enter()) {
      long[] partials = CudaContext.linkPartials(s, b, wh, r, n);
      s.launch(LINK_TILES, CudaContext.linkGrid(b, wh, n), 0, at(state.link(), b0), at(state.precedence(), b0),
          at(state.writeWeights(), b0), at(state.readWeights(), b0), partials[0], partials[1], n, wh, r, 1);
    }
  }

  void afterLink(MemoryState state, InterfaceValues in, Tensor readVectors, Workspace ws, int b0, int b1) {
    int b = b1 - b0, n = state.memory().dim(1), w = state.memory().dim(2);
    int r = state.readWeights().dim(1), wh = state.link().dim(1);
    try (CudaStream s = context.stream.enter()) {
      // the buffers linkPass wrote: same sizes, same scratch
      long[] partials = CudaContext.linkPartials(s, b, wh, r, n);
      s.launch(STEP_READ, b * (r + wh), 0, at(state.memory(), b0), at(in.readKeys(), b0), at(in.readStrengths(), b0),
          at(ws.readContent(), b0), partials[0], partials[1], at(ws.forward(), b0), at(ws.backward(), b0),
          at(in.readModes(), b0), at(state.readWeights(), b0), at(readVectors, b0), at(state.precedence(), b0),
          at(state.writeWeights(), b0), n, w, r, wh);
    }
  }
}
