package org.dnckernels.bench.report;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dnckernels.bench.BenchShapes;
import org.dnckernels.bench.report.ReportData.KernelRow;
import org.dnckernels.bench.report.ReportData.ThreadRow;
import org.dnckernels.bench.report.ReportData.TriadRow;

/**
 * The report's charts as PNG files ({@link Plot}). Values that span orders of magnitude (time per call across
 * shapes, speedups, achieved bandwidth across kernels) are points on a log axis; values compared by length (the
 * triad by working set, the step by threads) are bars on a linear axis from zero. Whiskers everywhere are value ±
 * JMH's score error (for ratios, the propagated error), cut at the axis ends.
 */
final class Charts {
  static final int WIDTH = 1000;
  static final int HEIGHT = 520;

  private static final Map<String, Color> BACKEND_COLORS = Map.of(
      "scalar", new Color(0x4C, 0x72, 0xB0),
      "simd", new Color(0xDD, 0x84, 0x52),
      "cuda", new Color(0x55, 0xA8, 0x68),
      "cuda + transfer", new Color(0xA6, 0xD8, 0x54));
  private static final Color TRIAD = new Color(0x99, 0x99, 0x99);
  private static final Color OTHER = new Color(0x81, 0x72, 0xB3);

  private final Path dir;

  Charts(Path dir) {
    this.dir = dir;
  }

  /** Time per call of one kernel: shapes on x, one point per backend (and per backend with transfers). */
  String kernelTimes(ReportData data, String kernel) throws IOException {
    List<KernelRow> rows = data.rows(kernel);
    List<String> shapes = rows.stream().map(KernelRow::shape).distinct().sorted(ReportData.shapeOrder()).toList();
    Plot plot = new Plot(kernel + ": time per call (whiskers: ± JMH 99.9% score error)", "shape",
        "µs per call (log scale)", Plot.Style.POINTS_LOG);
    for (String variant : List.of(ReportData.KERNEL_ONLY, ReportData.TRANSFER)) {
      for (String backend : data.backends()) {
        if (shapes.stream().noneMatch(s -> data.row(kernel, s, backend, variant).isPresent())) {
          continue;
        }
        String name = seriesName(backend, variant);
        plot.series(name, color(name), Plot.Marker.CIRCLE);
      }
    }
    for (String shape : shapes) {
      for (String variant : List.of(ReportData.KERNEL_ONLY, ReportData.TRANSFER)) {
        for (String backend : data.backends()) {
          Optional<KernelRow> r = data.row(kernel, shape, backend, variant);
          String label = BenchShapes.label(shape);
          if (r.isPresent()) {
            plot.add(label, seriesName(backend, variant), r.get().nanos() / 1e3, r.get().errorNanos() / 1e3);
          }
        }
      }
    }
    return save(plot, "time-" + kernel);
  }

  /** Speedup over scalar of every kernel at one shape (kernel-only results; 1 = as fast as scalar). */
  Optional<String> speedups(ReportData data, String shape) throws IOException {
    List<String> backends = data.backends().stream().filter(b -> !b.equals("scalar")).toList();
    List<String> kernels = data.kernels().stream()
        .filter(k -> backends.stream().anyMatch(b -> rowSpeedup(data, k, shape, b).isPresent())).toList();
    if (kernels.isEmpty()) {
      return Optional.empty();
    }
    // ratios belong on a log axis: 0.5× and 2× are as far from 1
    Plot plot = new Plot("speedup over scalar at " + BenchShapes.label(shape) + " (dashed: scalar = 1; whiskers: "
        + "± propagated error)", "kernel", "scalar time / backend time (log scale)", Plot.Style.POINTS_LOG);
    for (String backend : backends) {
      plot.series(backend, color(backend), Plot.Marker.CIRCLE);
    }
    for (String kernel : kernels) {
      for (String backend : backends) {
        rowSpeedup(data, kernel, shape, backend).ifPresent(r -> plot.add(kernel, backend, r.speedup(),
            r.speedupError()));
      }
    }
    plot.reference(1.0);
    return Optional.of(save(plot, "speedup-" + shape));
  }

