package org.dnckernels.bench;

import java.util.ArrayList;
import java.util.List;
import org.dnckernels.MemoryShape;

/**
 * The shapes the suite measures, written {@code BxNxWxR} (batch, slots, word size, read heads; one write head).
 */
public final class BenchShapes {
  /** DeepMind's defaults. */
  public static final String DEEPMIND = "16x16x16x4";
  /** The medium memory with one sequence (the gradients issue's B1 N128 shape). */
  public static final String MEDIUM_SINGLE = "1x128x32x4";
  public static final String MEDIUM = "16x128x32x4";
  public static final String LARGE_SINGLE = "1x1024x64x4";
  public static final String LARGE_BATCH = "16x1024x64x4";
  /** A big memory for content addressing, write and read only (its link matrix would be 1 GiB). */
  public static final String HUGE_MEMORY = "1x16384x64x4";

  /** The shapes every kernel is measured at. */
  public static final List<String> STANDARD = List.of(DEEPMIND, MEDIUM_SINGLE, MEDIUM, LARGE_SINGLE, LARGE_BATCH);
  /** The extra shapes of the kernels in {@link Workload#MEMORY_KERNELS}. */
  public static final List<String> MEMORY_ONLY = List.of(HUGE_MEMORY);

  /** Kernels that hold an N×N link matrix are skipped above this many slots (N² floats per batch and head). */
  public static final int MAX_LINK_SLOTS = 4096;

  private BenchShapes() {}

  /** Parses {@code BxNxWxR} (one write head). */
  public static MemoryShape parse(String text) {
    String[] p = text.trim().toLowerCase(java.util.Locale.ROOT).split("x");
    if (p.length != 4) {
      throw new IllegalArgumentException("shape: expected BxNxWxR (e.g. 16x128x32x4) but was '" + text + "'");
    }
    try {
      return new MemoryShape(
          Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()), Integer.parseInt(p[2].trim()),
          Integer.parseInt(p[3].trim()), 1);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("shape: expected BxNxWxR (e.g. 16x128x32x4) but was '" + text + "'");
    }
  }

  /** Parses a comma-separated list of shapes, normalised to {@code BxNxWxR}. */
  public static List<String> parseList(String text) {
    List<String> out = new ArrayList<>();
    for (String s : text.split(",")) {
      if (!s.isBlank()) {
        out.add(format(parse(s)));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("shapes: none given in '" + text + "'");
    }
    return out;
  }

  public static String format(MemoryShape s) {
    return s.batch() + "x" + s.slots() + "x" + s.wordSize() + "x" + s.readHeads();
  }

  /** A short label for charts: {@code B16 N128 W32 R4}. */
  public static String label(String shape) {
    MemoryShape s = parse(shape);
    return "B" + s.batch() + " N" + s.slots() + " W" + s.wordSize() + " R" + s.readHeads();
  }
}
