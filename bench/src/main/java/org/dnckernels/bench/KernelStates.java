package org.dnckernels.bench;

import org.dnckernels.InterfaceValues;
import org.dnckernels.MemoryState;
import org.dnckernels.Tensor;
import org.dnckernels.Workspace;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The inputs of each kernel's benchmark (one state per kernel, so a benchmark allocates only what its kernel
 * touches). Shapes and head counts follow {@link Workload}. Weightings are positive and sum to at most 1, gates
 * lie strictly inside (0, 1), erase values in [0.1, 0.9): the in-place kernels then converge to a bounded,
 * non-zero fixed point instead of drifting to zero or infinity.
 */
public final class KernelStates {
  private KernelStates() {}

  @State(Scope.Thread)
  public static class ContentWeights extends KernelState {
    Tensor memory, keys, strengths, out;

    @Override
    protected void make() {
      int b = size.batch(), n = size.slots(), w = size.wordSize(), h = size.readHeads();
      memory = input("memory", data.normal(b * n * w), b, n, w);
      keys = input("keys", data.normal(b * h * w), b, h, w);
      strengths = input("strengths", data.uniform(b * h, 1f, 10f), b, h);
      out = output("out", b, h, n);
    }

    @Override
    protected void call() {
      kernels.contentWeights(memory, keys, strengths, out);
    }

    @Override
    protected Object result() {
      return out;
    }
  }

  @State(Scope.Thread)
  public static class EraseAndAdd extends KernelState {
    Tensor memory, writeWeights, erase, add;

    @Override
    protected void make() {
      int b = size.batch(), n = size.slots(), w = size.wordSize(), wh = size.writeHeads();
      // fixed point of M ← M(1 − w e) + w a is a/e: bounded by 10 with |a| < 1 and e ≥ 0.1
      memory = updated("memory", data.uniform(b * n * w, -1f, 1f), b, n, w);
      writeWeights = input("writeWeights", data.weightings(b * wh, n, 1f), b, wh, n);
      erase = input("erase", data.uniform(b * wh * w, 0.1f, 0.9f), b, wh, w);
      add = input("add", data.uniform(b * wh * w, -1f, 1f), b, wh, w);
    }

    @Override
    protected void call() {
      kernels.eraseAndAdd(memory, writeWeights, erase, add);
    }

    @Override
    protected Object result() {
      return memory;
    }
  }

  @State(Scope.Thread)
  public static class Read extends KernelState {
    Tensor memory, readWeights, out;

    @Override
    protected void make() {
      int b = size.batch(), n = size.slots(), w = size.wordSize(), r = size.readHeads();
      memory = input("memory", data.normal(b * n * w), b, n, w);
      readWeights = input("readWeights", data.weightings(b * r, n, 1f), b, r, n);
      out = output("out", b, r, w);
    }

    @Override
    protected void call() {
      kernels.read(memory, readWeights, out);
    }

    @Override
    protected Object result() {
      return out;
    }
  }

  @State(Scope.Thread)
  public static class Usage extends KernelState {
    Tensor prevUsage, prevWriteWeights, freeGates, prevReadWeights, out;

    @Override
    protected void make() {
      int b = size.batch(), n = size.slots(), r = size.readHeads(), wh = size.writeHeads();
      prevUsage = input("prevUsage", data.uniform(b * n, 0f, 1f), b, n);
      prevWriteWeights = input("prevWriteWeights", data.weightings(b * wh, n, 1f), b, wh, n);
      freeGates = input("freeGates", data.uniform(b * r, 0.1f, 0.9f), b, r);
      prevReadWeights = input("prevReadWeights", data.weightings(b * r, n, 1f), b, r, n);
      out = output("out", b, n);
    }

    @Override
    protected void call() {
      kernels.usage(prevUsage, prevWriteWeights, freeGates, prevReadWeights, out);
    }

    @Override
    protected Object result() {
      return out;
    }
  }

  @State(Scope.Thread)
  public static class Allocation extends KernelState {
    Tensor usage, writeGates, allocationGates, out;

    @Override
    protected void make() {
      int b = size.batch(), n = size.slots(), wh = size.writeHeads();
      usage = input("usage", data.uniform(b * n, 0f, 1f), b, n);
      writeGates = input("writeGates", data.uniform(b * wh, 0.5f, 1f), b, wh);
      allocationGates = input("allocationGates", data.uniform(b * wh, 0.5f, 1f), b, wh);
      out = output("out", b, wh, n);
    }

    @Override
    protected void call() {
      kernels.allocation(usage, writeGates, allocationGates, out);
    }

    @Override
    protected Object result() {
      return out;
    }
  }

  @State(Scope.Thread)
  public static class WriteWeights extends KernelState {
    Tensor allocation, content, writeGates, allocationGates, out;

    @Override
    protected void make() {
      int b = size.batch(), n = size.slots(), wh = size.writeHeads();
      allocation = input("allocation", data.weightings(b * wh, n, 1f), b, wh, n);
      content = input("content", data.weightings(b * wh, n, 1f), b, wh, n);
      writeGates = input("writeGates", data.uniform(b * wh, 0.5f, 1f), b, wh);
      allocationGates = input("allocationGates", data.uniform(b * wh, 0.1f, 0.9f), b, wh);
      out = output("out", b, wh, n);
    }