  /** Achieved GB/s of every kernel at one shape, next to the triad over the working set nearest each kernel's. */
  Optional<String> bandwidth(ReportData data, String shape) throws IOException {
    List<String> kernels = data.kernels().stream()
        .filter(k -> data.backends().stream().anyMatch(b -> data.row(k, shape, b, ReportData.KERNEL_ONLY).isPresent()))
        .toList();
    if (kernels.isEmpty()) {
      return Optional.empty();
    }
    Plot plot = new Plot("achieved bandwidth at " + BenchShapes.label(shape)
        + " (grey: triad over the nearest working set)", "kernel", "GB/s, bytes moved / time (log scale)",
        Plot.Style.POINTS_LOG);
    for (String backend : data.backends()) {
      plot.series(backend, color(backend), Plot.Marker.CIRCLE);
    }
    boolean triads = !data.triadRows().isEmpty();
    if (triads) {
      plot.series("triad (nearest)", TRIAD, Plot.Marker.DIAMOND);
    }
    for (String kernel : kernels) {
      Optional<KernelRow> any = Optional.empty();
      for (String backend : data.backends()) {
        Optional<KernelRow> r = data.row(kernel, shape, backend, ReportData.KERNEL_ONLY);
        r.ifPresent(k -> plot.add(kernel, backend, k.gbps(), k.gbps() * k.errorNanos() / k.nanos()));
        any = any.or(() -> r);
      }
      if (triads) {
        any.flatMap(k -> data.triadRows().stream().filter(t -> t.kib() == k.triadKib()).findFirst())
            .ifPresent(t -> plot.add(kernel, "triad (nearest)", t.gbps(), t.gbpsError()));
      }
    }
    return Optional.of(save(plot, "bandwidth-" + shape));
  }

  /** The memory step per backend across shapes. */
  Optional<String> memoryStep(ReportData data) throws IOException {
    if (data.rows("memoryStep").isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(kernelTimes(data, "memoryStep"));
  }

  /** The bandwidth baseline: triad GB/s by working-set size, bars from zero. */
  Optional<String> triad(ReportData data) throws IOException {
    List<TriadRow> rows = data.triadRows();
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    Plot plot = new Plot("bandwidth baseline: triad a[i] = b[i] + s·c[i] on one thread (whiskers: ± error)",
        "working set", "GB/s", Plot.Style.BARS_LINEAR).series("triad", TRIAD, Plot.Marker.CIRCLE);
    for (TriadRow t : rows) {
      plot.add(Format.bytes(t.kib() * 1024), "triad", t.gbps(), t.gbpsError());
    }
    return Optional.of(save(plot, "bandwidth-baseline"));
  }

  /** The SIMD memory step's time per step by worker threads, bars from zero. */
  Optional<String> threads(ReportData data) throws IOException {
    List<ThreadRow> rows = data.threadRows();
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    Plot plot = new Plot("memory step by worker threads (whiskers: ± JMH 99.9% score error)", "threads",
        "µs per step", Plot.Style.BARS_LINEAR);
    for (ThreadRow r : rows) {
      String key = r.backend() + " " + BenchShapes.label(r.shape());
      plot.series(key, color(r.backend()), Plot.Marker.CIRCLE);
      plot.add(Integer.toString(r.threads()), key, r.nanos() / 1e3, r.errorNanos() / 1e3);
    }
    return Optional.of(save(plot, "thread-scaling"));
  }

  private static Optional<KernelRow> rowSpeedup(ReportData data, String kernel, String shape, String backend) {
    return data.row(kernel, shape, backend, ReportData.KERNEL_ONLY).filter(r -> Double.isFinite(r.speedup()));
  }

  private static Color color(String series) {
    return BACKEND_COLORS.getOrDefault(series, OTHER);
  }

  private static String seriesName(String backend, String variant) {
    return variant.equals(ReportData.TRANSFER) ? backend + " + transfer" : backend;
  }

  private String save(Plot plot, String name) throws IOException {
    String file = name.replaceAll("[^A-Za-z0-9._-]", "_") + ".png";
    Files.createDirectories(dir);
    plot.write(dir.resolve(file), WIDTH, HEIGHT);
    return file;
  }
}
