package org.dnckernels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * One description per public kernel: its name, its tensor arguments (name, role, symbolic shape, the values a
 * caller passes), the alias rules, the bytes and operations it moves (the roofline model of the report) and its
 * tolerance class. The facade checks every call against it; the conformance suite generates its shape, bad-input
 * and alias cases from it; the benchmarks build their inputs and their traffic model from it.
 *
 * <p>Shape symbols: {@code B} batch, {@code N} slots, {@code W} word size, {@code R} read heads, {@code Wh} write
 * heads, {@code H} heads of a content or NTM call, {@code K} shift width 2k+1 (odd, at most N), {@code M} read
 * modes 2Wh+1, {@code IF} the raw interface length W·R + 3W + 5R + 3 of one write head, and integer literals. Each
 * free symbol is read from one argument's axis (its definer), in the order listed; the other arguments must match.
 *
 * <p>Alias rules follow from the roles: an argument that is written (output or in place) must not share storage
 * with any other argument, except the listed {@linkplain #sameOrDistinct() same-or-distinct} pairs, which may be
 * the very same tensor (element-wise kernels) but must not partly overlap. Arguments that are only read may
 * share storage freely.
 *
 * <p>{@link #INTERFACE_SPLIT} and {@link #MEMORY_STEP} take records ({@link InterfaceValues}, {@link MemoryState},
 * {@link Workspace}); their arguments are listed as the records' components ({@code out.readKeys}, {@code
 * state.memory}, ...), in record order.
 */
public enum KernelSpec {
  /** {@link DncKernels#contentWeights}. */
  CONTENT_WEIGHTS("contentWeights", Family.CONTENT_ADDRESSING, Tolerance.SOFTMAX,
      "B=memory.0 N=memory.1 W=memory.2 H=keys.1", "",
      s -> 2.0 * s.b() * (s.h() + 1) * s.n() * s.w() + 2.0 * s.b() * s.h() * s.w() + 6.0 * s.b() * s.h() * s.n(),
      read("memory", Values.ANY, "B N W"), read("keys", Values.ANY, "B H W"),
      read("strengths", Values.STRENGTH, "B H"), write("out", "B H N")),
  /** {@link DncKernels#eraseAndAdd}. */
  ERASE_AND_ADD("eraseAndAdd", Family.MEMORY_WRITE, Tolerance.DOT_PRODUCT,
      "B=memory.0 N=memory.1 W=memory.2 Wh=writeWeights.1", "",
      s -> 4.0 * s.b() * s.wh() * s.n() * s.w() + s.b() * s.n() * s.w(),
      update("memory", Values.ANY, "B N W"), read("writeWeights", Values.WEIGHTING, "B Wh N"),
      read("erase", Values.GATE, "B Wh W"), read("add", Values.ANY, "B Wh W")),
  /** {@link DncKernels#read}. */
  READ("read", Family.MEMORY_READ, Tolerance.DOT_PRODUCT,
      "B=memory.0 N=memory.1 W=memory.2 R=readWeights.1", "",
      s -> 2.0 * s.b() * s.r() * s.n() * s.w(),
      read("memory", Values.ANY, "B N W"), read("readWeights", Values.WEIGHTING, "B R N"), write("out", "B R W")),
  /** {@link DncKernels#usage}. */
  USAGE("usage", Family.USAGE, Tolerance.ELEMENTWISE,
      "B=prevUsage.0 N=prevUsage.1 Wh=prevWriteWeights.1 R=prevReadWeights.1", "out=prevUsage",
      s -> (double) s.b() * s.n() * (2 * s.wh() + 3 * s.r() + 3),
      read("prevUsage", Values.USAGE, "B N"), read("prevWriteWeights", Values.WEIGHTING, "B Wh N"),
      read("freeGates", Values.GATE, "B R"), read("prevReadWeights", Values.WEIGHTING, "B R N"),
      write("out", "B N")),
  /** {@link DncKernels#allocation}. */
  ALLOCATION("allocation", Family.ALLOCATION, Tolerance.SORTED_PRODUCT,
      "B=usage.0 N=usage.1 Wh=writeGates.1", "",
      s -> (double) s.b() * s.wh() * s.n() * (6 + log2(s.n())),
      read("usage", Values.USAGE, "B N"), read("writeGates", Values.GATE, "B Wh"),
      read("allocationGates", Values.GATE, "B Wh"), write("out", "B Wh N")),
  /** {@link DncKernels#writeWeights}. */
  WRITE_WEIGHTS("writeWeights", Family.WRITE_WEIGHTING, Tolerance.ELEMENTWISE,
      "B=allocation.0 Wh=allocation.1 N=allocation.2", "out=allocation out=content",
      s -> 4.0 * s.b() * s.wh() * s.n(),
      read("allocation", Values.WEIGHTING, "B Wh N"), read("content", Values.WEIGHTING, "B Wh N"),
      read("writeGates", Values.GATE, "B Wh"), read("allocationGates", Values.GATE, "B Wh"),
      write("out", "B Wh N")),
  /** {@link DncKernels#precedence}. */
  PRECEDENCE("precedence", Family.TEMPORAL_LINKAGE, Tolerance.DOT_PRODUCT,
      "B=precedence.0 Wh=precedence.1 N=precedence.2", "",
      s -> 3.0 * s.b() * s.wh() * s.n(),
      update("precedence", Values.WEIGHTING, "B Wh N"), read("writeWeights", Values.WEIGHTING, "B Wh N")),
  /** {@link DncKernels#linkUpdate}. */
  LINK_UPDATE("linkUpdate", Family.TEMPORAL_LINKAGE, Tolerance.ELEMENTWISE,
      "B=link.0 Wh=link.1 N=link.2", "",
      s -> 4.0 * s.b() * s.wh() * s.n() * s.n(),
      update("link", Values.LINK, "B Wh N N"), read("prevPrecedence", Values.WEIGHTING, "B Wh N"),
      read("writeWeights", Values.WEIGHTING, "B Wh N")),
  /** {@link DncKernels#forwardBackward}. */
  FORWARD_BACKWARD("forwardBackward", Family.TEMPORAL_LINKAGE, Tolerance.DOT_PRODUCT,
      "B=link.0 Wh=link.1 N=link.2 R=prevReadWeights.1", "",
      s -> 4.0 * s.b() * s.r() * s.wh() * s.n() * s.n(),
      read("link", Values.LINK, "B Wh N N"), read("prevReadWeights", Values.WEIGHTING, "B R N"),
      write("forward", "B R Wh N"), write("backward", "B R Wh N")),
  /** {@link DncKernels#linkUpdateAndWeightings}. */
  LINK_UPDATE_AND_WEIGHTINGS("linkUpdateAndWeightings", Family.TEMPORAL_LINKAGE, Tolerance.DOT_PRODUCT,
      "B=link.0 Wh=link.1 N=link.2 R=prevReadWeights.1", "",
      s -> 4.0 * s.b() * s.wh() * s.n() * s.n() * (1 + s.r()),
      update("link", Values.LINK, "B Wh N N"), read("prevPrecedence", Values.WEIGHTING, "B Wh N"),
      read("writeWeights", Values.WEIGHTING, "B Wh N"), read("prevReadWeights", Values.WEIGHTING, "B R N"),
      write("forward", "B R Wh N"), write("backward", "B R Wh N")),
  /** {@link DncKernels#readModeMix}. */
  READ_MODE_MIX("readModeMix", Family.READ_MODES, Tolerance.DOT_PRODUCT,
      "B=backward.0 R=backward.1 Wh=backward.2 N=backward.3", "",
      s -> 2.0 * s.b() * s.r() * s.n() * (2 * s.wh() + 1),
      read("modes", Values.DISTRIBUTION, "B R M"), read("backward", Values.WEIGHTING, "B R Wh N"),
      read("content", Values.WEIGHTING, "B R N"), read("forward", Values.WEIGHTING, "B R Wh N"),
      write("out", "B R N")),
  /** {@link DncKernels#ntmInterpolate}. */
  NTM_INTERPOLATE("ntmInterpolate", Family.NTM_ADDRESSING, Tolerance.ELEMENTWISE,
      "B=content.0 H=content.1 N=content.2", "out=content out=previous",
      s -> 3.0 * s.b() * s.h() * s.n(),
      read("content", Values.WEIGHTING, "B H N"), read("previous", Values.WEIGHTING, "B H N"),
      read("gate", Values.GATE, "B H"), write("out", "B H N")),
  /** {@link DncKernels#ntmShift}. */
  NTM_SHIFT("ntmShift", Family.NTM_ADDRESSING, Tolerance.DOT_PRODUCT,
      "B=weights.0 H=weights.1 N=weights.2 K=shift.2", "",
      s -> 2.0 * s.b() * s.h() * s.n() * s.k(),
      read("weights", Values.WEIGHTING, "B H N"), read("shift", Values.DISTRIBUTION, "B H K"),
      write("out", "B H N")),
  /** {@link DncKernels#ntmSharpen}. */
  NTM_SHARPEN("ntmSharpen", Family.NTM_ADDRESSING, Tolerance.SOFTMAX,
      "B=weights.0 H=weights.1 N=weights.2", "out=weights",
      s -> 4.0 * s.b() * s.h() * s.n(),
      read("weights", Values.WEIGHTING, "B H N"), read("gamma", Values.SHARPENING, "B H"),
      write("out", "B H N")),
  /** {@link DncKernels#interfaceSplit}. */
  INTERFACE_SPLIT("interfaceSplit", Family.INTERFACE, Tolerance.ELEMENTWISE,
      "B=raw.0 R=out.readKeys.1 W=out.readKeys.2", "",
      s -> 4.0 * s.b() * interfaceSize(s.w(), s.r()),
      read("raw", Values.ANY, "B IF"), write("out.readKeys", "B R W"), write("out.readStrengths", "B R"),
      write("out.writeKeys", "B 1 W"), write("out.writeStrengths", "B 1"), write("out.eraseVectors", "B 1 W"),
      write("out.writeVectors", "B 1 W"), write("out.freeGates", "B R"), write("out.allocationGates", "B 1"),
      write("out.writeGates", "B 1"), write("out.readModes", "B R 3")),
  /** {@link DncKernels#memoryStep}. */
  MEMORY_STEP("memoryStep", Family.MEMORY_STEP, Tolerance.COMPOSITE,
      "B=state.memory.0 N=state.memory.1 W=state.memory.2 Wh=state.link.1 R=state.readWeights.1", "",
      KernelSpec::stepFlops,
      update("state.memory", Values.ANY, "B N W"), update("state.usage", Values.USAGE, "B N"),
      update("state.link", Values.LINK, "B Wh N N"), update("state.precedence", Values.WEIGHTING, "B Wh N"),
      update("state.readWeights", Values.WEIGHTING, "B R N"), update("state.writeWeights", Values.WEIGHTING, "B Wh N"),
      read("in.readKeys", Values.ANY, "B R W"), read("in.readStrengths", Values.STRENGTH, "B R"),
      read("in.writeKeys", Values.ANY, "B Wh W"), read("in.writeStrengths", Values.STRENGTH, "B Wh"),
      read("in.eraseVectors", Values.GATE, "B Wh W"), read("in.writeVectors", Values.ANY, "B Wh W"),
      read("in.freeGates", Values.GATE, "B R"), read("in.allocationGates", Values.GATE, "B Wh"),
      read("in.writeGates", Values.GATE, "B Wh"), read("in.readModes", Values.DISTRIBUTION, "B R M"),
      write("readVectors", "B R W")),

