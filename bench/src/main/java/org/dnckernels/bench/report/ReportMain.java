package org.dnckernels.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.dnckernels.KernelSpec;
import org.dnckernels.bench.BenchShapes;
import org.dnckernels.bench.Workload;
import org.dnckernels.bench.report.ReportData.KernelRow;
import org.dnckernels.bench.report.ReportData.ThreadRow;
import org.dnckernels.bench.report.ReportData.TriadRow;

/**
 * Renders a report folder from a JMH JSON result file: {@code report.md}, {@code index.html}, the charts as PNG
 * files, {@code results.csv}, and copies of the JSON and of the machine sidecar.
 *
 * <pre>
 *   java -Djava.awt.headless=true -cp benchmarks.jar org.dnckernels.bench.report.ReportMain \
 *       --from results.json [--machine machine.json] [--out report/mine]
 * </pre>
 *
 * Without {@code --machine}, a {@value MachineInfo#FILE_NAME} or {@code <name>.machine.json} next to the JSON is
 * used; without either, the machine is marked unknown.
 */
public final class ReportMain {
  public static final String RESULTS_FILE = "results.json";

  private ReportMain() {}

  public static void main(String[] args) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Path from = null, machine = null, out = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--from" -> from = Path.of(value(args, ++i, "--from"));
        case "--machine" -> machine = Path.of(value(args, ++i, "--machine"));
        case "--out" -> out = Path.of(value(args, ++i, "--out"));
        case "-h", "--help" -> {
          System.out.println("usage: ReportMain --from results.json [--machine machine.json] [--out DIR]");
          return;
        }
        default -> throw new IllegalArgumentException("unknown argument: " + args[i] + " (see --help)");
      }
    }
    if (from == null) {
      throw new IllegalArgumentException("--from results.json is required");
    }
    if (out == null) {
      out = Path.of("report", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss")));
    }
    Path index = render(from, Optional.ofNullable(machine), out);
    System.out.println("report: " + index.toAbsolutePath());
  }

  private static String value(String[] args, int i, String name) {
    if (i >= args.length) {
      throw new IllegalArgumentException(name + " needs a value");
    }
    return args[i];
  }

  /** Writes the report folder and returns its {@code index.html}. */
  public static Path render(Path resultsJson, Optional<Path> machineJson, Path outDir) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<JmhResult> results = JmhResult.read(resultsJson);
    MachineInfo machine = machineInfo(resultsJson, machineJson, results);
    Files.createDirectories(outDir);
    Path jsonCopy = outDir.resolve(RESULTS_FILE);
    if (!Files.exists(jsonCopy) || !Files.isSameFile(jsonCopy, resultsJson)) {
      Files.copy(resultsJson, jsonCopy, StandardCopyOption.REPLACE_EXISTING);
    }
    machine.write(outDir.resolve(MachineInfo.FILE_NAME));

    ReportData data = ReportData.from(results);
    Document doc = build(data, machine, results, new Charts(outDir));
    Files.writeString(outDir.resolve("report.md"), doc.toMarkdown());
    Path index = outDir.resolve("index.html");
    Files.writeString(index, doc.toHtml());
    Files.writeString(outDir.resolve("results.csv"), csv(data));
    return index;
  }

  private static MachineInfo machineInfo(Path resultsJson, Optional<Path> machineJson, List<JmhResult> results)
      throws IOException {
    Path dir = resultsJson.toAbsolutePath().getParent();
    String base = resultsJson.getFileName().toString().replaceFirst("\\.json$", "");
    List<Path> candidates = new ArrayList<>();
    machineJson.ifPresent(candidates::add);
    candidates.add(dir.resolve(base + ".machine.json"));
    candidates.add(dir.resolve(MachineInfo.FILE_NAME));
    for (Path p : candidates) {
      if (Files.isRegularFile(p)) {
        return MachineInfo.read(p);
      }
    }
    if (machineJson.isPresent()) {
      throw new IOException(machineJson.get() + ": no such file");
    }
    // no sidecar: the JVM is all JMH recorded
    MachineInfo unknown = MachineInfo.unknown();
    return results.isEmpty() ? unknown
        : unknown.withJdk(results.get(0).vmName() + " " + results.get(0).jdkVersion() + " (from the JMH JSON)");
  }

  static Document build(ReportData data, MachineInfo m, List<JmhResult> results, Charts charts) throws IOException {
    Document doc = new Document("dnc-kernels performance report");
    int forks = results.isEmpty() ? 0 : results.get(0).forks();
    int iterations = results.isEmpty() ? 0 : results.get(0).iterations();
    doc.paragraph("Run " + m.started() + ", profile **" + m.profile() + "**, " + results.size()
        + " benchmark results (" + forks + " fork × " + iterations + " measurement iterations each)"
        + (Double.isFinite(m.durationSeconds())
            ? String.format(Locale.ROOT, ", %.0f s of benchmarking", m.durationSeconds()) : "")
        + ". Time is the average per call (JMH `avgt`); ± is JMH's score error, the half-width of the 99.9% "
        + "confidence interval. Bytes moved per call come from one model (`Workload`), shown per kernel below; see "
        + "`docs/benchmarks.md` for how to read this report.");

    doc.heading(2, "Machine");
    Document.TableBuilder mt = new Document.TableBuilder().text("").text("");
    mt.row("CPU", m.cpuModel());
    mt.row("cores", m.cores() > 0 ? Integer.toString(m.cores()) : MachineInfo.UNKNOWN);
    mt.row("memory", m.memory());
    mt.row("OS", m.os());
    mt.row("JDK", m.jdk());
    if (!results.isEmpty()) {
      JmhResult first = results.get(0);
      mt.row("benchmark JVM", first.vmName() + " " + first.jdkVersion() + ", args " + String.join(" ", first.jvmArgs()));
    }
    mt.row("vector species", m.vectorSpecies());
    data.dramTriad().ifPresent(t -> mt.row("bandwidth (triad, " + Format.bytes(t.kib() * 1024) + ", 1 thread)",
        Format.gbps(t.gbps()) + " GB/s"));
    if (!m.command().isEmpty()) {
      mt.row("command", "`" + String.join(" ", m.command()) + "`");
    }
    doc.table(mt.build());

    doc.heading(2, "Backends");
    if (m.backends().isEmpty()) {
      doc.paragraph("Backends were not recorded (no machine sidecar). Measured: " + String.join(", ", data.backends())
          + ".");
    } else {
      Document.TableBuilder bt = new Document.TableBuilder().text("backend").text("available").text("description, or why not");
      for (MachineInfo.Backend b : m.backends()) {
        bt.row(b.name(), b.available() ? "yes" : "no",
            b.detail() + (b.hint() == null || b.hint().isBlank() ? "" : " (" + b.hint() + ")"));
      }
      doc.table(bt.build());
    }

    headline(doc, data);
    memoryStepSection(doc, data, charts);
    gradientSection(doc, data);
    triadSection(doc, data, charts);

    List<String> shapes = data.shapes();
    if (data.backends().size() > 1) {
      doc.heading(2, "Speedup over scalar");
      doc.paragraph("Scalar time divided by the backend's time, kernel only, for the same shape in the same run "
          + "(above 1: faster than scalar). Error bars combine both scores' errors.");
      for (String shape : shapes) {
        charts.speedups(data, shape).ifPresent(f -> doc.image(f, "speedup at " + shape));
      }
    }
    doc.heading(2, "Achieved bandwidth");
    doc.paragraph("Bytes moved per call (the model) divided by the time per call. The grey bar is the triad "
        + "baseline over the working set nearest the kernel's, so a bar as tall as the grey one runs at the "
        + "machine's bandwidth for data of that size; far below it, the kernel is bound by compute, latency or "
        + "call overhead rather than by memory.");
    for (String shape : shapes) {
      charts.bandwidth(data, shape).ifPresent(f -> doc.image(f, "bandwidth at " + shape));
    }

    doc.heading(2, "Kernels");
    doc.paragraph("Each kernel × shape × backend. GB/s: bytes moved / time. Of triad: GB/s as a fraction of the "
        + "triad over the nearest working set (size in brackets). Speedup: scalar time / this time. B/op: bytes "
        + "allocated per call (`-prof gc`, `gc.alloc.rate.norm`, all threads; on calls of milliseconds JMH's own per-iteration allocation dominates it, see †).");
    for (String kernel : data.kernels()) {
      doc.heading(3, kernel);
      doc.paragraph("Bytes moved: " + Workload.FORMULAS.getOrDefault(kernel, "not modelled") + ".");
      doc.image(charts.kernelTimes(data, kernel), kernel + " time per call");
      doc.table(kernelTable(data.rows(kernel)));
      allocationNote(doc, data.rows(kernel));
    }

    threadSection(doc, data, charts);
    skippedSection(doc, data, m, results);
    return doc;
  }

  /** The few numbers to read first: the step per backend, mean speedups, the bandwidth reached. */
  private static void headline(Document doc, ReportData data) {
    List<String> items = new ArrayList<>();
    for (String shape : data.shapes()) {
      List<KernelRow> step = data.rows("memoryStep").stream()
          .filter(r -> r.shape().equals(shape) && r.variant().equals(ReportData.KERNEL_ONLY)).toList();
      if (!step.isEmpty()) {
        List<String> parts = new ArrayList<>();
        for (KernelRow r : step) {
          parts.add(r.backend() + " " + Format.nanos(r.nanos())
              + (r.backend().equals("scalar") || !Double.isFinite(r.speedup())
                  ? "" : String.format(Locale.ROOT, " (%.1f× scalar)", r.speedup())));
        }
        items.add("Memory step at " + BenchShapes.label(shape) + ": " + String.join(", ", parts) + ".");
      }
    }
    for (String backend : data.backends()) {
      if (backend.equals("scalar")) {
        continue;
      }
      List<String> perShape = new ArrayList<>();
      for (String shape : data.shapes()) {
        double logSum = 0;
        int n = 0;
        for (KernelRow r : data.kernelRows()) {
          if (r.backend().equals(backend) && r.shape().equals(shape) && r.variant().equals(ReportData.KERNEL_ONLY)
              && Double.isFinite(r.speedup()) && r.speedup() > 0) {
            logSum += Math.log(r.speedup());
            n++;
          }
        }
        if (n > 0) {
          perShape.add(String.format(Locale.ROOT, "%.1f× at %s (%d kernels)", Math.exp(logSum / n),
              BenchShapes.label(shape), n));
        }
      }
      if (!perShape.isEmpty()) {
        items.add("Geometric-mean speedup of " + backend + " over scalar: " + String.join("; ", perShape) + ".");
      }
    }
    data.dramTriad().ifPresent(t -> items.add("Machine bandwidth (triad, " + Format.bytes(t.kib() * 1024)
        + ", one thread): " + Format.gbps(t.gbps()) + " GB/s."));
    data.kernelRows().stream()
        .filter(r -> r.variant().equals(ReportData.KERNEL_ONLY) && Double.isFinite(r.fraction())
            && r.footprint() >= 16L << 20)
        .max(java.util.Comparator.comparingDouble(KernelRow::fraction))
        .ifPresent(r -> items.add("Highest fraction of bandwidth on DRAM-sized data: " + r.kernel() + " on "
            + r.backend() + " at " + BenchShapes.label(r.shape()) + ", " + Format.gbps(r.gbps()) + " GB/s = "
            + Format.percent(r.fraction()) + " of the " + Format.bytes(r.triadKib() * 1024) + " triad."));
    if (!items.isEmpty()) {
      doc.heading(2, "Headline");
      doc.bullets(items);
    }
  }

  private static void memoryStepSection(Document doc, ReportData data, Charts charts) throws IOException {
    List<KernelRow> rows = data.rows("memoryStep");
    if (rows.isEmpty()) {
      return;
    }
    doc.heading(2, "Memory step");
    doc.paragraph("One whole DNC memory step (usage, allocation, write, link, precedence, read) per backend.");
    Document.TableBuilder t = new Document.TableBuilder().text("shape").text("backend").text("variant")
        .number("time per step").number("steps/s").number("GB/s").number("speedup vs scalar").number("B/op");
    for (KernelRow r : rows) {
      t.row(BenchShapes.label(r.shape()), r.backend(), r.variant(), Format.nanosWithError(r.nanos(), r.errorNanos()),
          String.format(Locale.ROOT, "%,.0f", 1e9 / r.nanos()), Format.gbps(r.gbps()),
          Format.speedup(r.speedup(), r.speedupError()), Format.kernelAllocation(r.allocBytesPerOp()));
    }
    doc.table(t.build());
    allocationNote(doc, rows);
    charts.memoryStep(data).ifPresent(f -> doc.image(f, "memory step time per backend"));
  }

  /**
   * Each backward next to its forward: both times from the same run, their ratio, and for the memory step the
   * time of a training step (forward + backward) over the forward's.
   */
  private static void gradientSection(Document doc, ReportData data) {
    Document.TableBuilder t = new Document.TableBuilder().text("kernel").text("shape").text("backend")
        .number("forward").number("backward").number("backward / forward").number("(forward + backward) / forward");
    int rows = 0;
    for (String kernel : data.kernels()) {
      KernelSpec spec = KernelSpec.byMethod(kernel);
      if (spec.isBackward()) {
        continue;
      }
      for (KernelRow f : data.rows(kernel)) {
        if (!f.variant().equals(ReportData.KERNEL_ONLY)) {
          continue;
        }
        Optional<KernelRow> b = data.rows(spec.backward().method()).stream()
            .filter(r -> r.variant().equals(ReportData.KERNEL_ONLY) && r.shape().equals(f.shape())
                && r.backend().equals(f.backend()))
            .findFirst();
        if (b.isEmpty()) {
          continue;
        }
        double ratio = b.get().nanos() / f.nanos();
        t.row(kernel, BenchShapes.label(f.shape()), f.backend(), Format.nanosWithError(f.nanos(), f.errorNanos()),
            Format.nanosWithError(b.get().nanos(), b.get().errorNanos()), String.format(Locale.ROOT, "%.2f", ratio),
            String.format(Locale.ROOT, "%.2f", 1 + ratio));
        rows++;
      }
    }
    if (rows == 0) {
      return;
    }
    doc.heading(2, "Gradients");
    doc.paragraph("Each kernel's backward (vector-Jacobian product) next to its forward, kernel only, from the same "
        + "run. For the memory step, (forward + backward) / forward is the cost of a training step over an "
        + "inference step; the sum of the two measured means, without the copy of the state a tape keeps.");
    doc.table(t.build());
  }

  private static void triadSection(Document doc, ReportData data, Charts charts) throws IOException {
    if (data.triadRows().isEmpty()) {
      doc.heading(2, "Bandwidth baseline");
      doc.paragraph("No triad results: GB/s are shown without a fraction of the machine's bandwidth.");
      return;
    }
    doc.heading(2, "Bandwidth baseline");
    doc.paragraph("The STREAM triad a[i] = b[i] + s·c[i] on one thread over three float arrays of the given total "
        + "size, 12 bytes per element. Small sizes measure the caches, the largest one DRAM.");
    Document.TableBuilder t = new Document.TableBuilder().number("working set").number("time per call")
        .number("GB/s").number("B/op");
    for (TriadRow r : data.triadRows()) {
      t.row(Format.bytes(r.kib() * 1024), Format.nanosWithError(r.nanos(), r.errorNanos()), Format.gbps(r.gbps()),
          Format.allocation(r.allocBytesPerOp()));
    }
    doc.table(t.build());
    charts.triad(data).ifPresent(f -> doc.image(f, "triad bandwidth by working set"));
    if (!data.ceilingRows().isEmpty()) {
      doc.paragraph("Compute ceiling: one thread streams one float array and does k lane FMAs per vector loaded, "
          + "with nothing else in the loop. It is the most a kernel with that FMA density can reach on one core "
          + "here: forward/backward with R read heads does 2R FMAs per link-matrix vector (k = 8 for R = 4), read "
          + "R per memory vector. Of triad: against the triad over the nearest working set.");
      Document.TableBuilder c = new Document.TableBuilder().number("array").number("FMAs per vector")
          .number("time per call").number("GB/s").number("of triad");
      for (ReportData.CeilingRow r : data.ceilingRows()) {
        c.row(Format.bytes(r.kib() * 1024), Integer.toString(r.fmasPerVector()),
            Format.nanosWithError(r.nanos(), r.errorNanos()), Format.gbps(r.gbps()), Format.percent(r.fraction()));
      }
      doc.table(c.build());
    }
    List<ReportData.CeilingFraction> fractions = data.ceilingFractions();
    if (!fractions.isEmpty()) {
      doc.paragraph("Link passes against the compute ceiling at their FMA density (2R FMAs per link-matrix vector), "
          + "over the working set nearest their footprint. The ceiling is one core: a backend on several threads "
          + "can pass 100%; run with --simd-threads 1 for the per-core fraction. The error propagates both JMH "
          + "errors.");
      Document.TableBuilder f = new Document.TableBuilder().text("kernel").text("shape").text("backend")
          .number("GB/s").number("ceiling").number("of ceiling");
      for (ReportData.CeilingFraction r : fractions) {
        f.row(r.kernel(), r.shape(), r.backend(), Format.gbps(r.gbps()),
            Format.gbps(r.ceilingGbps()) + " (" + Format.bytes(r.ceilingKib() * 1024) + ")",
            Format.percent(r.fraction()) + " ± " + Format.percent(r.fractionError()));
      }
      doc.table(f.build());
    }
  }

  private static void threadSection(Document doc, ReportData data, Charts charts) throws IOException {
    if (data.threadRows().isEmpty()) {
      return;
    }
    doc.heading(2, "Thread scaling");
    doc.paragraph("The SIMD memory step with 1 and 2 worker threads (`dnc.kernels.simd.threads`).");
    Document.TableBuilder t = new Document.TableBuilder().text("backend").text("shape").number("threads")
        .number("time per step").number("speedup vs 1 thread").number("B/op");
    for (ThreadRow r : data.threadRows()) {
      t.row(r.backend(), BenchShapes.label(r.shape()), Integer.toString(r.threads()),
          Format.nanosWithError(r.nanos(), r.errorNanos()), Format.speedup(r.speedup(), Double.NaN),
          Format.allocation(r.allocBytesPerOp()));
    }
    doc.table(t.build());
    charts.threads(data).ifPresent(f -> doc.image(f, "memory step by threads"));
  }

  private static void skippedSection(Document doc, ReportData data, MachineInfo m, List<JmhResult> results) {
    List<String> items = new ArrayList<>();
    for (MachineInfo.Skipped s : m.skipped()) {
      items.add(s.what() + ": " + s.reason());
    }
    for (String u : data.unrecognised()) {
      items.add("not part of the report (unknown benchmark): " + u);
    }
    if (m.plannedCases() > 0 && m.plannedCases() != results.size()) {
      items.add((m.plannedCases() - results.size()) + " of " + m.plannedCases()
          + " planned cases have no result (they failed: see jmh.log)");
    }
    if (!items.isEmpty()) {
      doc.heading(2, "Not measured");
      doc.bullets(items);
    }
  }

  static Document.Table kernelTable(List<KernelRow> rows) {
    Document.TableBuilder t = new Document.TableBuilder().text("shape").text("backend").text("variant")
        .number("time per call").number("GB/s").number("of triad").number("speedup vs scalar").number("B/op");
    for (KernelRow r : rows) {
      t.row(BenchShapes.label(r.shape()), r.backend(), r.variant(), Format.nanosWithError(r.nanos(), r.errorNanos()),
          Format.gbps(r.gbps()),
          r.triadKib() > 0 ? Format.percent(r.fraction()) + " (" + Format.bytes(r.triadKib() * 1024) + ")" : Format.NONE,
          Format.speedup(r.speedup(), r.speedupError()), Format.kernelAllocation(r.allocBytesPerOp()));
    }
    return t.build();
  }

  /** Explains † when a table has one. */
  private static void allocationNote(Document doc, List<KernelRow> rows) {
    if (rows.stream().anyMatch(r -> r.allocBytesPerOp() >= Format.ALLOCATION_FLAG_BYTES)) {
      doc.paragraph("† 1 KiB or more allocated per call. JMH's gc profiler counts what every thread of the "
          + "benchmark JVM allocates during an iteration, and its own harness allocates a roughly fixed amount per "
          + "iteration: for a call of milliseconds (a few calls per iteration) that amount dominates, and B/op falls "
          + "in proportion as iterations lengthen (measured: scalar linkUpdate at B16 N1024, 622 KB/op with 1 s "
          + "iterations, 152 KB/op with 4 s; the kernel itself allocates nothing). Otherwise it means the kernel "
          + "allocates, or (SIMD) its Vector API code was not yet compiled by C2 when it was measured (vectors are "
          + "then boxed objects): re-run it with a longer warmup and longer iterations (`--full`). The kernels' "
          + "zero allocation on the calling thread is checked by tests (SimdSteadyStateTest).");
    }
  }

  /** Every number of the report, one row per kernel × shape × backend × variant, for spreadsheets. */
  static String csv(ReportData data) {
    StringBuilder out = new StringBuilder("kernel,shape,backend,variant,ns_per_call,error_ns,bytes_moved,"
        + "footprint_bytes,gb_per_s,triad_kib,triad_gb_per_s,fraction_of_triad,speedup_vs_scalar,speedup_error,"
        + "alloc_bytes_per_op\n");
    for (KernelRow r : data.kernelRows()) {
      out.append(String.join(",", r.kernel(), r.shape(), r.backend(), r.variant(), num(r.nanos()),
          num(r.errorNanos()), Long.toString(r.bytesMoved()), Long.toString(r.footprint()), num(r.gbps()),
          Long.toString(r.triadKib()), num(r.triadGbps()), num(r.fraction()), num(r.speedup()),
          num(r.speedupError()), num(r.allocBytesPerOp()))).append('\n');
    }
    for (TriadRow r : data.triadRows()) {
      out.append(String.join(",", "triad", r.kib() + "KiB", "", "baseline", num(r.nanos()), num(r.errorNanos()),
          Long.toString(r.bytesMoved()), Long.toString(r.kib() * 1024), num(r.gbps()), Long.toString(r.kib()),
          num(r.gbps()), "1", "", "", num(r.allocBytesPerOp()))).append('\n');
    }
    for (ReportData.CeilingRow r : data.ceilingRows()) {
      out.append(String.join(",", "ceiling-fma" + r.fmasPerVector(), r.kib() + "KiB", "", "baseline", num(r.nanos()),
          num(r.errorNanos()), Long.toString(r.kib() * 1024), Long.toString(r.kib() * 1024), num(r.gbps()), "",
          "", num(r.fraction()), "", "", "")).append('\n');
    }
    return out.toString();
  }

  private static String num(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "";
  }
}
