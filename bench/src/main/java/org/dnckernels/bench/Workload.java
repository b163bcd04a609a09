package org.dnckernels.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.dnckernels.KernelSpec;
import org.dnckernels.KernelSpec.Arg;
import org.dnckernels.KernelSpec.Role;
import org.dnckernels.KernelSpec.Sizes;
import org.dnckernels.MemoryShape;

/**
 * Bytes moved per call of each kernel: the one model behind every GB/s figure of the report, taken from
 * {@link KernelSpec#bytesMoved} and {@link KernelSpec#footprintBytes} at {@link Sizes#standalone}.
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
  /** Every kernel of the contract in the order of the report: each forward ({@link KernelSpec}'s order), then its backward. */
  public static final List<String> KERNELS = Arrays.stream(KernelSpec.values()).filter(k -> !k.isBackward())
      .flatMap(k -> java.util.stream.Stream.of(k.method(), k.backward().method())).toList();

  /**
   * Kernels also measured at {@link BenchShapes#HUGE_MEMORY}: those with the memory (a B×N×W argument) and no
   * link matrix (contentWeights, eraseAndAdd, read).
   */
  public static final Set<String> MEMORY_KERNELS = Arrays.stream(KernelSpec.values())
      .filter(k -> !k.touchesLink() && k.args().stream().anyMatch(a -> String.join(" ", a.dims()).equals("B N W")))
      .map(KernelSpec::method).collect(Collectors.toUnmodifiableSet());

  /** Kernels that hold an N×N link matrix per batch and write head ({@link KernelSpec#touchesLink()}). */
  public static final Set<String> LINK_KERNELS = Arrays.stream(KernelSpec.values()).filter(KernelSpec::touchesLink)
      .map(KernelSpec::method).collect(Collectors.toUnmodifiableSet());

  /** The model of each kernel in words, for the report and the docs, derived from the arguments' roles. */
  public static final Map<String, String> FORMULAS = formulas();

  /** Offsets of the NTM shift benchmark (2k + 1 with k = 1). */
  public static final int SHIFT_OFFSETS = KernelSpec.STANDALONE_SHIFT_WIDTH;

  /**
   * @param footprint bytes of the distinct tensors a call touches (its working set)
   * @param moved     bytes read plus bytes written per call
   */
  public record Traffic(long footprint, long moved) {}

  private Workload() {}

  /** Bytes moved by one call of {@code kernel} at {@code s}. */
  public static Traffic of(String kernel, MemoryShape s) {
    KernelSpec spec = spec(kernel);
    Sizes sizes = Sizes.standalone(s);
    return new Traffic(spec.footprintBytes(sizes), spec.bytesMoved(sizes));
  }

  private static KernelSpec spec(String kernel) {
    try {
      return KernelSpec.byMethod(kernel);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown kernel: " + kernel + " (known: " + KERNELS + ")");
    }
  }

  /** Whether {@code kernel} is measured at {@code shape} (link kernels stop at {@link BenchShapes#MAX_LINK_SLOTS}). */
  public static boolean applies(String kernel, MemoryShape shape) {
    return !LINK_KERNELS.contains(kernel) || shape.slots() <= BenchShapes.MAX_LINK_SLOTS;
  }

  /** The triad baseline a[i] = b[i] + s·c[i] over arrays of {@code floatsPerArray}: 3 arrays, read 2, write 1. */
  public static Traffic triad(long floatsPerArray) {
    return new Traffic(3 * floatsPerArray * Float.BYTES, 3 * floatsPerArray * Float.BYTES);
  }

  private static Map<String, String> formulas() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String k : KERNELS) {
      out.put(k, formula(KernelSpec.byMethod(k)));
    }
    return java.util.Collections.unmodifiableMap(out);
  }

  /**
   * E.g. "memory read and written, writeWeights, erase, add read: 8·B·N·W + 4·B·Wh·N + 8·B·Wh·W": the arguments
   * by role, then the sum of their sizes in bytes (an in-place argument twice). A kernel whose traffic is not its
   * arguments' (the memory step: the sum of the kernels it runs) says so.
   */
  static String formula(KernelSpec k) {
    List<String> updated = new ArrayList<>(), read = new ArrayList<>(), written = new ArrayList<>();
    Map<String, Long> terms = new LinkedHashMap<>();
    boolean heads = false, shift = false, modes = false, iface = false;
    for (Arg a : k.args()) {
      (a.role() == Role.UPDATE ? updated : a.role() == Role.READ ? read : written).add(a.name());
      long coefficient = a.role() == Role.UPDATE ? 8 : 4;
      TreeMap<String, Integer> powers = new TreeMap<>(Workload::symbolOrder);
      for (String d : a.dims()) {
        if (d.chars().allMatch(Character::isDigit)) {
          coefficient *= Integer.parseInt(d);
        } else {
          powers.merge(d, 1, Integer::sum);
          heads |= d.equals("H");
          shift |= d.equals("K");
          modes |= d.equals("M");
          iface |= d.equals("IF");
        }
      }
      String monomial = powers.entrySet().stream()
          .map(e -> e.getKey() + (e.getValue() == 2 ? "²" : e.getValue() > 2 ? "^" + e.getValue() : ""))
          .collect(Collectors.joining("·"));
      terms.merge(monomial, coefficient, Long::sum);
    }
    List<String> parts = new ArrayList<>();
    if (!updated.isEmpty()) {
      parts.add(String.join(", ", updated) + " read and written");
    }
    if (!read.isEmpty()) {
      parts.add(String.join(", ", read) + " read");
    }
    if (!written.isEmpty()) {
      parts.add(String.join(", ", written) + " written");
    }
    List<String> notes = new ArrayList<>();
    if (heads) {
      notes.add("H = R");
    }
    if (shift) {
      notes.add("K = " + KernelSpec.STANDALONE_SHIFT_WIDTH);
    }
    if (modes) {
      notes.add("M = 2Wh + 1");
    }
    if (iface) {
      notes.add("IF = W·R + 3W + 5R + 3");
    }
    String sum = terms.entrySet().stream().map(e -> e.getValue() + "·" + e.getKey()).collect(Collectors.joining(" + "));
    String text = String.join("; ", parts) + ": " + sum + (notes.isEmpty() ? "" : " (" + String.join(", ", notes) + ")");
    if (!modelIsItsArguments(k)) {
      text = "the sum of the kernels it runs, not its arguments' sizes (" + text + ")";
    }
    return text;
  }

  // whether bytesMoved is the arguments' sizes (an in-place one twice): true for every kernel but the step
  private static boolean modelIsItsArguments(KernelSpec k) {
    Sizes s = Sizes.standalone(new MemoryShape(3, 17, 5, 2, 1));
    long sum = 0;
    int[][] shapes = k.shapes(s);
    for (int i = 0; i < shapes.length; i++) {
      long e = 1;
      for (int d : shapes[i]) {
        e *= d;
      }
      sum += (k.args().get(i).role() == Role.UPDATE ? 2 : 1) * e * Float.BYTES;
    }
    return sum == k.bytesMoved(s);
  }

  // the order of the symbols in a term; a holder, as FORMULAS is built while the class initialises
  private static final class Symbols {
    static final List<String> ORDER = List.of("B", "R", "H", "Wh", "N", "W", "K", "M", "IF");
  }

  private static int symbolOrder(String a, String b) {
    return Integer.compare(order(a), order(b)) != 0 ? Integer.compare(order(a), order(b)) : a.compareTo(b);
  }

  private static int order(String symbol) {
    int i = Symbols.ORDER.indexOf(symbol);
    return i < 0 ? Symbols.ORDER.size() : i;
  }
}