  // ---------------------------------------------------------------------------------------------------------
  // backwards: the forward's inputs (and outputs where named), the gradients of the outputs (read), the
  // gradients of the inputs (accumulated, or carried through in place): see DncKernels, "Gradients"

  /** {@link DncKernels#contentWeightsBackward}. */
  CONTENT_WEIGHTS_BACKWARD("contentWeightsBackward", Family.CONTENT_ADDRESSING, Tolerance.GRADIENT,
      "B=memory.0 N=memory.1 W=memory.2 H=keys.1", "",
      s -> 2 * CONTENT_WEIGHTS.operations(s) + 4.0 * s.b() * s.h() * s.n() * s.w(),
      read("memory", Values.ANY, "B N W"), read("keys", Values.ANY, "B H W"),
      read("strengths", Values.STRENGTH, "B H"), read("weights", Values.DISTRIBUTION, "B H N"),
      read("gradWeights", Values.ANY, "B H N"), grad("gradMemory", "B N W"), grad("gradKeys", "B H W"),
      grad("gradStrengths", "B H")),
  /** {@link DncKernels#eraseAndAddBackward}. */
  ERASE_AND_ADD_BACKWARD("eraseAndAddBackward", Family.MEMORY_WRITE, Tolerance.GRADIENT,
      "B=prevMemory.0 N=prevMemory.1 W=prevMemory.2 Wh=writeWeights.1", "",
      s -> 10.0 * s.b() * s.wh() * s.n() * s.w() + s.b() * s.n() * s.w(),
      read("prevMemory", Values.ANY, "B N W"), read("writeWeights", Values.WEIGHTING, "B Wh N"),
      read("erase", Values.GATE, "B Wh W"), read("add", Values.ANY, "B Wh W"), grad("gradMemory", "B N W"),
      grad("gradWriteWeights", "B Wh N"), grad("gradErase", "B Wh W"), grad("gradAdd", "B Wh W")),
  /** {@link DncKernels#readBackward}. */
  READ_BACKWARD("readBackward", Family.MEMORY_READ, Tolerance.GRADIENT,
      "B=memory.0 N=memory.1 W=memory.2 R=readWeights.1", "",
      s -> 4.0 * s.b() * s.r() * s.n() * s.w(),
      read("memory", Values.ANY, "B N W"), read("readWeights", Values.WEIGHTING, "B R N"),
      read("gradOut", Values.ANY, "B R W"), grad("gradMemory", "B N W"), grad("gradReadWeights", "B R N")),
  /** {@link DncKernels#usageBackward}. */
  USAGE_BACKWARD("usageBackward", Family.USAGE, Tolerance.GRADIENT,
      "B=prevUsage.0 N=prevUsage.1 Wh=prevWriteWeights.1 R=prevReadWeights.1", "gradPrevUsage=gradOut",
      s -> (double) s.b() * s.n() * (6 * s.wh() + 8 * s.r() + 8),
      read("prevUsage", Values.USAGE, "B N"), read("prevWriteWeights", Values.WEIGHTING, "B Wh N"),
      read("freeGates", Values.GATE, "B R"), read("prevReadWeights", Values.WEIGHTING, "B R N"),
      read("gradOut", Values.ANY, "B N"), grad("gradPrevUsage", "B N"), grad("gradPrevWriteWeights", "B Wh N"),
      grad("gradFreeGates", "B R"), grad("gradPrevReadWeights", "B R N")),
  /** {@link DncKernels#allocationBackward}. */
  ALLOCATION_BACKWARD("allocationBackward", Family.ALLOCATION, Tolerance.GRADIENT,
      "B=usage.0 N=usage.1 Wh=writeGates.1", "",
      s -> (double) s.b() * s.wh() * s.n() * (16 + log2(s.n())),
      read("usage", Values.USAGE, "B N"), read("writeGates", Values.GATE, "B Wh"),
      read("allocationGates", Values.GATE, "B Wh"), read("gradOut", Values.ANY, "B Wh N"),
      grad("gradUsage", "B N"), grad("gradWriteGates", "B Wh"), grad("gradAllocationGates", "B Wh")),
  /** {@link DncKernels#writeWeightsBackward}. */
  WRITE_WEIGHTS_BACKWARD("writeWeightsBackward", Family.WRITE_WEIGHTING, Tolerance.GRADIENT,
      "B=allocation.0 Wh=allocation.1 N=allocation.2", "",
      s -> 10.0 * s.b() * s.wh() * s.n(),
      read("allocation", Values.WEIGHTING, "B Wh N"), read("content", Values.WEIGHTING, "B Wh N"),
      read("writeGates", Values.GATE, "B Wh"), read("allocationGates", Values.GATE, "B Wh"),
      read("gradOut", Values.ANY, "B Wh N"), grad("gradAllocation", "B Wh N"), grad("gradContent", "B Wh N"),
      grad("gradWriteGates", "B Wh"), grad("gradAllocationGates", "B Wh")),
  /** {@link DncKernels#precedenceBackward}. */
  PRECEDENCE_BACKWARD("precedenceBackward", Family.TEMPORAL_LINKAGE, Tolerance.GRADIENT,
      "B=prevPrecedence.0 Wh=prevPrecedence.1 N=prevPrecedence.2", "",
      s -> 6.0 * s.b() * s.wh() * s.n(),
      read("prevPrecedence", Values.WEIGHTING, "B Wh N"), read("writeWeights", Values.WEIGHTING, "B Wh N"),
      grad("gradPrecedence", "B Wh N"), grad("gradWriteWeights", "B Wh N")),
  /** {@link DncKernels#linkUpdateBackward}. */
  LINK_UPDATE_BACKWARD("linkUpdateBackward", Family.TEMPORAL_LINKAGE, Tolerance.GRADIENT,
      "B=prevLink.0 Wh=prevLink.1 N=prevLink.2", "",
      s -> 10.0 * s.b() * s.wh() * s.n() * s.n(),
      read("prevLink", Values.LINK, "B Wh N N"), read("prevPrecedence", Values.WEIGHTING, "B Wh N"),
      read("writeWeights", Values.WEIGHTING, "B Wh N"), grad("gradLink", "B Wh N N"),
      grad("gradPrevPrecedence", "B Wh N"), grad("gradWriteWeights", "B Wh N")),
  /** {@link DncKernels#forwardBackwardBackward}. */
  FORWARD_BACKWARD_BACKWARD("forwardBackwardBackward", Family.TEMPORAL_LINKAGE, Tolerance.GRADIENT,
      "B=link.0 Wh=link.1 N=link.2 R=prevReadWeights.1", "",
      s -> 8.0 * s.b() * s.r() * s.wh() * s.n() * s.n(),
      read("link", Values.LINK, "B Wh N N"), read("prevReadWeights", Values.WEIGHTING, "B R N"),
      read("gradForward", Values.ANY, "B R Wh N"), read("gradBackward", Values.ANY, "B R Wh N"),
      grad("gradLink", "B Wh N N"), grad("gradPrevReadWeights", "B R N")),
  /** {@link DncKernels#linkUpdateAndWeightingsBackward}. */
  LINK_UPDATE_AND_WEIGHTINGS_BACKWARD("linkUpdateAndWeightingsBackward", Family.TEMPORAL_LINKAGE,
      Tolerance.GRADIENT, "B=prevLink.0 Wh=prevLink.1 N=prevLink.2 R=prevReadWeights.1", "",
      s -> 2.0 * s.b() * s.wh() * s.n() * s.n() * (6 + 4 * s.r()),
      read("prevLink", Values.LINK, "B Wh N N"), read("prevPrecedence", Values.WEIGHTING, "B Wh N"),
      read("writeWeights", Values.WEIGHTING, "B Wh N"), read("prevReadWeights", Values.WEIGHTING, "B R N"),
      read("gradForward", Values.ANY, "B R Wh N"), read("gradBackward", Values.ANY, "B R Wh N"),
      grad("gradLink", "B Wh N N"), grad("gradPrevPrecedence", "B Wh N"), grad("gradWriteWeights", "B Wh N"),
      grad("gradPrevReadWeights", "B R N")),
  /** {@link DncKernels#readModeMixBackward}. */
  READ_MODE_MIX_BACKWARD("readModeMixBackward", Family.READ_MODES, Tolerance.GRADIENT,
      "B=backward.0 R=backward.1 Wh=backward.2 N=backward.3", "",
      s -> 4.0 * s.b() * s.r() * s.n() * (2 * s.wh() + 1),
      read("modes", Values.DISTRIBUTION, "B R M"), read("backward", Values.WEIGHTING, "B R Wh N"),
      read("content", Values.WEIGHTING, "B R N"), read("forward", Values.WEIGHTING, "B R Wh N"),
      read("gradOut", Values.ANY, "B R N"), grad("gradModes", "B R M"), grad("gradBackward", "B R Wh N"),
      grad("gradContent", "B R N"), grad("gradForward", "B R Wh N")),
  /** {@link DncKernels#ntmInterpolateBackward}. */
  NTM_INTERPOLATE_BACKWARD("ntmInterpolateBackward", Family.NTM_ADDRESSING, Tolerance.GRADIENT,
      "B=content.0 H=content.1 N=content.2", "",
      s -> 6.0 * s.b() * s.h() * s.n(),
      read("content", Values.WEIGHTING, "B H N"), read("previous", Values.WEIGHTING, "B H N"),
      read("gate", Values.GATE, "B H"), read("gradOut", Values.ANY, "B H N"), grad("gradContent", "B H N"),
      grad("gradPrevious", "B H N"), grad("gradGate", "B H")),
  /** {@link DncKernels#ntmShiftBackward}. */
  NTM_SHIFT_BACKWARD("ntmShiftBackward", Family.NTM_ADDRESSING, Tolerance.GRADIENT,
      "B=weights.0 H=weights.1 N=weights.2 K=shift.2", "",
      s -> 4.0 * s.b() * s.h() * s.n() * s.k(),
      read("weights", Values.WEIGHTING, "B H N"), read("shift", Values.DISTRIBUTION, "B H K"),
      read("gradOut", Values.ANY, "B H N"), grad("gradWeights", "B H N"), grad("gradShift", "B H K")),
  /** {@link DncKernels#ntmSharpenBackward}. */
  NTM_SHARPEN_BACKWARD("ntmSharpenBackward", Family.NTM_ADDRESSING, Tolerance.GRADIENT,
      "B=weights.0 H=weights.1 N=weights.2", "",
      s -> 12.0 * s.b() * s.h() * s.n(),
      read("weights", Values.WEIGHTING, "B H N"), read("gamma", Values.SHARPENING, "B H"),
      read("gradOut", Values.ANY, "B H N"), grad("gradWeights", "B H N"), grad("gradGamma", "B H")),
  /** {@link DncKernels#interfaceSplitBackward}. */
  INTERFACE_SPLIT_BACKWARD("interfaceSplitBackward", Family.INTERFACE, Tolerance.GRADIENT,
      "B=raw.0 R=gradOut.readKeys.1 W=gradOut.readKeys.2", "",
      s -> 6.0 * s.b() * interfaceSize(s.w(), s.r()),
      read("raw", Values.ANY, "B IF"), read("gradOut.readKeys", Values.ANY, "B R W"),
      read("gradOut.readStrengths", Values.ANY, "B R"), read("gradOut.writeKeys", Values.ANY, "B 1 W"),
      read("gradOut.writeStrengths", Values.ANY, "B 1"), read("gradOut.eraseVectors", Values.ANY, "B 1 W"),
      read("gradOut.writeVectors", Values.ANY, "B 1 W"), read("gradOut.freeGates", Values.ANY, "B R"),
      read("gradOut.allocationGates", Values.ANY, "B 1"), read("gradOut.writeGates", Values.ANY, "B 1"),
      read("gradOut.readModes", Values.ANY, "B R 3"), grad("gradRaw", "B IF")),
  /** {@link DncKernels#memoryStepBackward}. */
  MEMORY_STEP_BACKWARD("memoryStepBackward", Family.MEMORY_STEP, Tolerance.GRADIENT,
      "B=prev.memory.0 N=prev.memory.1 W=prev.memory.2 Wh=prev.link.1 R=prev.readWeights.1", "",
      KernelSpec::stepBackwardFlops,
      read("prev.memory", Values.ANY, "B N W"), read("prev.usage", Values.USAGE, "B N"),
      read("prev.link", Values.LINK, "B Wh N N"), read("prev.precedence", Values.WEIGHTING, "B Wh N"),
      read("prev.readWeights", Values.WEIGHTING, "B R N"), read("prev.writeWeights", Values.WEIGHTING, "B Wh N"),
      read("in.readKeys", Values.ANY, "B R W"), read("in.readStrengths", Values.STRENGTH, "B R"),
      read("in.writeKeys", Values.ANY, "B Wh W"), read("in.writeStrengths", Values.STRENGTH, "B Wh"),
      read("in.eraseVectors", Values.GATE, "B Wh W"), read("in.writeVectors", Values.ANY, "B Wh W"),
      read("in.freeGates", Values.GATE, "B R"), read("in.allocationGates", Values.GATE, "B Wh"),
      read("in.writeGates", Values.GATE, "B Wh"), read("in.readModes", Values.DISTRIBUTION, "B R M"),
      read("next.memory", Values.ANY, "B N W"), read("next.usage", Values.USAGE, "B N"),
      read("next.link", Values.LINK, "B Wh N N"), read("next.precedence", Values.WEIGHTING, "B Wh N"),
      read("next.readWeights", Values.WEIGHTING, "B R N"), read("next.writeWeights", Values.WEIGHTING, "B Wh N"),
      grad("grad.memory", "B N W"), grad("grad.usage", "B N"), grad("grad.link", "B Wh N N"),
      grad("grad.precedence", "B Wh N"), grad("grad.readWeights", "B R N"), grad("grad.writeWeights", "B Wh N"),
      read("gradReadVectors", Values.ANY, "B R W"),
      grad("gradIn.readKeys", "B R W"), grad("gradIn.readStrengths", "B R"), grad("gradIn.writeKeys", "B Wh W"),
      grad("gradIn.writeStrengths", "B Wh"), grad("gradIn.eraseVectors", "B Wh W"),
      grad("gradIn.writeVectors", "B Wh W"), grad("gradIn.freeGates", "B R"),
      grad("gradIn.allocationGates", "B Wh"), grad("gradIn.writeGates", "B Wh"), grad("gradIn.readModes", "B R M"));

