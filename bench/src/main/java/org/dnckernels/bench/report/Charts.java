package org.dnckernels.bench.report;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.DoubleStream;
import org.dnckernels.bench.BenchShapes;
import org.dnckernels.bench.report.ReportData.KernelRow;
import org.dnckernels.bench.report.ReportData.ThreadRow;
import org.dnckernels.bench.report.ReportData.TriadRow;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler.LegendPosition;

/**
 * The report's charts, drawn with XChart and written as PNG files. Bar charts of time are on a log axis (a kernel
 * spans three orders of magnitude across shapes); their error bars are JMH's score error (see {@link #logError}).
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

  /** Time per call of one kernel: shapes on x, one bar per backend (and per backend with transfers). */
  String kernelTimes(ReportData data, String kernel) throws IOException {
    List<KernelRow> rows = data.rows(kernel);
    List<String> shapes = rows.stream().map(KernelRow::shape).distinct().sorted(ReportData.shapeOrder()).toList();
    CategoryChart chart = chart(kernel + ": time per call (error bars: JMH 99.9% score error)",
        "shape", "µs per call (log scale)");
    logAxis(chart, rows.stream().mapToDouble(r -> r.nanos() / logError(r.nanos(), r.errorNanos()) / 1e3).min(),
        rows.stream().mapToDouble(r -> (r.nanos() + finiteOrZero(r.errorNanos())) / 1e3).max());
    for (String variant : List.of(ReportData.KERNEL_ONLY, ReportData.TRANSFER)) {
      for (String backend : data.backends()) {
        List<Double> y = new ArrayList<>(), e = new ArrayList<>();
        boolean any = false;
        for (String shape : shapes) {
          Optional<KernelRow> r = data.row(kernel, shape, backend, variant);
          y.add(r.map(k -> k.nanos() / 1e3).orElse(null));
          e.add(r.map(k -> logError(k.nanos(), k.errorNanos())).orElse(null));
          any |= r.isPresent();
        }
        if (any) {
          add(chart, seriesName(backend, variant), labels(shapes), y, e);
        }
      }
    }
    return save(chart, "time-" + kernel);
  }

  /** Speedup over scalar of every kernel at one shape (kernel-only results; 1 = as fast as scalar). */
  Optional<String> speedups(ReportData data, String shape) throws IOException {
    List<String> backends = data.backends().stream().filter(b -> !b.equals("scalar")).toList();
    List<String> kernels = data.kernels().stream()
        .filter(k -> backends.stream().anyMatch(b -> rowSpeedup(data, k, shape, b).isPresent())).toList();
    if (kernels.isEmpty()) {
      return Optional.empty();
    }
    CategoryChart chart = chart("speedup over scalar at " + BenchShapes.label(shape) + " (line: scalar = 1)",
        "kernel", "scalar time / backend time (log scale)");
    chart.getStyler().setXAxisLabelRotation(40);
    List<KernelRow> rows = kernels.stream().flatMap(k -> backends.stream().map(b -> rowSpeedup(data, k, shape, b)))
        .flatMap(Optional::stream).toList();
    // ratios belong on a log axis: 0.5× and 2× are as far from 1
    logAxis(chart, DoubleStream.concat(DoubleStream.of(1),
            rows.stream().mapToDouble(r -> r.speedup() / logError(r.speedup(), r.speedupError()))).min(),
        DoubleStream.concat(DoubleStream.of(1),
            rows.stream().mapToDouble(r -> r.speedup() + finiteOrZero(r.speedupError()))).max());
    for (String backend : backends) {
      List<Double> y = new ArrayList<>(), e = new ArrayList<>();
      boolean any = false;
      for (String kernel : kernels) {
        Optional<KernelRow> r = rowSpeedup(data, kernel, shape, backend);
        y.add(r.map(KernelRow::speedup).orElse(null));
        e.add(r.map(k -> logError(k.speedup(), k.speedupError())).orElse(null));
        any |= r.isPresent();
      }
      if (any) {
        add(chart, backend, kernels, y, e);
      }
    }
    chart.addAnnotation(new AnnotationLine(1.0, false, false));
    return Optional.of(save(chart, "speedup-" + shape));
  }

  /** Achieved GB/s of every kernel at one shape, next to the triad at the same working set. */
  Optional<String> bandwidth(ReportData data, String shape) throws IOException {
    List<String> kernels = data.kernels().stream()
        .filter(k -> data.backends().stream().anyMatch(b -> data.row(k, shape, b, ReportData.KERNEL_ONLY).isPresent()))
        .toList();
    if (kernels.isEmpty()) {
      return Optional.empty();
    }
    CategoryChart chart = chart("achieved bandwidth at " + BenchShapes.label(shape)
        + " (grey: triad over the same working set)", "kernel", "GB/s, bytes moved / time (log scale)");
    chart.getStyler().setXAxisLabelRotation(40);
    List<KernelRow> rows = kernels.stream().flatMap(k -> data.backends().stream()
        .map(b -> data.row(k, shape, b, ReportData.KERNEL_ONLY)).flatMap(Optional::stream)).toList();
    logAxis(chart, DoubleStream.concat(rows.stream().mapToDouble(KernelRow::gbps),
            rows.stream().mapToDouble(KernelRow::triadGbps).filter(Double::isFinite)).min(),
        DoubleStream.concat(rows.stream().mapToDouble(KernelRow::gbps),
            rows.stream().mapToDouble(KernelRow::triadGbps).filter(Double::isFinite)).max());
    for (String backend : data.backends()) {
      List<Double> y = new ArrayList<>();
      boolean any = false;
      for (String kernel : kernels) {
        Optional<KernelRow> r = data.row(kernel, shape, backend, ReportData.KERNEL_ONLY);
        y.add(r.map(KernelRow::gbps).orElse(null));
        any |= r.isPresent();
      }
      if (any) {
        add(chart, backend, kernels, y, null);
      }
    }
    if (!data.triadRows().isEmpty()) {
      List<Double> y = new ArrayList<>();
      for (String kernel : kernels) {
        y.add(data.backends().stream().map(b -> data.row(kernel, shape, b, ReportData.KERNEL_ONLY))
            .flatMap(Optional::stream).map(KernelRow::triadGbps).findFirst().orElse(null));
      }
      CategorySeries s = chart.addSeries("triad", kernels, y);
      color(s, TRIAD);
    }
    return Optional.of(save(chart, "bandwidth-" + shape));
  }

  /** The memory step per backend across shapes. */
  Optional<String> memoryStep(ReportData data) throws IOException {
    if (data.rows("memoryStep").isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(kernelTimes(data, "memoryStep"));
  }

  /** The bandwidth baseline: triad GB/s by working-set size. */
  Optional<String> triad(ReportData data) throws IOException {
    List<TriadRow> rows = data.triadRows();
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    CategoryChart chart = chart("bandwidth baseline: triad a[i] = b[i] + s·c[i] on one thread", "working set",
        "GB/s");
    List<String> x = rows.stream().map(t -> Format.bytes(t.kib() * 1024)).toList();
    List<Double> y = rows.stream().map(TriadRow::gbps).toList();
    // time error carried over to GB/s (relative error is the same)
    List<Double> e = rows.stream().map(t -> finiteOrZero(t.gbps() * t.errorNanos() / t.nanos())).toList();
    color(add(chart, "triad", x, y, e), TRIAD);
    return Optional.of(save(chart, "bandwidth-baseline"));
  }

  /** The SIMD memory step's time per step by worker threads. */
  Optional<String> threads(ReportData data) throws IOException {
    List<ThreadRow> rows = data.threadRows();
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    CategoryChart chart = chart("memory step by worker threads (error bars: JMH 99.9% score error)", "threads",
        "µs per step (log scale)");
    logAxis(chart, rows.stream().mapToDouble(r -> r.nanos() / logError(r.nanos(), r.errorNanos()) / 1e3).min(),
        rows.stream().mapToDouble(r -> (r.nanos() + finiteOrZero(r.errorNanos())) / 1e3).max());
    for (String key : rows.stream().map(r -> r.backend() + " " + BenchShapes.label(r.shape())).distinct().toList()) {
      List<ThreadRow> series = rows.stream().filter(r -> (r.backend() + " " + BenchShapes.label(r.shape())).equals(key))
          .toList();
      CategorySeries s = add(chart, key, series.stream().map(r -> Integer.toString(r.threads())).toList(),
          series.stream().map(r -> r.nanos() / 1e3).toList(),
          series.stream().map(r -> logError(r.nanos(), r.errorNanos())).toList());
      color(s, BACKEND_COLORS.getOrDefault(series.get(0).backend(), OTHER));
    }
    return Optional.of(save(chart, "thread-scaling"));
  }

  /**
   * A log y axis from the decade below {@code min} to the decade above {@code max}. XChart anchors bars at zero
   * unless the axis has an explicit minimum, and a log axis has no zero.
   */
  private static void logAxis(CategoryChart chart, OptionalDouble min, OptionalDouble max) {
    double lo = Math.max(min.orElse(1), 1e-9), hi = Math.max(max.orElse(10), lo * 10);
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(lo))));
    chart.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(hi))));
    chart.getStyler().setYAxisDecimalPattern("#,##0.###");
  }

  private static Optional<KernelRow> rowSpeedup(ReportData data, String kernel, String shape, String backend) {
    return data.row(kernel, shape, backend, ReportData.KERNEL_ONLY).filter(r -> Double.isFinite(r.speedup()));
  }

  private static CategoryChart chart(String title, String xTitle, String yTitle) {
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
        .yAxisTitle(yTitle).build();
    chart.getStyler().setLegendPosition(LegendPosition.OutsideE);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotGridVerticalLinesVisible(false);
    chart.getStyler().setErrorBarsColor(Color.BLACK);
    chart.getStyler().setAvailableSpaceFill(0.8);
    return chart;
  }

  private static CategorySeries add(CategoryChart chart, String name, List<String> x, List<Double> y,
      List<Double> errors) {
    CategorySeries s = errors == null ? chart.addSeries(name, x, y) : chart.addSeries(name, x, y, errors);
    color(s, BACKEND_COLORS.getOrDefault(name, OTHER));
    return s;
  }

  private static void color(CategorySeries s, Color c) {
    s.setFillColor(c);
    s.setLineColor(c);
    s.setMarkerColor(c);
  }

  private static String seriesName(String backend, String variant) {
    return variant.equals(ReportData.TRANSFER) ? backend + " + transfer" : backend;
  }

  private static List<String> labels(List<String> shapes) {
    return shapes.stream().map(BenchShapes::label).toList();
  }

  /**
   * The error bar to hand XChart on a log axis. XChart 3.8 draws a log axis' error bar as log10(bar) ± log10(e), so
   * {@code 1 + error/value} puts the top exactly at value + error and the bottom at value / (1 + error/value),
   * which is value − error to first order and never reaches zero.
   */
  static double logError(double value, double error) {
    return 1 + finiteOrZero(error) / value;
  }

  private static double finiteOrZero(double v) {
    return Double.isFinite(v) ? v : 0.0;
  }

  private String save(CategoryChart chart, String name) throws IOException {
    String file = name.replaceAll("[^A-Za-z0-9._-]", "_") + ".png";
    Files.createDirectories(dir);
    BitmapEncoder.saveBitmap(chart, dir.resolve(file).toString(), BitmapFormat.PNG);
    return file;
  }
}
