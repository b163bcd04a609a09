package org.dnckernels.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dnckernels.DncKernels;
import org.dnckernels.InterfaceValues;
import org.dnckernels.MemoryShape;
import org.dnckernels.MemoryState;
import org.dnckernels.Tensor;
import org.dnckernels.Workspace;

/**
 * Every public kernel's tensor arguments as its facade checks them: names, symbolic shapes, which arguments the
 * sizes are read from, and the aliasing rules of its javadoc. The bad-input tests mutate one argument at a time
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

    /**
     * Every pair of arguments that must not share storage, derived from the roles (not listed by hand, so that
     * a pair the facade forgets shows up): a written argument with any other, but for the sameOrDistinct pairs.
     */
    public List<String[]> distinct() {
      List<String[]> out = new ArrayList<>();
      for (int i = 0; i < args.size(); i++) {
        for (int j = i + 1; j < args.size(); j++) {
          String a = args.get(i).name(), b = args.get(j).name();
          if ((written.contains(a) || written.contains(b)) && !sameOrDistinctPair(a, b)) {
            out.add(written.contains(a) ? new String[] {a, b} : new String[] {b, a});
          }
        }
      }
      return out;
    }

    /** Pairs of arguments that are both only read: they may share storage in any way. */
    public List<String[]> readOnlyPairs() {
      List<String[]> out = new ArrayList<>();
      for (int i = 0; i < args.size(); i++) {
        for (int j = i + 1; j < args.size(); j++) {
          String a = args.get(i).name(), b = args.get(j).name();
          if (!written.contains(a) && !written.contains(b)) {
            out.add(new String[] {a, b});
          }
        }
      }
      return out;
    }

    private boolean sameOrDistinctPair(String a, String b) {
      for (String[] p : sameOrDistinct) {
        if ((p[0].equals(a) && p[1].equals(b)) || (p[0].equals(b) && p[1].equals(a))) {
          return true;
        }
      }
      return false;
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
          return new Expected(args.get(indexOf("shift")).name(), null);
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
  // the kernels

  private static final String[] INTERFACE = {
    "readKeys", "readStrengths", "writeKeys", "writeStrengths", "eraseVectors", "writeVectors", "freeGates",
    "allocationGates", "writeGates", "readModes"
  };
  private static final String[] STATE = {"memory", "usage", "link", "precedence", "readWeights", "writeWeights"};

  /** All public kernels. */
  public static List<Signature> all() {
    List<Signature> s = new ArrayList<>();
    s.add(new Signature("contentWeights",
        args(arg("memory", "B", "N", "W"), arg("keys", "B", "H", "W"), arg("strengths", "B", "H"),
            arg("out", "B", "H", "N")),
        defs("B", 0, 0, "N", 0, 1, "W", 0, 2, "H", 1, 1),
        written("out"), pairs(), false,
        (k, t, ws) -> k.contentWeights(t[0], t[1], t[2], t[3])));
    s.add(new Signature("eraseAndAdd",
        args(arg("memory", "B", "N", "W"), arg("writeWeights", "B", "Wh", "N"), arg("erase", "B", "Wh", "W"),
            arg("add", "B", "Wh", "W")),
        defs("B", 0, 0, "N", 0, 1, "W", 0, 2, "Wh", 1, 1),
        written("memory"), pairs(), false,
        (k, t, ws) -> k.eraseAndAdd(t[0], t[1], t[2], t[3])));
    s.add(new Signature("read",
        args(arg("memory", "B", "N", "W"), arg("readWeights", "B", "R", "N"), arg("out", "B", "R", "W")),
        defs("B", 0, 0, "N", 0, 1, "W", 0, 2, "R", 1, 1),
        written("out"), pairs(), false,
        (k, t, ws) -> k.read(t[0], t[1], t[2])));
    s.add(new Signature("usage",
        args(arg("prevUsage", "B", "N"), arg("prevWriteWeights", "B", "Wh", "N"), arg("freeGates", "B", "R"),
            arg("prevReadWeights", "B", "R", "N"), arg("out", "B", "N")),
        defs("B", 0, 0, "N", 0, 1, "Wh", 1, 1, "R", 3, 1),
        written("out"), pairs("out", "prevUsage"),
        false, (k, t, ws) -> k.usage(t[0], t[1], t[2], t[3], t[4])));
    s.add(new Signature("allocation",
        args(arg("usage", "B", "N"), arg("writeGates", "B", "Wh"), arg("allocationGates", "B", "Wh"),
            arg("out", "B", "Wh", "N")),
        defs("B", 0, 0, "N", 0, 1, "Wh", 1, 1),
        written("out"), pairs(), false,
        (k, t, ws) -> k.allocation(t[0], t[1], t[2], t[3])));
    s.add(new Signature("writeWeights",
        args(arg("allocation", "B", "Wh", "N"), arg("content", "B", "Wh", "N"), arg("writeGates", "B", "Wh"),
            arg("allocationGates", "B", "Wh"), arg("out", "B", "Wh", "N")),
        defs("B", 0, 0, "Wh", 0, 1, "N", 0, 2),
        written("out"), pairs("out", "allocation", "out", "content"), false,
        (k, t, ws) -> k.writeWeights(t[0], t[1], t[2], t[3], t[4])));
    s.add(new Signature("precedence",
        args(arg("precedence", "B", "Wh", "N"), arg("writeWeights", "B", "Wh", "N")),
        defs("B", 0, 0, "Wh", 0, 1, "N", 0, 2),
        written("precedence"), pairs(), false,
        (k, t, ws) -> k.precedence(t[0], t[1])));
    s.add(new Signature("linkUpdate",
        args(arg("link", "B", "Wh", "N", "N"), arg("prevPrecedence", "B", "Wh", "N"),
            arg("writeWeights", "B", "Wh", "N")),
        defs("B", 0, 0, "Wh", 0, 1, "N", 0, 2),
        written("link"), pairs(), false,
        (k, t, ws) -> k.linkUpdate(t[0], t[1], t[2])));
    s.add(new Signature("forwardBackward",
        args(arg("link", "B", "Wh", "N", "N"), arg("prevReadWeights", "B", "R", "N"),
            arg("forward", "B", "R", "Wh", "N"), arg("backward", "B", "R", "Wh", "N")),
        defs("B", 0, 0, "Wh", 0, 1, "N", 0, 2, "R", 1, 1),
        written("forward", "backward"), pairs(), false, (k, t, ws) -> k.forwardBackward(t[0], t[1], t[2], t[3])));
    s.add(new Signature("linkUpdateAndWeightings",
        args(arg("link", "B", "Wh", "N", "N"), arg("prevPrecedence", "B", "Wh", "N"),
            arg("writeWeights", "B", "Wh", "N"), arg("prevReadWeights", "B", "R", "N"),
            arg("forward", "B", "R", "Wh", "N"), arg("backward", "B", "R", "Wh", "N")),
        defs("B", 0, 0, "Wh", 0, 1, "N", 0, 2, "R", 3, 1),
        written("link", "forward", "backward"), pairs(), false,
        (k, t, ws) -> k.linkUpdateAndWeightings(t[0], t[1], t[2], t[3], t[4], t[5])));
    s.add(new Signature("readModeMix",
        args(arg("modes", "B", "R", "M"), arg("backward", "B", "R", "Wh", "N"), arg("content", "B", "R", "N"),
            arg("forward", "B", "R", "Wh", "N"), arg("out", "B", "R", "N")),
        defs("B", 1, 0, "R", 1, 1, "Wh", 1, 2, "N", 1, 3),
        written("out"), pairs(), false,
        (k, t, ws) -> k.readModeMix(t[0], t[1], t[2], t[3], t[4])));
    s.add(new Signature("ntmInterpolate",
        args(arg("content", "B", "H", "N"), arg("previous", "B", "H", "N"), arg("gate", "B", "H"),
            arg("out", "B", "H", "N")),
        defs("B", 0, 0, "H", 0, 1, "N", 0, 2),
        written("out"), pairs("out", "content", "out", "previous"), false,
        (k, t, ws) -> k.ntmInterpolate(t[0], t[1], t[2], t[3])));
    s.add(new Signature("ntmShift",
        args(arg("weights", "B", "H", "N"), arg("shift", "B", "H", "K"), arg("out", "B", "H", "N")),
        defs("B", 0, 0, "H", 0, 1, "N", 0, 2, "K", 1, 2),
        written("out"), pairs(), false,
        (k, t, ws) -> k.ntmShift(t[0], t[1], t[2])));
    s.add(new Signature("ntmSharpen",
        args(arg("weights", "B", "H", "N"), arg("gamma", "B", "H"), arg("out", "B", "H", "N")),
        defs("B", 0, 0, "H", 0, 1, "N", 0, 2),
        written("out"), pairs("out", "weights"), false,
        (k, t, ws) -> k.ntmSharpen(t[0], t[1], t[2])));
    s.add(interfaceSplit());
    s.add(memoryStep());
    return s;
  }

  private static Signature interfaceSplit() {
    List<Arg> a = new ArrayList<>();
    a.add(arg("raw", "B", "IF"));
    String[][] dims = {
      {"B", "R", "W"}, {"B", "R"}, {"B", "1", "W"}, {"B", "1"}, {"B", "1", "W"}, {"B", "1", "W"}, {"B", "R"},
      {"B", "1"}, {"B", "1"}, {"B", "R", "3"}
    };
    for (int i = 0; i < INTERFACE.length; i++) {
      a.add(arg("out." + INTERFACE[i], dims[i]));
    }
    List<String> written = new ArrayList<>();
    for (String field : INTERFACE) {
      written.add("out." + field);
    }
    return new Signature("interfaceSplit", a, defs("B", 0, 0, "R", 1, 1, "W", 1, 2), written, pairs(), false,
        (k, t, ws) -> k.interfaceSplit(t[0], interfaceValues(t, 1)));
  }

  private static Signature memoryStep() {
    List<Arg> a = new ArrayList<>();
    String[][] stateDims = {
      {"B", "N", "W"}, {"B", "N"}, {"B", "Wh", "N", "N"}, {"B", "Wh", "N"}, {"B", "R", "N"}, {"B", "Wh", "N"}
    };
    for (int i = 0; i < STATE.length; i++) {
      a.add(arg("state." + STATE[i], stateDims[i]));
    }
    String[][] inDims = {
      {"B", "R", "W"}, {"B", "R"}, {"B", "Wh", "W"}, {"B", "Wh"}, {"B", "Wh", "W"}, {"B", "Wh", "W"}, {"B", "R"},
      {"B", "Wh"}, {"B", "Wh"}, {"B", "R", "M"}
    };
    for (int i = 0; i < INTERFACE.length; i++) {
      a.add(arg("in." + INTERFACE[i], inDims[i]));
    }
    a.add(arg("readVectors", "B", "R", "W"));
    List<String> written = new ArrayList<>();
    for (String field : STATE) {
      written.add("state." + field);
    }
    written.add("readVectors");
    return new Signature("memoryStep", a,
        defs("B", 0, 0, "N", 0, 1, "W", 0, 2, "Wh", 2, 1, "R", 4, 1), written, pairs(), true,
        (k, t, ws) -> k.memoryStep(new MemoryState(t[0], t[1], t[2], t[3], t[4], t[5]), interfaceValues(t, 6),
            t[16], ws));
  }

  private static InterfaceValues interfaceValues(Tensor[] t, int from) {
    return new InterfaceValues(t[from], t[from + 1], t[from + 2], t[from + 3], t[from + 4], t[from + 5],
        t[from + 6], t[from + 7], t[from + 8], t[from + 9]);
  }

  private static Arg arg(String name, String... dims) {
    return new Arg(name, dims);
  }

  private static List<Arg> args(Arg... a) {
    return List.of(a);
  }

  private static Map<String, int[]> defs(Object... triples) {
    Map<String, int[]> m = new LinkedHashMap<>();
    for (int i = 0; i < triples.length; i += 3) {
      m.put((String) triples[i], new int[] {(Integer) triples[i + 1], (Integer) triples[i + 2]});
    }
    return m;
  }

  private static List<String> written(String... names) {
    return List.of(names);
  }

  private static List<String[]> pairs(String... names) {
    List<String[]> out = new ArrayList<>();
    for (int i = 0; i < names.length; i += 2) {
      out.add(new String[] {names[i], names[i + 1]});
    }
    return out;
  }
}