  /** The kernel families: one math class per family per backend ({@link KernelMath}). */
  public enum Family {
    /** cosine similarity and softmax: {@link KernelMath.ContentAddressing} */
    CONTENT_ADDRESSING,
    /** erase/add: {@link KernelMath.MemoryWrite} */
    MEMORY_WRITE,
    /** the read vectors: {@link KernelMath.MemoryRead} */
    MEMORY_READ,
    /** the usage update: {@link KernelMath.Usage} */
    USAGE,
    /** the sorted allocation: {@link KernelMath.Allocation} */
    ALLOCATION,
    /** the write weighting: {@link KernelMath.WriteWeighting} */
    WRITE_WEIGHTING,
    /** precedence, link update and forward/backward weightings: {@link KernelMath.TemporalLinkage} */
    TEMPORAL_LINKAGE,
    /** the read-mode mix: {@link KernelMath.ReadModes} */
    READ_MODES,
    /** NTM interpolation, shift and sharpening: {@link KernelMath.NtmAddressing} */
    NTM_ADDRESSING,
    /** the interface-vector split: {@link KernelMath.InterfaceSplit} */
    INTERFACE,
    /** the whole memory step, composed of the other families in {@link DncKernels} */
    MEMORY_STEP
  }

  /** How an argument is used. */
  public enum Role {
    /** only read */
    READ,
    /** only written (its contents on entry are ignored) */
    WRITE,
    /** read and written in place */
    UPDATE;

