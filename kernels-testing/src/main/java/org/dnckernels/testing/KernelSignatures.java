package org.dnckernels.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dnckernels.DncKernels;
import org.dnckernels.KernelSpec;
import org.dnckernels.MemoryShape;
import org.dnckernels.Tensor;
import org.dnckernels.Workspace;

/**
 * Every public kernel's tensor arguments as its facade checks them, read from its {@link KernelSpec}: names,
 * symbolic shapes, which arguments the sizes are read from, and the aliasing rules. The bad-input tests mutate one argument at a time
 * and use {@link Signature#predict} to know which argument the error must name and which shape it must show.
 *
 * <p>Shape symbols: B, N, W, R, Wh, H (heads of a content or NTM call), K (shift width 2k+1), M (read modes,
 * 2Wh+1), IF (raw interface length W·R + 3W + 5R + 3 for one write head) and integer literals.
 */
public final class KernelSignatures {
  private KernelSignatures() {}

  /** One tensor argument: its name in error messages and its symbolic shape. */
  public record Arg(String name, String... dims) {
    public int rank() {
      return dims.length;
    }
  }

  /** Calls the kernel with the given tensors (in {@link Signature#args()} order). */
  @FunctionalInterface
  public interface Invoker {
    void call(DncKernels kernels, Tensor[] args, Workspace workspace);
  }

  /** What the facade must report for a bad call: the argument it names and the shape it expects (null: any). */
  public record Expected(String name, int[] shape) {}

  /**
   * A kernel's argument contract.
   *
   * @param kernel         the public method's name
   * @param args           tensor arguments in the order the facade checks them
   * @param definers       symbol → {argument index, axis} the facade reads the size from
   * @param written        the arguments the kernel writes (outputs and in-place arguments); every pair of
   *                       arguments with a written one must not share storage, except the sameOrDistinct pairs
   * @param sameOrDistinct pairs (output, input) that may be the same tensor but must not partly overlap
   * @param needsWorkspace whether the call takes a {@link Workspace} (the memory step)
   * @param invoker        the call
   */
  public record Signature(
      String kernel, List<Arg> args, Map<String, int[]> definers, List<String> written,
      List<String[]> sameOrDistinct, boolean needsWorkspace, Invoker invoker) {

    /** Every pair (written, other) that must not share storage: {@link KernelSpec#distinct()}. */
    public List<String[]> distinct() {
      return KernelSpec.byMethod(kernel).distinct();
    }

    /** Pairs of arguments that are both only read: {@link KernelSpec#readOnlyPairs()}. */
    public List<String[]> readOnlyPairs() {
      return KernelSpec.byMethod(kernel).readOnlyPairs();
    }

    public int indexOf(String name) {
      for (int i = 0; i < args.size(); i++) {
        if (args.get(i).name().equals(name)) {
          return i;
        }
      }
      throw new IllegalArgumentException(kernel + " has no argument " + name);
    }

    /** Shapes of every argument under {@code sizes}. */
    public int[][] shapes(Map<String, Integer> sizes) {
      int[][] out = new int[args.size()][];
      for (int i = 0; i < out.length; i++) {
        out[i] = eval(args.get(i).dims(), sizes);
      }
      return out;
    }

    /** The memory shape of a memory-step call under {@code sizes}. */
    public MemoryShape memoryShape(Map<String, Integer> sizes) {
      return new MemoryShape(sizes.get("B"), sizes.get("N"), sizes.get("W"), sizes.get("R"), sizes.get("Wh"));
    }

    /**
     * The first argument the facade finds wrong when the arguments have {@code actual} shapes (everything else
     * about them valid), or null if it should accept them: sizes are read from the definers, then every argument
     * is compared with its expected shape in check order.
     */
    public Expected predict(Map<String, Integer> sizes, int[][] actual) {
      Map<String, Integer> bound = new HashMap<>(sizes);
      for (Map.Entry<String, int[]> d : definers.entrySet()) {
        bound.put(d.getKey(), actual[d.getValue()[0]][d.getValue()[1]]);
      }
      if (definers.containsKey("K")) {
        int k = bound.get("K");
        if (k % 2 == 0 || k > bound.get("N")) {
          return new Expected(args.get(definers.get("K")[0]).name(), null);
        }
      }
      for (int i = 0; i < args.size(); i++) {
        int[] expected = eval(args.get(i).dims(), bound);
        if (!Arrays.equals(expected, actual[i])) {
          return new Expected(args.get(i).name(), expected);
        }
      }
      return null;
    }
  }

  /** The sizes of the bad-input tests: all different, so a dimension taken from the wrong place shows. */
  public static Map<String, Integer> checkSizes() {
    return sizes(2, 5, 3, 2, 2, 3, 3);
  }

  /**
   * Sizes under which many arguments have equal shapes, so that one device tensor can be passed twice (the only
   * way to alias on a backend that cannot wrap): one write head, everything else 3.
   */
  public static Map<String, Integer> aliasSizesOneWriteHead() {
    return sizes(2, 3, 3, 3, 1, 3, 3);
  }

  /** As {@link #aliasSizesOneWriteHead} with three write heads (write weights then match memory's shape). */
  public static Map<String, Integer> aliasSizesThreeWriteHeads() {
    return sizes(2, 3, 3, 3, 3, 3, 3);
  }

  private static Map<String, Integer> sizes(int b, int n, int w, int r, int wh, int h, int k) {
    Map<String, Integer> m = new LinkedHashMap<>();
    m.put("B", b);
    m.put("N", n);
    m.put("W", w);
    m.put("R", r);
    m.put("Wh", wh);
    m.put("H", h);
    m.put("K", k);
    return m;
  }

  static int[] eval(String[] dims, Map<String, Integer> sizes) {
    int[] out = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      out[i] = eval(dims[i], sizes);
    }
    return out;
  }

  private static int eval(String dim, Map<String, Integer> s) {
    return switch (dim) {
      case "M" -> 2 * s.get("Wh") + 1;
      case "IF" -> s.get("W") * s.get("R") + 3 * s.get("W") + 5 * s.get("R") + 3;
      default -> Character.isDigit(dim.charAt(0)) ? Integer.parseInt(dim) : s.get(dim);
    };
  }

  // ---------------------------------------------------------------------------------------------------------
  // the kernels: read from their descriptions in the api

  /** All public kernels, from {@link KernelSpec}. */
  public static List<Signature> all() {
    List<Signature> out = new ArrayList<>();
    for (KernelSpec k : KernelSpec.values()) {
      out.add(of(k));
    }
    return out;
  }

  /** The signature of one kernel. */
  public static Signature of(KernelSpec k) {
    List<Arg> args = new ArrayList<>();
    List<String> written = new ArrayList<>();
    for (KernelSpec.Arg a : k.args()) {
      args.add(new Arg(a.name(), a.dims()));
      if (a.role().written()) {
        written.add(a.name());
      }
    }
    Map<String, int[]> definers = new LinkedHashMap<>();
    for (String[] d : k.definers()) {
      definers.put(d[0], new int[] {k.indexOf(d[1]), Integer.parseInt(d[2])});
    }
    return new Signature(k.method(), List.copyOf(args), definers, List.copyOf(written), k.sameOrDistinct(),
        k.family() == KernelSpec.Family.MEMORY_STEP, (kernels, t, ws) -> k.bind(kernels, t, ws).run());
  }
}
