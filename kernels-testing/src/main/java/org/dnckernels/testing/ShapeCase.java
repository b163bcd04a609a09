package org.dnckernels.testing;

import java.util.ArrayList;
import java.util.List;
import org.dnckernels.MemoryShape;

/**
 * One random case of the cross-checks: sizes and a seed. The size lists have the tails that vectorised loops get
 * wrong (1, one below/above a power of two, a prime-ish 100, 257) and one large size.
 *
 * @param batch      B
 * @param slots      N
 * @param wordSize   W
 * @param readHeads  R (also H, the heads of a content or NTM call)
 * @param writeHeads Wh
 * @param seed       the data seed
 */
public record ShapeCase(int batch, int slots, int wordSize, int readHeads, int writeHeads, long seed) {
  /** N and W of the cross-checks. */
  public static final int[] SIZES = {1, 3, 15, 16, 17, 31, 33, 63, 65, 100, 257, 1000};
  /** N of kernels that touch N² link entries: up to 257 to keep the suite fast. */
  public static final int[] LINK_SIZES = {1, 3, 15, 16, 17, 31, 33, 63, 65, 100, 257};
  /** N of the multi-step memory-step checks. */
  public static final int[] STEP_SIZES = {1, 3, 16, 17, 33, 65};

  private static final int[] BATCHES = {1, 2, 3};
  private static final int[] READ_HEADS = {1, 2, 4};
  private static final int[] WRITE_HEADS = {1, 2};

  public MemoryShape shape() {
    return new MemoryShape(batch, slots, wordSize, readHeads, writeHeads);
  }

  /** Data for this case and one kernel's test. */
  public RandomTensors random(String kernel) {
    return RandomTensors.forCase(seed, kernel);
  }

  @Override
  public String toString() {
    return "B=" + batch + " N=" + slots + " W=" + wordSize + " R=" + readHeads + " Wh=" + writeHeads + " seed="
        + seed;
  }

  /**
   * Cases for kernels that do not touch the link matrix: every size appears as N and as W, twice, with B, R and
   * Wh cycling independently (24 cases).
   */
  public static List<ShapeCase> general() {
    List<ShapeCase> out = new ArrayList<>();
    for (int pass = 0; pass < 2; pass++) {
      for (int i = 0; i < SIZES.length; i++) {
        int n = SIZES[i];
        int w = SIZES[(i * 7 + 5 + pass * 3) % SIZES.length];
        out.add(new ShapeCase(
            BATCHES[(i + pass) % 3], n, w, READ_HEADS[(i / 3 + pass) % 3], WRITE_HEADS[(i + i / 2 + pass) % 2],
            1000 + 31L * i + pass));
      }
    }
    return out;
  }

  /**
   * Cases with more heads than the common R ≤ 4 (a content call's H keys): H = 5, 6, 8 and 9 over sizes with vector
   * tails, which a backend may run as groups of four keys plus the keys left over (SIMD content addressing).
   */
  public static List<ShapeCase> manyHeads() {
    return List.of(
        new ShapeCase(2, 17, 65, 5, 1, 3001),
        new ShapeCase(1, 33, 16, 6, 1, 3002),
        new ShapeCase(3, 100, 33, 8, 1, 3003),
        new ShapeCase(1, 257, 64, 9, 1, 3004));
  }

  /**
   * Cases for the link kernels: every link size twice (22 cases), then 4 with R = 3, 5 and 6 and N up to 1000,
   * which a backend may run with other kernels than R = 1, 2, 4 (SIMD: pairs of heads plus a single one, over
   * chunks of rows).
   */
  public static List<ShapeCase> link() {
    List<ShapeCase> out = new ArrayList<>();
    for (int pass = 0; pass < 2; pass++) {
      for (int i = 0; i < LINK_SIZES.length; i++) {
        int n = LINK_SIZES[i];
        out.add(new ShapeCase(
            BATCHES[(i + 2 * pass) % 3], n, 1, READ_HEADS[(i + pass) % 3], WRITE_HEADS[(i / 2 + pass) % 2],
            2000 + 37L * i + pass));
      }
    }
    out.add(new ShapeCase(1, 257, 1, 3, 1, 2901));
    out.add(new ShapeCase(2, 100, 1, 5, 2, 2902));
    out.add(new ShapeCase(1, 1000, 1, 6, 1, 2903));
    out.add(new ShapeCase(1, 1000, 1, 3, 2, 2904));
    return out;
  }

  /** Cases for the interface split (Wh = 1): every size as W, R cycling (12 cases). */
  public static List<ShapeCase> interfaceSplit() {
    List<ShapeCase> out = new ArrayList<>();
    for (int i = 0; i < SIZES.length; i++) {
      out.add(new ShapeCase(BATCHES[i % 3], 1, SIZES[i], READ_HEADS[(i / 3) % 3], 1, 3000 + 41L * i));
    }
    return out;
  }

  /** Cases for whole memory steps (8 cases, small enough for several steps each). */
  public static List<ShapeCase> memoryStep() {
    int[] words = {1, 15, 16, 31, 33, 64};
    List<ShapeCase> out = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      out.add(new ShapeCase(
          BATCHES[i % 3], STEP_SIZES[i % STEP_SIZES.length], words[(i * 5 + 1) % words.length],
          READ_HEADS[(i / 2) % 3], WRITE_HEADS[(i / 3) % 2], 4000 + 43L * i));
    }
    return out;
  }
}