    /**
     * Whether the kernel writes an argument of this role.
     *
     * @return true for {@link #WRITE} and {@link #UPDATE}
     */
    public boolean written() {
      return this != READ;
    }
  }

  /** The values a caller passes in an argument (what the tests and benchmarks generate). */
  public enum Values {
    /** any finite reals */
    ANY,
    /** a key strength β ≥ 1 (oneplus) */
    STRENGTH,
    /** a gate or erase value in [0, 1] */
    GATE,
    /** usage in [0, 1] */
    USAGE,
    /** rows of non-negative weights with sum at most 1 */
    WEIGHTING,
    /** rows of non-negative weights with sum 1 (read modes, shift distributions) */
    DISTRIBUTION,
    /** a link matrix reached from zero by link updates: entries in [0, 1], zero diagonal, rows summing to at most 1 */
    LINK,
    /** a sharpening exponent γ ≥ 1 */
    SHARPENING,
    /** an output: contents ignored */
    OUTPUT
  }

  /**
   * The tolerance class of a backend's result against the scalar reference (the bounds themselves are in
   * {@code docs/precision.md} and the testing module's {@code Tolerances}).
   */
  public enum Tolerance {
    /** a few float roundings per element: element-wise arithmetic */
    ELEMENTWISE,
    /** float sums of products: a bound proportional to the sum of the absolute terms */
    DOT_PRODUCT,
    /** exponentials normalised over a row: the dot-product error amplified by the strength or exponent */
    SOFTMAX,
    /** a product in sorted order: bounded per element, and orders of slots tied to float resolution may differ */
    SORTED_PRODUCT,
    /** a composition of kernels: the bounds of its parts, propagated */
    COMPOSITE,
    /** a backward: sums of products of the output gradient with the forward's values, bounded by their absolute sum */
    GRADIENT
  }

  /**
   * One tensor argument.
   *
   * @param name   the facade parameter's name ({@code out.readKeys} for a record's component)
   * @param role   how the kernel uses it
   * @param values what a caller passes in it
   * @param dims   its symbolic shape, one symbol or literal per axis
   */
  public record Arg(String name, Role role, Values values, String... dims) {
    /**
     * The number of axes.
     *
     * @return {@code dims.length}
     */
    public int rank() {
      return dims.length;
    }
  }

  /**
   * The sizes a kernel's symbols take.
   *
   * @param b  B, batch
   * @param n  N, slots
   * @param w  W, word size
   * @param r  R, read heads
   * @param wh Wh, write heads
   * @param h  H, heads of a content or NTM call
   * @param k  K, the shift width 2k+1
   */
  public record Sizes(int b, int n, int w, int r, int wh, int h, int k) {
    /**
     * The sizes of a standalone call at {@code shape}: content addressing and the NTM kernels with H = R heads,
     * the NTM shift with 3 offsets (k = 1).
     *
     * @param shape the memory's sizes
     * @return B, N, W, R, Wh of {@code shape}, H = R and K = {@link #STANDALONE_SHIFT_WIDTH}
     */
    public static Sizes standalone(MemoryShape shape) {
      return new Sizes(shape.batch(), shape.slots(), shape.wordSize(), shape.readHeads(), shape.writeHeads(),
          shape.readHeads(), STANDALONE_SHIFT_WIDTH);
    }

