package org.dnckernels.bench;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dnckernels.MemoryShape;

/**
 * Bytes moved per call of each kernel: the one model behind every GB/s figure of the report.
 *
 * <p>The model counts compulsory traffic: each tensor a kernel reads is read once, each tensor it writes is
 * written once, and a tensor updated in place is read and written (twice its size). Scratch that stays in
 * cache, recomputation and a second pass a backend may make are not counted, so GB/s is an effective
 * bandwidth: the rate at which the kernel gets through its data, comparable across backends and with the
 * triad baseline. float32 everywhere: 4 bytes an element.
 *
 * <p>Heads of the standalone benchmarks: content addressing and the NTM kernels use H = R heads (the read
 * keys), NTM shift uses 3 offsets (k = 1), Wh = 1 write head.
 */
public final class Workload {
  /** Every kernel of the contract, in the order of the report. */
  public static final List<String> KERNELS = List.of(
      "contentWeights", "eraseAndAdd", "read", "usage", "allocation", "writeWeights", "precedence", "linkUpdate",
      "forwardBackward", "linkUpdateAndWeightings", "readModeMix", "ntmInterpolate", "ntmShift", "ntmSharpen",
      "interfaceSplit", "memoryStep");

  /** Kernels also measured at {@link BenchShapes#HUGE_MEMORY}: they touch M and weightings, no link matrix. */
  public static final Set<String> MEMORY_KERNELS = Set.of("contentWeights", "eraseAndAdd", "read");

  /** Kernels that hold an N×N link matrix per batch and write head. */
  public static final Set<String> LINK_KERNELS =
      Set.of("linkUpdate", "forwardBackward", "linkUpdateAndWeightings", "memoryStep");

  /** The model of each kernel in words, for the report and the docs (the code below computes it). */
  public static final Map<String, String> FORMULAS = Map.ofEntries(
      Map.entry("contentWeights",
          "M, keys, strengths read, weights written: 4·B·N·W + 4·B·H·W + 4·B·H + 4·B·H·N (H = R)"),
      Map.entry("eraseAndAdd",
          "M read and written, weights, erase, add read: 8·B·N·W + 4·B·Wh·N + 8·B·Wh·W"),
      Map.entry("read", "M, read weights read, read vectors written: 4·B·N·W + 4·B·R·N + 4·B·R·W"),
      Map.entry("usage",
          "usage read and written, write weights, free gates, read weights read: 4·B·N·(2 + Wh + R) + 4·B·R"),
      Map.entry("allocation",
          "usage and gates read, allocation written: 4·B·N + 8·B·Wh + 4·B·Wh·N (the sort is compute-bound)"),
      Map.entry("writeWeights",
          "allocation, content, gates read, write weights written: 12·B·Wh·N + 8·B·Wh"),
      Map.entry("precedence", "p read and written, w read: 12·B·Wh·N"),
      Map.entry("linkUpdate", "L read and written, p and w read: 8·B·Wh·N² + 8·B·Wh·N"),
      Map.entry("forwardBackward",
          "L, read weights read, forward and backward written: 4·B·Wh·N² + 4·B·R·N + 8·B·R·Wh·N"),
      Map.entry("linkUpdateAndWeightings",
          "one pass over L (read and written) with p, w, read weights: 8·B·Wh·N² + 8·B·Wh·N + 4·B·R·N + 8·B·R·Wh·N"),
      Map.entry("readModeMix",
          "modes, backward, content, forward read, read weights written: 4·B·R·(2Wh + 1) + 8·B·R·Wh·N + 8·B·R·N"),
      Map.entry("ntmInterpolate", "content, previous, gate read, out written: 12·B·H·N + 4·B·H (H = R)"),
      Map.entry("ntmShift", "weights, shift read, out written: 8·B·H·N + 12·B·H (H = R, 3 offsets)"),
      Map.entry("ntmSharpen", "weights, γ read, out written: 8·B·H·N + 4·B·H (H = R)"),
      Map.entry("interfaceSplit", "raw read, every interface value written: 8·B·(W·R + 3W + 5R + 3)"),
      Map.entry("memoryStep",
          "the sum of its kernels: usage, allocation, write content (H = Wh), write weights, erase/add, fused link"
              + " + forward/backward, precedence, read content (H = R), read-mode mix, read"));

  /** Offsets of the NTM shift benchmark (2k + 1 with k = 1). */
  public static final int SHIFT_OFFSETS = 3;

  private static final long F = Float.BYTES;

  /**
   * @param footprint bytes of the distinct tensors a call touches (its working set)
   * @param moved     bytes read plus bytes written per call
   */
  public record Traffic(long footprint, long moved) {}

  private Workload() {}