    @Override
    protected void call() {
      kernels.writeWeights(allocation, content, writeGates, allocationGates, out);
    }

    @Override
    protected Object result() {
      return out;
    }
  }

  @State(Scope.Thread)
  public static class Precedence extends KernelState {
    Tensor precedence, writeWeights;

    @Override
    protected void make() {
      int b = size.batch(), n = size.slots(), wh = size.writeHeads();
      // p ← (1 − Σw) p + w stays a weighting; its fixed point is w / Σw
      precedence = updated("precedence", data.weightings(b * wh, n, 0.5f), b, wh, n);
      writeWeights = input("writeWeights", data.weightings(b * wh, n, 0.9f), b, wh, n);
    }

    @Override
    protected void call() {
      kernels.precedence(precedence, writeWeights);
    }

    @Override
    protected Object result() {
      return precedence;
    }
  }

  @State(Scope.Thread)
  public static class LinkUpdate extends KernelState {
    Tensor link, prevPrecedence, writeWeights;

    @Override
    protected void make() {
      int b = size.batch(), n = size.slots(), wh = size.writeHeads();
      // with w and p weightings, L stays in [0,1] and tends to w_i p_j / (w_i + w_j): never zero
      link = updated("link", data.links(b * wh, n), b, wh, n, n);
      prevPrecedence = input("prevPrecedence", data.weightings(b * wh, n, 0.5f), b, wh, n);
      writeWeights = input("writeWeights", data.weightings(b * wh, n, 0.9f), b, wh, n);
    }

    @Override
    protected void call() {
      kernels.linkUpdate(link, prevPrecedence, writeWeights);
    }

    @Override
    protected Object result() {
      return link;
    }
  }

  @State(Scope.Thread)
  public static class ForwardBackward extends KernelState {
    Tensor link, prevReadWeights, forward, backward;

    @Override
    protected void make() {
      int b = size.batch(), n = size.slots(), r = size.readHeads(), wh = size.writeHeads();
      link = input("link", data.links(b * wh, n), b, wh, n, n);
      prevReadWeights = input("prevReadWeights", data.weightings(b * r, n, 1f), b, r, n);
      forward = output("forward", b, r, wh, n);
      backward = output("backward", b, r, wh, n);
    }

    @Override
    protected void call() {
      kernels.forwardBackward(link, prevReadWeights, forward, backward);
    }

    @Override
    protected Object result() {
      return backward;
    }
  }

  @State(Scope.Thread)
  public static class LinkUpdateAndWeightings extends KernelState {
    Tensor link, prevPrecedence, writeWeights, prevReadWeights, forward, backward;

    @Override
    protected void make() {
      int b = size.batch(), n = size.slots(), r = size.readHeads(), wh = size.writeHeads();
      link = updated("link", data.links(b * wh, n), b, wh, n, n);
      prevPrecedence = input("prevPrecedence", data.weightings(b * wh, n, 0.5f), b, wh, n);
      writeWeights = input("writeWeights", data.weightings(b * wh, n, 0.9f), b, wh, n);
      prevReadWeights = input("prevReadWeights", data.weightings(b * r, n, 1f), b, r, n);
      forward = output("forward", b, r, wh, n);
      backward = output("backward", b, r, wh, n);
    }

    @Override
    protected void call() {
      kernels.linkUpdateAndWeightings(link, prevPrecedence, writeWeights, prevReadWeights, forward, backward);
    }

    @Override
    protected Object result() {
      return backward;
    }
  }

  @State(Scope.Thread)
  public static class ReadModeMix extends KernelState {
    Tensor modes, backward, content, forward, out;

    @Override
    protected void make() {
      int b = size.batch(), n = size.slots(), r = size.readHeads(), wh = size.writeHeads();
      int m = size.readModes();
      modes = input("modes", data.weightings(b * r, m, 1f), b, r, m);
      backward = input("backward", data.weightings(b * r * wh, n, 1f), b, r, wh, n);
      content = input("content", data.weightings(b * r, n, 1f), b, r, n);
      forward = input("forward", data.weightings(b * r * wh, n, 1f), b, r, wh, n);
      out = output("out", b, r, n);
    }

    @Override
    protected void call() {
      kernels.readModeMix(modes, backward, content, forward, out);
    }

    @Override
    protected Object result() {
      return out;
    }
  }

  @State(Scope.Thread)
  public static class NtmInterpolate extends KernelState {
    Tensor content, previous, gate, out;

    @Override
    protected void make() {
      int b = size.batch(), n = size.slots(), h = size.readHeads();
      content = input("content", data.weightings(b * h, n, 1f), b, h, n);
      previous = input("previous", data.weightings(b * h, n, 1f), b, h, n);
      gate = input("gate", data.uniform(b * h, 0.1f, 0.9f), b, h);
      out = output("out", b, h, n);
    }

