package org.dnckernels.bench.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.dnckernels.bench.report.ReportData.KernelRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders the report from a hand-made JMH JSON (contentWeights and read on scalar and simd at B16 N128 W32 R4,
 * the triad at 1 and 4 MiB, the FMA-8 compute ceiling at 4 MiB, gc.alloc.rate.norm) and checks its numbers, tables and charts.
 */
class ReportMainTest {
  private static final String SHAPE = "16x128x32x4";
  // Workload at B16 N128 W32 R4, H = R = 4: content 4·(B·N·W + B·H·W + B·H + B·H·N), read 4·(B·N·W + B·R·N + B·R·W)
  private static final long CONTENT_BYTES = 4L * (16 * 128 * 32 + 16 * 4 * 32 + 16 * 4 + 16 * 4 * 128);
  private static final long READ_BYTES = 4L * (16 * 128 * 32 + 16 * 4 * 128 + 16 * 4 * 32);
  // triad at 1024 KiB: 3 arrays of 87381 floats, 12 bytes an element
  private static final long TRIAD_1M_BYTES = 12L * (1024 * 1024 / 12);

  @TempDir
  Path tmp;

  private Path fixture(boolean withMachine) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("in"));
    copy("jmh-fixture.json", dir);
    if (withMachine) {
      copy("jmh-fixture.machine.json", dir);
    }
    return dir.resolve("jmh-fixture.json");
  }

  private static void copy(String name, Path dir) throws IOException {
    try (InputStream in = ReportMainTest.class.getResourceAsStream("/report/" + name)) {
      assertNotNull(in, name);
      Files.copy(in, dir.resolve(name));
    }
  }

  @Test
  void computesTimeBandwidthSpeedupAndAllocation() throws IOException {
    ReportData data = ReportData.from(JmhResult.read(fixture(false)));

    assertEquals(List.of("contentWeights", "read"), data.kernels());
    assertEquals(List.of("scalar", "simd"), data.backends());
    assertEquals(List.of(SHAPE), data.shapes());
    assertEquals(4, data.kernelRows().size());
    assertEquals(2, data.triadRows().size());
    assertEquals(1, data.ceilingRows().size());
    assertEquals(8, data.ceilingRows().get(0).fmasPerVector());
    assertEquals(0.5, data.ceilingRows().get(0).fraction(), 1e-6);
    assertTrue(data.unrecognised().isEmpty());

    KernelRow content = data.row("contentWeights", SHAPE, "simd", ReportData.KERNEL_ONLY).orElseThrow();
    assertEquals(50_000, content.nanos(), 1e-9);
    assertEquals(1_000, content.errorNanos(), 1e-9);
    assertEquals(CONTENT_BYTES, content.bytesMoved());
    assertEquals(CONTENT_BYTES / 50_000.0, content.gbps(), 1e-12);
    assertEquals(6.0, content.speedup(), 1e-12);
    assertEquals(6.0 * Math.hypot(0.01, 0.02), content.speedupError(), 1e-12);
    // nearest triad working set to ~296 KiB is the 1 MiB one
    assertEquals(1024, content.triadKib());
    assertEquals(TRIAD_1M_BYTES / 10_000.0, content.triadGbps(), 1e-12);
    assertEquals(content.gbps() / content.triadGbps(), content.fraction(), 1e-12);
    assertEquals(0.02, content.allocBytesPerOp(), 1e-12);

    KernelRow read = data.row("read", SHAPE, "simd", ReportData.KERNEL_ONLY).orElseThrow();
    assertEquals(READ_BYTES, read.bytesMoved());
    assertEquals(4.0, read.speedup(), 1e-12);
    assertEquals(48.0, read.allocBytesPerOp(), 1e-12);

    KernelRow scalar = data.row("read", SHAPE, "scalar", ReportData.KERNEL_ONLY).orElseThrow();
    assertEquals(1.0, scalar.speedup(), 1e-12);
    assertTrue(Double.isNaN(scalar.speedupError()), "scalar is the reference: no error on its own speedup");

    // the 4 MiB triad has no error in the JSON ("NaN")
    assertTrue(Double.isNaN(data.triadRows().get(1).errorNanos()));
    assertEquals(12L * (4096 * 1024 / 12) / 50_000.0, data.triadRows().get(1).gbps(), 1e-12);
  }

  @Test
  void linkPassesAreComparedWithTheCeilingOfTheirFmaDensity() {
    // R = 4: 8 FMAs per vector of L; 1x1024x64x4 footprint ~4 MiB, so the 4 MiB ceiling, not the 64 MiB one
    KernelRow fb = new KernelRow("forwardBackward", "1x1024x64x4", "simd", ReportData.KERNEL_ONLY, 200_000, 10_000,
        4_300_000, 4_300_000, 21.5, 4096, 40, 0.5, 0.03, 20, 1, 0);
    KernelRow scalar = new KernelRow("forwardBackward", "1x1024x64x4", "scalar", ReportData.KERNEL_ONLY, 4e6, 1e5,
        4_300_000, 4_300_000, 1.1, 4096, 40, 0.03, 0.001, 1, Double.NaN, 0);
    KernelRow content = new KernelRow("contentWeights", "1x1024x64x4", "simd", ReportData.KERNEL_ONLY, 20_000, 100,
        270_000, 270_000, 13.5, 1024, 40, 0.3, 0.01, 10, 1, 0);
    List<ReportData.CeilingRow> ceilings = List.of(new ReportData.CeilingRow(8, 65536, 3e6, 3e4, 22.0, 0.7, 0.01),
        new ReportData.CeilingRow(4, 4096, 150_000, 1_500, 28.0, 0.4, 0.01),
        new ReportData.CeilingRow(8, 4096, 160_000, 3_200, 25.0, 0.35, 0.01));
    List<ReportData.CeilingFraction> f = ReportData.ceilingFractions(List.of(fb, scalar, content), ceilings);
    assertEquals(1, f.size(), "only the non-scalar link pass");
    assertEquals(4096, f.get(0).ceilingKib());
    assertEquals(21.5 / 25.0, f.get(0).fraction(), 1e-12);
    assertEquals(21.5 / 25.0 * Math.hypot(0.05, 0.02), f.get(0).fractionError(), 1e-12);
  }

  @Test
  void writesTablesChartsAndMachineHeader() throws IOException {
    Path out = tmp.resolve("report");
    Path index = ReportMain.render(fixture(true), Optional.empty(), out);
    assertEquals(out.resolve("index.html"), index);

    String md = Files.readString(out.resolve("report.md"));
    // kernel × shape × backend: time ± error, GB/s, fraction of triad (its size), speedup ± error, B/op
    assertTrue(md.contains("| B16 N128 W32 R4 | simd | kernel | 50.0 ± 1.0 µs | 6.07 | 5.79% ± 0.16% (1 MiB) | 6.00× ± 0.13 | 0 |"),
        md);
    assertTrue(md.contains("| B16 N128 W32 R4 | scalar | kernel | 300 ± 3 µs | 1.01 | 0.96% ± 0.02% (1 MiB) | 1.00× | 0 |"),
        md);
    assertTrue(md.contains("| B16 N128 W32 R4 | simd | kernel | 25.0 ± 0.5 µs | 12.12 | 11.6% ± 0.3% (1 MiB) | 4.00× ± 0.11 | 48 |"),
        md);
    // triad baseline, with and without an error
    assertTrue(md.contains("| 1 MiB | 10.0 ± 0.2 µs | 104.86 ± 2.10 | 0 |"), md);
    assertTrue(md.contains("| 4 MiB | 50.0 µs | 83.89 | 2 |"), md);
    // compute ceiling: 4 MiB read in 100 µs, half the 4 MiB triad's GB/s; neither has an error
    assertTrue(md.contains("| 4 MiB | 8 | 100 µs | 41.94 | 50.0% (error unknown) |"), md);
    // the header: commit (none in this sidecar), JMH version, settings per group
    assertTrue(md.contains("| commit | unknown (not recorded) |"), md);
    assertTrue(md.contains("| JMH | 1.37 |"), md);
    assertTrue(md.contains("## Settings"), md);
    // machine header from the sidecar, with the unavailable backend's reason
    assertTrue(md.contains("| CPU | Test CPU 9000 (fixture) |"), md);
    assertTrue(md.contains("| vector species | preferred float species: 512 bits, 16 lanes |"), md);
    assertTrue(md.contains("| cuda | no | no CUDA driver (libcuda.so.1 not found) |"), md);
    assertTrue(md.contains("backend cuda: unavailable: no CUDA driver"), md);
    // bytes-moved model shown per kernel
    assertTrue(md.contains("4·B·N·W + 4·B·R·N + 4·B·R·W"), md);

    String html = Files.readString(index);
    assertTrue(html.startsWith("<!DOCTYPE html>"));
    assertTrue(html.contains("<img src=\"time-contentWeights.png\""), html);
    assertTrue(html.contains("<td class=\"n\">50.0 ± 1.0 µs</td>"), html);

    String csv = Files.readString(out.resolve("results.csv"));
    assertTrue(csv.lines().anyMatch(l -> l.startsWith("contentWeights,16x128x32x4,simd,kernel,50000.0,1000.00,"
        + CONTENT_BYTES + ",")), csv);

    for (String chart : List.of("time-contentWeights.png", "time-read.png", "speedup-16x128x32x4.png",
        "bandwidth-16x128x32x4.png", "bandwidth-baseline.png")) {
      assertValidPng(out.resolve(chart));
      assertTrue(md.contains("](" + chart + ")"), chart + " is not in report.md");
    }
    try (Stream<Path> files = Files.list(out)) {
      List<Path> pngs = files.filter(p -> p.toString().endsWith(".png")).toList();
      assertEquals(5, pngs.size(), pngs.toString());
      for (Path p : pngs) {
        assertValidPng(p);
      }
    }
    // headline: mean speedup of simd over scalar across the two kernels, sqrt(6 · 4)
    assertTrue(md.contains("Geometric-mean speedup of simd over scalar: 4.90× ± 0.09 at B16 N128 W32 R4 (2 kernels)."), md);
    // 1 KiB or more per call is flagged and explained
    assertEquals("48", Format.kernelAllocation(48));
    assertEquals("2048 †", Format.kernelAllocation(2048));
    assertTrue(!md.contains("† 1 KiB or more"), "no row of the fixture allocates that much");
    // the JSON and the machine travel with the report
    assertTrue(Files.size(out.resolve(ReportMain.RESULTS_FILE)) > 0);
    assertEquals("Test CPU 9000 (fixture)", MachineInfo.read(out.resolve(MachineInfo.FILE_NAME)).cpuModel());
  }

  @Test
  void marksTheMachineUnknownWithoutASidecar() throws IOException {
    Path out = tmp.resolve("bare");
    ReportMain.render(fixture(false), Optional.empty(), out);
    String md = Files.readString(out.resolve("report.md"));
    assertTrue(md.contains("| CPU | unknown |"), md);
    assertTrue(md.contains("OpenJDK 64-Bit Server VM 25.0.3 (from the JMH JSON)"), md);
    assertTrue(md.contains("Backends were not recorded"), md);
  }

  @Test
  void rendersWhenACaseHasNoResult() throws IOException {
    // a case that failed leaves a hole in its chart's series and in the speedups
    Path json = fixture(true);
    ObjectMapper mapper = new ObjectMapper();
    ArrayNode all = (ArrayNode) mapper.readTree(json.toFile());
    for (int i = all.size() - 1; i >= 0; i--) {
      if (all.get(i).path("params").path("kernel").asText().equals("read")
          && all.get(i).path("params").path("backend").asText().equals("scalar")) {
        all.remove(i);
      }
    }
    mapper.writeValue(json.toFile(), all);
    Path out = tmp.resolve("holes");
    ReportMain.render(json, Optional.empty(), out);
    String md = Files.readString(out.resolve("report.md"));
    assertTrue(md.contains("| B16 N128 W32 R4 | simd | kernel | 25.0 ± 0.5 µs | 12.12 | 11.6% ± 0.3% (1 MiB) | – | 48 |"), md);
    // the sidecar planned 7 cases; 6 came back
    assertTrue(md.contains("1 of 7 planned cases have no result"), md);
    for (String chart : List.of("time-read.png", "speedup-16x128x32x4.png", "bandwidth-16x128x32x4.png")) {
      assertValidPng(out.resolve(chart));
    }
  }

  @Test
  void saysWhichGroupsWarmedUpLongerAndExplainsTheDaggerOnce() throws IOException {
    // content addressing with the long warmup; every kernel allocating 2 KiB per call
    Path json = fixture(true);
    ObjectMapper mapper = new ObjectMapper();
    ArrayNode all = (ArrayNode) mapper.readTree(json.toFile());
    for (var n : all) {
      ObjectNode o = (ObjectNode) n;
      if (o.path("params").path("kernel").asText().equals("contentWeights")) {
        o.put("warmupIterations", 5);
        o.put("warmupTime", "1000 ms");
      }
      if (o.path("params").has("kernel")) {
        ((ObjectNode) o.path("secondaryMetrics").path("gc.alloc.rate.norm")).put("score", 2048.0);
      }
    }
    mapper.writeValue(json.toFile(), all);
    Path out = tmp.resolve("warmups");
    ReportMain.render(json, Optional.empty(), out);
    String md = Files.readString(out.resolve("report.md"));
    assertTrue(md.contains("| 1 fork, warmup 5 × 1000 ms, measurement 5 × 300 ms | 2 | KernelBenchmark: contentWeights |"),
        md);
    assertTrue(md.contains("Longer warmups: KernelBenchmark: contentWeights (5 × 1000 ms)"), md);
    // both kernel tables flag their rows; the note is written out once, then pointed at
    assertEquals(1, md.split("† 1 KiB or more allocated per call\\. JMH", -1).length - 1, md);
    assertEquals(1, md.split("see the † note under the first table", -1).length - 1, md);
  }

  @Test
  void ceilingNotesSayWhichRowsTheErrorsCannotOrder() {
    List<ReportData.CeilingRow> rows = List.of(
        new ReportData.CeilingRow(0, 65536, 3.08e6, 0.63e6, 21.8, 0.93, 0.2),
        new ReportData.CeilingRow(4, 65536, 2.51e6, 1.03e6, 26.8, 1.15, 0.48),
        new ReportData.CeilingRow(8, 65536, 2.56e6, 0.14e6, 26.2, 1.12, 0.12),
        new ReportData.CeilingRow(4, 4096, 73_100, 1_900, 57.4, 0.67, 0.09),
        new ReportData.CeilingRow(8, 4096, 146_000, 3_000, 28.7, 0.34, 0.05));
    String notes = ReportMain.ceilingNotes(rows);
    assertTrue(notes.contains("The k = 0 row is a plain read"), notes);
    assertTrue(notes.contains("At 64 MiB, k = 4 (2.51 ± 1.03 ms) and k = 8 (2.56 ± 0.14 ms) are not told apart"),
        notes);
    assertTrue(!notes.contains("At 4 MiB"), "at 4 MiB k = 8 takes twice k = 4's time, as it should: " + notes);
  }

  private static void assertValidPng(Path file) throws IOException {
    assertTrue(Files.isRegularFile(file), file + " missing");
    byte[] bytes = Files.readAllBytes(file);
    assertTrue(bytes.length > 1000, file + " is too small: " + bytes.length + " bytes");
    byte[] signature = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    assertArrayEquals(signature, Arrays.copyOf(bytes, 8), file + " is not a PNG");
    BufferedImage image = ImageIO.read(file.toFile());
    assertNotNull(image, file + " does not decode");
    assertEquals(Charts.WIDTH, image.getWidth());
    assertEquals(Charts.HEIGHT, image.getHeight());
  }
}