    /**
     * The value of one shape symbol or literal.
     *
     * @param symbol {@code B}, {@code N}, {@code W}, {@code R}, {@code Wh}, {@code H}, {@code K}, {@code M},
     *     {@code IF} or an integer literal
     * @return its size
     * @throws NumberFormatException if {@code symbol} is neither a symbol nor an integer
     */
    public int of(String symbol) {
      return switch (symbol) {
        case "B" -> b;
        case "N" -> n;
        case "W" -> w;
        case "R" -> r;
        case "Wh" -> wh;
        case "H" -> h;
        case "K" -> k;
        case "M" -> 2 * wh + 1;
        case "IF" -> interfaceSize(w, r);
        default -> Integer.parseInt(symbol);
      };
    }

    /**
     * The memory shape these sizes describe.
     *
     * @return B, N, W, R, Wh as a {@link MemoryShape}
     */
    public MemoryShape memoryShape() {
      return new MemoryShape(b, n, w, r, wh);
    }
  }

  /** Shift width of the standalone NTM shift (2k + 1 with k = 1). */
  public static final int STANDALONE_SHIFT_WIDTH = 3;

  // symbol codes of the compiled shapes: literals are >= 0
  private static final class Symbols {
    static final List<String> ALL = List.of("B", "N", "W", "R", "Wh", "H", "K", "M", "IF");
  }

  private static final int SYM_N = 1, SYM_W = 2, SYM_R = 3, SYM_WH = 4, SYM_K = 6, SYM_M = 7, SYM_IF = 8;
  private static final int FREE_SYMBOLS = 7;

  private final String method;
  private final Family family;
  private final Tolerance tolerance;
  private final List<Arg> args;
  private final ToDoubleFunction<Sizes> operations;
  private final List<String[]> definers;
  private final List<String[]> sameOrDistinct;
  private final List<String[]> distinct;
  // compiled for the allocation-free check: names, ranks, dims as symbol codes, definers and alias pairs by index
  private final String[] names;
  private final int[][] dimCodes;
  private final int[] defArg = new int[FREE_SYMBOLS];
  private final int[] defAxis = new int[FREE_SYMBOLS];
  private final int[] rankChecked;
  private final int[][] sameOrDistinctIdx;
  private final int[][] distinctIdx;