  /** Bytes moved by one call of {@code kernel} at {@code s}. */
  public static Traffic of(String kernel, MemoryShape s) {
    long b = s.batch(), n = s.slots(), w = s.wordSize(), r = s.readHeads(), wh = s.writeHeads();
    long h = r;
    return switch (kernel) {
      case "contentWeights" -> content(b, n, w, h);
      case "eraseAndAdd" -> new Counter().updated(b * n * w).read(b * wh * n).read(2 * b * wh * w).traffic();
      case "read" -> read(b, n, w, r);
      case "usage" -> new Counter().updated(b * n).read(b * wh * n).read(b * r).read(b * r * n).traffic();
      case "allocation" -> new Counter().read(b * n).read(2 * b * wh).written(b * wh * n).traffic();
      case "writeWeights" -> new Counter().read(2 * b * wh * n).read(2 * b * wh).written(b * wh * n).traffic();
      case "precedence" -> new Counter().updated(b * wh * n).read(b * wh * n).traffic();
      case "linkUpdate" -> new Counter().updated(b * wh * n * n).read(2 * b * wh * n).traffic();
      case "forwardBackward" ->
          new Counter().read(b * wh * n * n).read(b * r * n).written(2 * b * r * wh * n).traffic();
      case "linkUpdateAndWeightings" -> new Counter().updated(b * wh * n * n).read(2 * b * wh * n)
          .read(b * r * n).written(2 * b * r * wh * n).traffic();
      case "readModeMix" -> new Counter().read(b * r * (2 * wh + 1)).read(2 * b * r * wh * n).read(b * r * n)
          .written(b * r * n).traffic();
      case "ntmInterpolate" -> new Counter().read(2 * b * h * n).read(b * h).written(b * h * n).traffic();
      case "ntmShift" -> new Counter().read(b * h * n).read(b * h * SHIFT_OFFSETS).written(b * h * n).traffic();
      case "ntmSharpen" -> new Counter().read(b * h * n).read(b * h).written(b * h * n).traffic();
      case "interfaceSplit" -> {
        long size = s.interfaceSize();
        yield new Counter().read(b * size).written(b * size).traffic();
      }
      case "memoryStep" -> {
        // moved: the sum of the step's kernels; footprint: each tensor once (M is touched by five of them)
        long moved = of("usage", s).moved()
            + of("allocation", s).moved()
            + content(b, n, w, wh).moved()
            + of("writeWeights", s).moved()
            + of("eraseAndAdd", s).moved()
            + of("linkUpdateAndWeightings", s).moved()
            + of("precedence", s).moved()
            + content(b, n, w, r).moved()
            + of("readModeMix", s).moved()
            + read(b, n, w, r).moved();
        long state = b * n * w + b * n + b * wh * n * n + 2 * b * wh * n + b * r * n;
        long workspace = 2 * b * wh * n + b * r * n + 2 * b * r * wh * n;
        long interfaceValues = b * r * w + b * r + 3 * b * wh * w + 3 * b * wh + b * r + b * r * s.readModes();
        yield new Traffic((state + workspace + interfaceValues + b * r * w) * F, moved);
      }
      default -> throw new IllegalArgumentException("unknown kernel: " + kernel + " (known: " + KERNELS + ")");
    };
  }

  /** Whether {@code kernel} is measured at {@code shape} (link kernels stop at {@link BenchShapes#MAX_LINK_SLOTS}). */
  public static boolean applies(String kernel, MemoryShape shape) {
    return !LINK_KERNELS.contains(kernel) || shape.slots() <= BenchShapes.MAX_LINK_SLOTS;
  }

  /** The triad baseline a[i] = b[i] + s·c[i] over arrays of {@code floatsPerArray}: 3 arrays, read 2, write 1. */
  public static Traffic triad(long floatsPerArray) {
    return new Counter().read(2 * floatsPerArray).written(floatsPerArray).traffic();
  }

  private static Traffic content(long b, long n, long w, long h) {
    return new Counter().read(b * n * w).read(b * h * w).read(b * h).written(b * h * n).traffic();
  }

  private static Traffic read(long b, long n, long w, long r) {
    return new Counter().read(b * n * w).read(b * r * n).written(b * r * w).traffic();
  }

  /** Adds up tensors by how a kernel uses them (counts in floats). */
  private static final class Counter {
    private long footprint;
    private long moved;

    Counter read(long floats) {
      footprint += floats * F;
      moved += floats * F;
      return this;
    }

    Counter written(long floats) {
      return read(floats);
    }

    Counter updated(long floats) {
      footprint += floats * F;
      moved += 2 * floats * F;
      return this;
    }

    Traffic traffic() {
      return new Traffic(footprint, moved);
    }
  }
}