    @Override
    protected void call() {
      kernels.ntmInterpolate(content, previous, gate, out);
    }

    @Override
    protected Object result() {
      return out;
    }
  }

  @State(Scope.Thread)
  public static class NtmShift extends KernelState {
    Tensor weights, shift, out;

    @Override
    protected void make() {
      int b = size.batch(), n = size.slots(), h = size.readHeads(), s = Workload.SHIFT_OFFSETS;
      weights = input("weights", data.weightings(b * h, n, 1f), b, h, n);
      shift = input("shift", data.weightings(b * h, s, 1f), b, h, s);
      out = output("out", b, h, n);
    }

    @Override
    protected void call() {
      kernels.ntmShift(weights, shift, out);
    }

    @Override
    protected Object result() {
      return out;
    }
  }

  @State(Scope.Thread)
  public static class NtmSharpen extends KernelState {
    Tensor weights, gamma, out;

    @Override
    protected void make() {
      int b = size.batch(), n = size.slots(), h = size.readHeads();
      weights = input("weights", data.weightings(b * h, n, 1f), b, h, n);
      gamma = input("gamma", data.uniform(b * h, 1f, 3f), b, h);
      out = output("out", b, h, n);
    }

    @Override
    protected void call() {
      kernels.ntmSharpen(weights, gamma, out);
    }

    @Override
    protected Object result() {
      return out;
    }
  }

  @State(Scope.Thread)
  public static class InterfaceSplit extends KernelState {
    Tensor raw;
    InterfaceValues out;

    @Override
    protected void make() {
      int b = size.batch(), w = size.wordSize(), r = size.readHeads(), wh = size.writeHeads();
      raw = input("raw", data.normal(b * size.interfaceSize()), b, size.interfaceSize());
      out = new InterfaceValues(
          output("out.readKeys", b, r, w), output("out.readStrengths", b, r), output("out.writeKeys", b, wh, w),
          output("out.writeStrengths", b, wh), output("out.eraseVectors", b, wh, w),
          output("out.writeVectors", b, wh, w), output("out.freeGates", b, r), output("out.allocationGates", b, wh),
          output("out.writeGates", b, wh), output("out.readModes", b, r, size.readModes()));
    }

    @Override
    protected void call() {
      kernels.interfaceSplit(raw, out);
    }

    @Override
    protected Object result() {
      return out;
    }
  }

  /** The whole step, repeated on its own state with the same interface values: a steady state. */
  @State(Scope.Thread)
  public static class MemoryStep extends KernelState {
    MemoryState state;
    InterfaceValues in;
    Tensor readVectors;
    Workspace workspace;

    @Override
    protected void make() {
      int b = size.batch(), n = size.slots(), w = size.wordSize(), r = size.readHeads(), wh = size.writeHeads();
      state = new MemoryState(
          updated("state.memory", data.uniform(b * n * w, -1f, 1f), b, n, w),
          updated("state.usage", data.uniform(b * n, 0f, 1f), b, n),
          updated("state.link", data.links(b * wh, n), b, wh, n, n),
          updated("state.precedence", data.weightings(b * wh, n, 0.5f), b, wh, n),
          updated("state.readWeights", data.weightings(b * r, n, 1f), b, r, n),
          updated("state.writeWeights", data.weightings(b * wh, n, 0.9f), b, wh, n));
      in = new InterfaceValues(
          input("in.readKeys", data.normal(b * r * w), b, r, w),
          input("in.readStrengths", data.uniform(b * r, 1f, 10f), b, r),
          input("in.writeKeys", data.normal(b * wh * w), b, wh, w),
          input("in.writeStrengths", data.uniform(b * wh, 1f, 10f), b, wh),
          input("in.eraseVectors", data.uniform(b * wh * w, 0.1f, 0.9f), b, wh, w),
          input("in.writeVectors", data.uniform(b * wh * w, -1f, 1f), b, wh, w),
          input("in.freeGates", data.uniform(b * r, 0.1f, 0.9f), b, r),
          input("in.allocationGates", data.uniform(b * wh, 0.1f, 0.9f), b, wh),
          input("in.writeGates", data.uniform(b * wh, 0.5f, 1f), b, wh),
          input("in.readModes", data.weightings(b * r, size.readModes(), 1f), b, r, size.readModes()));
      readVectors = output("readVectors", b, r, w);
      workspace = kernels.newWorkspace(state.shape());
    }

    @Override
    protected void call() {
      kernels.memoryStep(state, in, readVectors, workspace);
    }

    @Override
    protected Object result() {
      return readVectors;
    }

    @Override
    protected void closeExtras() {
      workspace.close();
    }
  }

  /** The SIMD step with a given number of worker threads (read by the backend when it is created). */
  @State(Scope.Thread)
  public static class MemoryStepThreads extends MemoryStep {
    /** The SIMD backend's system property for its worker count. */
    public static final String THREADS_PROPERTY = "dnc.kernels.simd.threads";

    @Param({"1", "2"})
    public String threads;

    @Override
    protected void beforeLoad() {
      System.setProperty(THREADS_PROPERTY, threads);
    }
  }
}