  KernelSpec(String method, Family family, Tolerance tolerance, String definers, String sameOrDistinct,
      ToDoubleFunction<Sizes> operations, Arg... args) {
    this.method = method;
    this.family = family;
    this.tolerance = tolerance;
    this.args = List.of(args);
    this.operations = operations;
    this.names = new String[args.length];
    this.dimCodes = new int[args.length][];
    for (int i = 0; i < args.length; i++) {
      names[i] = args[i].name();
      dimCodes[i] = new int[args[i].rank()];
      for (int j = 0; j < args[i].rank(); j++) {
        String d = args[i].dims()[j];
        int sym = Symbols.ALL.indexOf(d);
        dimCodes[i][j] = sym >= 0 ? -1 - sym : Integer.parseInt(d);
      }
    }
    Arrays.fill(defArg, -1);
    List<String[]> defs = new ArrayList<>();
    List<Integer> ranked = new ArrayList<>();
    for (String def : definers.split(" ")) {
      String sym = def.substring(0, def.indexOf('='));
      String source = def.substring(def.indexOf('=') + 1);
      String argName = source.substring(0, source.lastIndexOf('.'));
      int axis = Integer.parseInt(source.substring(source.lastIndexOf('.') + 1));
      int s = Symbols.ALL.indexOf(sym);
      defArg[s] = indexOf(argName);
      defAxis[s] = axis;
      defs.add(new String[] {sym, argName, Integer.toString(axis)});
      if (!ranked.contains(defArg[s])) {
        ranked.add(defArg[s]);
      }
    }
    this.definers = Collections.unmodifiableList(defs);
    this.rankChecked = ranked.stream().mapToInt(Integer::intValue).toArray();
    List<String[]> same = new ArrayList<>();
    if (!sameOrDistinct.isEmpty()) {
      for (String pair : sameOrDistinct.split(" ")) {
        same.add(pair.split("="));
      }
    }
    this.sameOrDistinct = Collections.unmodifiableList(same);
    List<String[]> dist = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      for (int j = i + 1; j < args.length; j++) {
        String a = names[i], c = names[j];
        boolean wa = args[i].role().written(), wc = args[j].role().written();
        if ((wa || wc) && !isSameOrDistinct(a, c)) {
          dist.add(wa ? new String[] {a, c} : new String[] {c, a});
        }
      }
    }
    this.distinct = Collections.unmodifiableList(dist);
    this.sameOrDistinctIdx = indices(same);
    this.distinctIdx = indices(dist);
  }

  private int[][] indices(List<String[]> pairs) {
    int[][] out = new int[pairs.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = new int[] {indexOf(pairs.get(i)[0]), indexOf(pairs.get(i)[1])};
    }
    return out;
  }

  private boolean isSameOrDistinct(String a, String b) {
    for (String[] p : sameOrDistinct()) {
      if ((p[0].equals(a) && p[1].equals(b)) || (p[0].equals(b) && p[1].equals(a))) {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------------------------------------------------
  // the description

  /**
   * The facade method's name.
   *
   * @return e.g. {@code ntmSharpen}
   */
  public String method() {
    return method;
  }

  /**
   * The family whose math class computes this kernel.
   *
   * @return the family
   */
  public Family family() {
    return family;
  }

  /**
   * How close a backend's result must be to the scalar reference.
   *
   * @return the tolerance class
   */
  public Tolerance tolerance() {
    return tolerance;
  }

  /**
   * The tensor arguments in the order the facade checks them.
   *
   * @return an unmodifiable list
   */
  public List<Arg> args() {
    return args;
  }

  /**
   * Whether the kernel takes records ({@link #INTERFACE_SPLIT}, {@link #MEMORY_STEP} and their backwards) rather
   * than tensors.
   *
   * @return true for the interface split, the memory step and their backwards
   */
  public boolean takesRecords() {
    return family == Family.INTERFACE || family == Family.MEMORY_STEP;
  }

  /**
   * Whether this is the backward (vector-Jacobian product) of another kernel, {@link #forward()}.
   *
   * @return true for the {@code *Backward} kernels
   */
  public boolean isBackward() {
    // the backwards are declared after every forward (a name test would take forwardBackward for one)
    return ordinal() > MEMORY_STEP.ordinal();
  }

  /**
   * The forward kernel of a backward ({@code contentWeightsBackward} → {@code contentWeights}).
   *
   * @return the forward of a backward; this kernel otherwise
   */
  public KernelSpec forward() {
    return isBackward() ? byMethod(method.substring(0, method.length() - "Backward".length())) : this;
  }

  /**
   * The backward of a forward kernel.
   *
   * @return its backward, or null for a backward
   */
  public KernelSpec backward() {
    if (isBackward()) {
      return null;
    }
    return byMethod(method + "Backward");
  }

  /**
   * Whether the kernel holds an N×N link matrix per batch entry and write head.
   *
   * @return true if an argument's values are {@link Values#LINK}
   */
  public boolean touchesLink() {
    for (Arg a : args) {
      if (a.values() == Values.LINK) {
        return true;
      }
    }
    return false;
  }

  /**
   * Index of the argument {@code name}.
   *
   * @param name an argument's name, as in {@link Arg#name()}
   * @return its position in {@link #args()}
   * @throws IllegalArgumentException if the kernel has no such argument
   */
  public int indexOf(String name) {
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException(method + " has no argument " + name);
  }

  /**
   * Where each free symbol's size is read, in the order the facade reads them.
   *
   * @return {symbol, argument, axis} triples
   */
  public List<String[]> definers() {
    return definers;
  }

  /**
   * Pairs (output, input) that may be the same tensor but must not partly overlap.
   *
   * @return {output, input} pairs, maybe none
   */
  public List<String[]> sameOrDistinct() {
    return sameOrDistinct;
  }

  /**
   * Every pair (written, other) that must not share storage, derived from the roles.
   *
   * @return {written, other} pairs
   */
  public List<String[]> distinct() {
    return distinct;
  }

  /**
   * Pairs of arguments that are both only read: they may share storage in any way.
   *
   * @return a new list of {name, name} pairs
   */
  public List<String[]> readOnlyPairs() {
    List<String[]> out = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      for (int j = i + 1; j < args.size(); j++) {
        if (!args.get(i).role().written() && !args.get(j).role().written()) {
          out.add(new String[] {names[i], names[j]});
        }
      }
    }
    return out;
  }

  /**
   * The shape of every argument at {@code s}.
   *
   * @param s the symbols' sizes
   * @return one shape per argument, in {@link #args()} order
   */
  public int[][] shapes(Sizes s) {
    int[][] out = new int[args.size()][];
    for (int i = 0; i < out.length; i++) {
      String[] dims = args.get(i).dims();
      out[i] = new int[dims.length];
      for (int j = 0; j < dims.length; j++) {
        out[i][j] = s.of(dims[j]);
      }
    }
    return out;
  }

  /**
   * Bytes of compulsory traffic per call: each argument read once, written once, or read and written when
   * updated in place (float32: 4 bytes an element). The memory step and its backward move the sum of their
   * kernels'.
   *
   * @param s the symbols' sizes
   * @return bytes read plus bytes written
   */
  public long bytesMoved(Sizes s) {
    if (family == Family.MEMORY_STEP) {
      Sizes writeContent = new Sizes(s.b(), s.n(), s.w(), s.r(), s.wh(), s.wh(), s.k());
      Sizes readContent = new Sizes(s.b(), s.n(), s.w(), s.r(), s.wh(), s.r(), s.k());
      KernelSpec content = this == MEMORY_STEP ? CONTENT_WEIGHTS : CONTENT_WEIGHTS_BACKWARD;
      long moved = content.bytesMoved(writeContent) + content.bytesMoved(readContent);
      for (KernelSpec k : this == MEMORY_STEP ? STEP_KERNELS : STEP_BACKWARD_KERNELS) {
        moved += k.bytesMoved(s);
      }
      return moved;
    }
    long moved = 0;
    int[][] shapes = shapes(s);
    for (int i = 0; i < shapes.length; i++) {
      moved += (args.get(i).role() == Role.UPDATE ? 2L : 1L) * elements(shapes[i]) * Float.BYTES;
    }
    return moved;
  }

  /**
   * Bytes of the distinct tensors a call touches (its working set); the step's includes its workspace.
   *
   * @param s the symbols' sizes
   * @return the working set in bytes
   */
  public long footprintBytes(Sizes s) {
    long floats = 0;
    for (int[] shape : shapes(s)) {
      floats += elements(shape);
    }
    long workspace = 2L * s.b() * s.wh() * s.n() + (long) s.b() * s.r() * s.n() + 2L * s.b() * s.r() * s.wh() * s.n();
    if (this == MEMORY_STEP) {
      floats += workspace;
    } else if (this == MEMORY_STEP_BACKWARD) {
      floats += 2 * workspace; // the saved workspace and the gradient scratch
    }
    return floats * Float.BYTES;
  }

  /**
   * Arithmetic operations per call (a fused multiply-add counts two; exp, log and pow one each).
   *
   * @param s the symbols' sizes
   * @return the operation count of one call
   */
  public double operations(Sizes s) {
    return operations.applyAsDouble(s);
  }

  /**
   * The call of this kernel on {@code t} (one tensor per {@linkplain #args() argument}, in order) and, for the
   * memory step, {@code workspace}; records are built once here, so running the call allocates nothing. For
   * generic callers: tests that go through every kernel, benchmarks.
   *
   * @param k         the backend that runs the call
   * @param t         the arguments, one tensor per {@link #args()} entry (the array is copied)
   * @param workspace the step's workspace for {@link #MEMORY_STEP}, the saved one for
   *     {@link #MEMORY_STEP_BACKWARD}; ignored by the other kernels
   * @return the call; each {@code run()} is one facade call
   * @throws IllegalArgumentException if {@code k} or {@code t} is null or {@code t} has the wrong length
   */
  public Runnable bind(DncKernels k, Tensor[] t, Workspace workspace) {
    Checks.notNull("kernels", k);
    Checks.notNull("tensors", t);
    if (t.length != args.size()) {
      throw new IllegalArgumentException(
          "tensors: " + method + " takes " + args.size() + " tensors but got " + t.length);
    }
    Tensor[] a = t.clone();
    return switch (this) {
      case CONTENT_WEIGHTS -> () -> k.contentWeights(a[0], a[1], a[2], a[3]);
      case ERASE_AND_ADD -> () -> k.eraseAndAdd(a[0], a[1], a[2], a[3]);
      case READ -> () -> k.read(a[0], a[1], a[2]);
      case USAGE -> () -> k.usage(a[0], a[1], a[2], a[3], a[4]);
      case ALLOCATION -> () -> k.allocation(a[0], a[1], a[2], a[3]);
      case WRITE_WEIGHTS -> () -> k.writeWeights(a[0], a[1], a[2], a[3], a[4]);
      case PRECEDENCE -> () -> k.precedence(a[0], a[1]);
      case LINK_UPDATE -> () -> k.linkUpdate(a[0], a[1], a[2]);
      case FORWARD_BACKWARD -> () -> k.forwardBackward(a[0], a[1], a[2], a[3]);
      case LINK_UPDATE_AND_WEIGHTINGS -> () -> k.linkUpdateAndWeightings(a[0], a[1], a[2], a[3], a[4], a[5]);
      case READ_MODE_MIX -> () -> k.readModeMix(a[0], a[1], a[2], a[3], a[4]);
      case NTM_INTERPOLATE -> () -> k.ntmInterpolate(a[0], a[1], a[2], a[3]);
      case NTM_SHIFT -> () -> k.ntmShift(a[0], a[1], a[2]);
      case NTM_SHARPEN -> () -> k.ntmSharpen(a[0], a[1], a[2]);
      case INTERFACE_SPLIT -> {
        InterfaceValues out = interfaceValues(a, 1);
        yield () -> k.interfaceSplit(a[0], out);
      }
      case MEMORY_STEP -> {
        MemoryState state = new MemoryState(a[0], a[1], a[2], a[3], a[4], a[5]);
        InterfaceValues in = interfaceValues(a, 6);
        yield () -> k.memoryStep(state, in, a[16], workspace);
      }
      case CONTENT_WEIGHTS_BACKWARD -> () -> k.contentWeightsBackward(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
      case ERASE_AND_ADD_BACKWARD -> () -> k.eraseAndAddBackward(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
      case READ_BACKWARD -> () -> k.readBackward(a[0], a[1], a[2], a[3], a[4]);
      case USAGE_BACKWARD -> () -> k.usageBackward(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]);
      case ALLOCATION_BACKWARD -> () -> k.allocationBackward(a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
      case WRITE_WEIGHTS_BACKWARD -> () -> k.writeWeightsBackward(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7],
          a[8]);
      case PRECEDENCE_BACKWARD -> () -> k.precedenceBackward(a[0], a[1], a[2], a[3]);
      case LINK_UPDATE_BACKWARD -> () -> k.linkUpdateBackward(a[0], a[1], a[2], a[3], a[4], a[5]);
      case FORWARD_BACKWARD_BACKWARD -> () -> k.forwardBackwardBackward(a[0], a[1], a[2], a[3], a[4], a[5]);
      case LINK_UPDATE_AND_WEIGHTINGS_BACKWARD -> () -> k.linkUpdateAndWeightingsBackward(a[0], a[1], a[2], a[3],
          a[4], a[5], a[6], a[7], a[8], a[9]);
      case READ_MODE_MIX_BACKWARD -> () -> k.readModeMixBackward(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7],
          a[8]);
      case NTM_INTERPOLATE_BACKWARD -> () -> k.ntmInterpolateBackward(a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
      case NTM_SHIFT_BACKWARD -> () -> k.ntmShiftBackward(a[0], a[1], a[2], a[3], a[4]);
      case NTM_SHARPEN_BACKWARD -> () -> k.ntmSharpenBackward(a[0], a[1], a[2], a[3], a[4]);
      case INTERFACE_SPLIT_BACKWARD -> {
        InterfaceValues gradOut = interfaceValues(a, 1);
        yield () -> k.interfaceSplitBackward(a[0], gradOut, a[11]);
      }
      case MEMORY_STEP_BACKWARD -> {
        // workspace: the forward's saved intermediates of this step; the gradient scratch is made here, once
        MemoryState prev = new MemoryState(a[0], a[1], a[2], a[3], a[4], a[5]);
        InterfaceValues in = interfaceValues(a, 6);
        MemoryState next = new MemoryState(a[16], a[17], a[18], a[19], a[20], a[21]);
        MemoryState grad = new MemoryState(a[22], a[23], a[24], a[25], a[26], a[27]);
        InterfaceValues gradIn = interfaceValues(a, 29);
        BackwardWorkspace scratch = k.newBackwardWorkspace(workspace.shape());
        yield () -> k.memoryStepBackward(prev, in, next, workspace, grad, a[28], gradIn, scratch);
      }
    };
  }

  private static InterfaceValues interfaceValues(Tensor[] t, int from) {
    return new InterfaceValues(t[from], t[from + 1], t[from + 2], t[from + 3], t[from + 4], t[from + 5],
        t[from + 6], t[from + 7], t[from + 8], t[from + 9]);
  }

  /**
   * The kernel with facade method {@code name}.
   *
   * @param name a facade method's name, e.g. {@code ntmSharpen}
   * @return its description
   * @throws IllegalArgumentException if no kernel has that name
   */
  public static KernelSpec byMethod(String name) {
    for (KernelSpec k : values()) {
      if (k.method.equals(name)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown kernel: " + name);
  }

  // the step's kernels but the two content calls, for its traffic model
  private static final KernelSpec[] STEP_KERNELS = {
    USAGE, ALLOCATION, WRITE_WEIGHTS, ERASE_AND_ADD, LINK_UPDATE_AND_WEIGHTINGS, PRECEDENCE, READ_MODE_MIX, READ
  };

  // the step backward's kernels but the two content calls
  private static final KernelSpec[] STEP_BACKWARD_KERNELS = {
    USAGE_BACKWARD, ALLOCATION_BACKWARD, WRITE_WEIGHTS_BACKWARD, ERASE_AND_ADD_BACKWARD,
    LINK_UPDATE_AND_WEIGHTINGS_BACKWARD, PRECEDENCE_BACKWARD, READ_MODE_MIX_BACKWARD, READ_BACKWARD
  };

  private static double stepBackwardFlops(Sizes s) {
    double f = CONTENT_WEIGHTS_BACKWARD.operations(new Sizes(s.b(), s.n(), s.w(), s.r(), s.wh(), s.wh(), s.k()))
        + CONTENT_WEIGHTS_BACKWARD.operations(new Sizes(s.b(), s.n(), s.w(), s.r(), s.wh(), s.r(), s.k()));
    for (KernelSpec k : STEP_BACKWARD_KERNELS) {
      f += k.operations(s);
    }
    return f;
  }

  private static double stepFlops(Sizes s) {
    double f = CONTENT_WEIGHTS.operations(new Sizes(s.b(), s.n(), s.w(), s.r(), s.wh(), s.wh(), s.k()))
        + CONTENT_WEIGHTS.operations(new Sizes(s.b(), s.n(), s.w(), s.r(), s.wh(), s.r(), s.k()));
    for (KernelSpec k : STEP_KERNELS) {
      f += k.operations(s);
    }
    return f;
  }

  static int interfaceSize(int w, int r) {
    return w * r + 3 * w + 5 * r + 3;
  }

  private static int log2(int n) {
    return 32 - Integer.numberOfLeadingZeros(n);
  }

  private static long elements(int[] shape) {
    long e = 1;
    for (int d : shape) {
      e *= d;
    }
    return e;
  }

  private static Arg read(String name, Values values, String dims) {
    return new Arg(name, Role.READ, values, dims.split(" "));
  }

  private static Arg update(String name, Values values, String dims) {
    return new Arg(name, Role.UPDATE, values, dims.split(" "));
  }

  // a gradient of an input: accumulated into (or carried through in place), so read and written
  private static Arg grad(String name, String dims) {
    return new Arg(name, Role.UPDATE, Values.ANY, dims.split(" "));
  }

  private static Arg write(String name, String dims) {
    return new Arg(name, Role.WRITE, Values.OUTPUT, dims.split(" "));
  }

  // ---------------------------------------------------------------------------------------------------------
  // the facade's check: allocation-free on the passing path. The arguments go into a per-thread array (records
  // kernels put their components there in args() order), which is cleared afterwards so it holds no tensors.

  private static final ThreadLocal<Tensor[]> ARGS = ThreadLocal.withInitial(() -> new Tensor[64]);

  void check(DncKernels k, Tensor t0, Tensor t1) {
    Tensor[] a = ARGS.get();
    a[0] = t0;
    a[1] = t1;
    check(k, a, 2);
  }

  void check(DncKernels k, Tensor t0, Tensor t1, Tensor t2) {
    Tensor[] a = ARGS.get();
    a[0] = t0;
    a[1] = t1;
    a[2] = t2;
    check(k, a, 3);
  }

  void check(DncKernels k, Tensor t0, Tensor t1, Tensor t2, Tensor t3) {
    Tensor[] a = ARGS.get();
    a[0] = t0;
    a[1] = t1;
    a[2] = t2;
    a[3] = t3;
    check(k, a, 4);
  }

  void check(DncKernels k, Tensor t0, Tensor t1, Tensor t2, Tensor t3, Tensor t4) {
    Tensor[] a = ARGS.get();
    a[0] = t0;
    a[1] = t1;
    a[2] = t2;
    a[3] = t3;
    a[4] = t4;
    check(k, a, 5);
  }

  void check(DncKernels k, Tensor t0, Tensor t1, Tensor t2, Tensor t3, Tensor t4, Tensor t5) {
    Tensor[] a = ARGS.get();
    a[0] = t0;
    a[1] = t1;
    a[2] = t2;
    a[3] = t3;
    a[4] = t4;
    a[5] = t5;
    check(k, a, 6);
  }

  void check(DncKernels k, Tensor t0, Tensor t1, Tensor t2, Tensor t3, Tensor t4, Tensor t5, Tensor t6) {
    Tensor[] a = ARGS.get();
    a[0] = t0;
    a[1] = t1;
    a[2] = t2;
    a[3] = t3;
    a[4] = t4;
    a[5] = t5;
    a[6] = t6;
    check(k, a, 7);
  }

  void check(DncKernels k, Tensor t0, Tensor t1, Tensor t2, Tensor t3, Tensor t4, Tensor t5, Tensor t6, Tensor t7) {
    Tensor[] a = ARGS.get();
    a[0] = t0;
    a[1] = t1;
    a[2] = t2;
    a[3] = t3;
    a[4] = t4;
    a[5] = t5;
    a[6] = t6;
    a[7] = t7;
    check(k, a, 8);
  }

  void check(DncKernels k, Tensor t0, Tensor t1, Tensor t2, Tensor t3, Tensor t4, Tensor t5, Tensor t6, Tensor t7,
      Tensor t8) {
    Tensor[] a = ARGS.get();
    a[0] = t0;
    a[1] = t1;
    a[2] = t2;
    a[3] = t3;
    a[4] = t4;
    a[5] = t5;
    a[6] = t6;
    a[7] = t7;
    a[8] = t8;
    check(k, a, 9);
  }

  void check(DncKernels k, Tensor t0, Tensor t1, Tensor t2, Tensor t3, Tensor t4, Tensor t5, Tensor t6, Tensor t7,
      Tensor t8, Tensor t9) {
    Tensor[] a = ARGS.get();
    a[0] = t0;
    a[1] = t1;
    a[2] = t2;
    a[3] = t3;
    a[4] = t4;
    a[5] = t5;
    a[6] = t6;
    a[7] = t7;
    a[8] = t8;
    a[9] = t9;
    check(k, a, 10);
  }

  /** {@link #INTERFACE_SPLIT}: {@code raw}, then the components of {@code out} (not null). */
  void check(DncKernels k, Tensor raw, InterfaceValues out) {
    Tensor[] a = ARGS.get();
    a[0] = raw;
    put(a, 1, out);
    check(k, a, 11);
  }

  /** {@link #INTERFACE_SPLIT_BACKWARD}: {@code raw}, the components of {@code gradOut}, then {@code gradRaw}. */
  void check(DncKernels k, Tensor raw, InterfaceValues gradOut, Tensor gradRaw) {
    Tensor[] a = ARGS.get();
    a[0] = raw;
    put(a, 1, gradOut);
    a[11] = gradRaw;
    check(k, a, 12);
  }

  /** {@link #MEMORY_STEP}: the components of {@code state} and {@code in} (not null), then {@code readVectors}. */
  void check(DncKernels k, MemoryState state, InterfaceValues in, Tensor readVectors) {
    Tensor[] a = ARGS.get();
    put(a, 0, state);
    put(a, 6, in);
    a[16] = readVectors;
    check(k, a, 17);
  }

  /** {@link #MEMORY_STEP_BACKWARD}: the records' components and {@code gradReadVectors}, in {@link #args()} order. */
  void check(DncKernels k, MemoryState prev, InterfaceValues in, MemoryState next, MemoryState grad,
      Tensor gradReadVectors, InterfaceValues gradIn) {
    Tensor[] a = ARGS.get();
    put(a, 0, prev);
    put(a, 6, in);
    put(a, 16, next);
    put(a, 22, grad);
    a[28] = gradReadVectors;
    put(a, 29, gradIn);
    check(k, a, 39);
  }

  private static void put(Tensor[] a, int from, InterfaceValues v) {
    for (int i = 0; i < 10; i++) {
      a[from + i] = component(v, i);
    }
  }

  private static void put(Tensor[] a, int from, MemoryState s) {
    for (int i = 0; i < 6; i++) {
      a[from + i] = component(s, i);
    }
  }

  private void check(DncKernels k, Tensor[] a, int arity) {
    try {
      if (arity != names.length) {
        throw new IllegalStateException(method + ": checked with " + arity + " tensors but takes " + names.length);
      }
      checkArgs(k, a);
    } finally {
      Arrays.fill(a, 0, arity, null);
    }
  }

  private void checkArgs(DncKernels k, Tensor[] a) {
    // the tensors the sizes are read from: not null, right rank
    for (int i : rankChecked) {
      Checks.rank(names[i], a[i], dimCodes[i].length);
    }
    if (defArg[SYM_K] >= 0) {
      int width = value(-1 - SYM_K, a), slots = value(-1 - SYM_N, a);
      if (width % 2 == 0 || width > slots) {
        int d = defArg[SYM_K];
        StringBuilder expected = new StringBuilder("[");
        for (int j = 0; j < dimCodes[d].length; j++) {
          int code = dimCodes[d][j];
          expected.append(j > 0 ? ", " : "").append(code == -1 - SYM_K ? "2k+1" : value(code, a));
        }
        throw new IllegalArgumentException(names[d] + ": expected shape " + expected + "] with 2k+1 <= " + slots
            + " but was " + Arrays.toString(a[d].shape()));
      }
    }
    for (int i = 0; i < names.length; i++) {
      Tensor t = a[i];
      Checks.notNull(names[i], t);
      int[] dims = dimCodes[i];
      boolean ok = t.rank() == dims.length;
      for (int j = 0; ok && j < dims.length; j++) {
        ok = t.dim(j) == value(dims[j], a);
      }
      if (!ok) {
        throw new IllegalArgumentException(names[i] + ": expected shape " + expectedText(i, a) + " but was "
            + Arrays.toString(t.shape()));
      }
      k.checkOwned(names[i], t);
    }
    for (int[] p : sameOrDistinctIdx) {
      Checks.sameOrDistinct(names[p[0]], a[p[0]], names[p[1]], a[p[1]]);
    }
    for (int[] p : distinctIdx) {
      Checks.distinct(names[p[0]], a[p[0]], names[p[1]], a[p[1]]);
    }
  }

  private String expectedText(int arg, Tensor[] a) {
    int[] dims = dimCodes[arg];
    int[] expected = new int[dims.length];
    for (int j = 0; j < dims.length; j++) {
      expected[j] = value(dims[j], a);
    }
    return Arrays.toString(expected);
  }

  private int value(int code, Tensor[] a) {
    if (code >= 0) {
      return code;
    }
    int sym = -1 - code;
    if (sym == SYM_M) {
      return 2 * value(-1 - SYM_WH, a) + 1;
    }
    if (sym == SYM_IF) {
      return interfaceSize(value(-1 - SYM_W, a), value(-1 - SYM_R, a));
    }
    return a[defArg[sym]].dim(defAxis[sym]);
  }

  private static Tensor component(InterfaceValues v, int i) {
    return switch (i) {
      case 0 -> v.readKeys();
      case 1 -> v.readStrengths();
      case 2 -> v.writeKeys();
      case 3 -> v.writeStrengths();
      case 4 -> v.eraseVectors();
      case 5 -> v.writeVectors();
      case 6 -> v.freeGates();
      case 7 -> v.allocationGates();
      case 8 -> v.writeGates();
      default -> v.readModes();
    };
  }

  private static Tensor component(MemoryState s, int i) {
    return switch (i) {
      case 0 -> s.memory();
      case 1 -> s.usage();
      case 2 -> s.link();
      case 3 -> s.precedence();
      case 4 -> s.readWeights();
      default -> s.writeWeights();
    };
  }
}
