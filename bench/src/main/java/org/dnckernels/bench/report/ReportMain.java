package org.dnckernels.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
 * (the same as {@code BenchMain --from ...}: one command line for both).
 *
 * Without {@code --machine}, a {@value MachineInfo#FILE_NAME} or {@code <name>.machine.json} next to the JSON is
 * used; without either, the machine is marked unknown.
 */
public final class ReportMain {
  public static final String RESULTS_FILE = "results.json";

  private ReportMain() {}

  /** The same command line as {@link org.dnckernels.bench.BenchMain} (one parser), which needs {@code --from} here. */
  public static void main(String[] args) throws Exception {
    if (!java.util.Arrays.asList(args).contains("--from") && !java.util.Arrays.asList(args).contains("--help")
        && !java.util.Arrays.asList(args).contains("-h")) {
      System.err.println("error: ReportMain renders an existing result: --from results.json is required (see --help)");
      System.exit(2);
    }
    org.dnckernels.bench.BenchMain.main(args);
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
    Notes notes = new Notes();
    doc.paragraph("Run " + m.started() + ", profile **" + m.profile() + "**, " + results.size()
        + " benchmark results"
        + (Double.isFinite(m.durationSeconds())
            ? String.format(Locale.ROOT, ", %.0f s of benchmarking", m.durationSeconds()) : "")
        + ", commit " + commit(m) + ". Time is the average per call (JMH `avgt`); ± is JMH's score error, the "
        + "half-width of the 99.9% confidence interval. Every ratio (speedups, fractions of the triad or of a "
        + "ceiling) carries the error propagated from both scores (relative errors in quadrature); a ratio whose "
        + "error is more than half its value is printed as \"not settled (…)\" instead of a bare figure. Bytes "
        + "moved per call come from one model (`Workload`), shown per kernel below; see `docs/benchmarks.md` for how "
        + "to read this report.");

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
    mt.row("commit", commit(m));
    if (!results.isEmpty()) {
      mt.row("JMH", String.join(", ", results.stream().map(JmhResult::jmhVersion).distinct().toList()));
    }
    if (!m.command().isEmpty()) {
      mt.row("command", "`" + String.join(" ", m.command()) + "`");
    }
    doc.table(mt.build());
    settingsSection(doc, results);

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
    memoryStepSection(doc, data, charts, notes);
    gradientSection(doc, data);
    triadSection(doc, data, charts);

    List<String> shapes = data.shapes();
    if (data.backends().size() > 1) {
      doc.heading(2, "Speedup over scalar");
      doc.paragraph("Scalar time divided by the backend's time, kernel only, for the same shape in the same run "
          + "(above 1: faster than scalar), drawn as points on a log axis. Whiskers span speedup ± its error "
          + "(both scores' errors combined), cut at the bottom of the axis.");
      for (String shape : shapes) {
        charts.speedups(data, shape).ifPresent(f -> doc.image(f, "speedup at " + shape));
      }
    }
    doc.heading(2, "Achieved bandwidth");
    doc.paragraph("Bytes moved per call (the model) divided by the time per call, as points on a log axis with "
        + "whiskers at ± the error. The grey diamond is the triad baseline over the working set nearest each "
        + "kernel's footprint (the size in brackets in the kernel tables), so a point level with it runs at the "
        + "machine's bandwidth for data of that size; far below it, the kernel is bound by compute, latency or "
        + "call overhead rather than by memory.");
    for (String shape : shapes) {
      charts.bandwidth(data, shape).ifPresent(f -> doc.image(f, "bandwidth at " + shape));
    }

    doc.heading(2, "Kernels");
    doc.paragraph("Each kernel × shape × backend. GB/s: bytes moved / time. Of triad: GB/s as a fraction of the "
        + "triad over the nearest working set (size in brackets). Speedup: scalar time / this time. B/op: bytes "
        + "allocated per call (`-prof gc`, `gc.alloc.rate.norm`, all threads; on calls of milliseconds JMH's own "
        + "per-iteration allocation dominates it, see † under the memory step). The charts draw time per call as "
        + "points on a log axis, whiskers at ± the error.");
    for (String kernel : data.kernels()) {
      doc.heading(3, kernel);
      doc.paragraph("Bytes moved: " + Workload.FORMULAS.getOrDefault(kernel, "not modelled") + ".");
      doc.image(charts.kernelTimes(data, kernel), kernel + " time per call");
      doc.table(kernelTable(data.rows(kernel)));
      allocationNote(doc, data.rows(kernel), notes);
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
          parts.add(r.backend() + " " + Format.nanosWithError(r.nanos(), r.errorNanos())
              + (r.backend().equals("scalar") || !r.speedupRatio().isPresent()
                  ? "" : ", speedup " + Format.times(r.speedupRatio())));
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
        List<Ratio> speedups = data.kernelRows().stream()
            .filter(r -> r.backend().equals(backend) && r.shape().equals(shape)
                && r.variant().equals(ReportData.KERNEL_ONLY) && r.speedupRatio().isPresent() && r.speedup() > 0)
            .map(KernelRow::speedupRatio).toList();
        if (!speedups.isEmpty()) {
          perShape.add(Format.times(Ratio.geometricMean(speedups)) + " at " + BenchShapes.label(shape) + " ("
              + speedups.size() + " kernels)");
        }
      }
      if (!perShape.isEmpty()) {
        items.add("Geometric-mean speedup of " + backend + " over scalar: " + String.join("; ", perShape) + ".");
      }
    }
    data.dramTriad().ifPresent(t -> items.add("Machine bandwidth (triad, " + Format.bytes(t.kib() * 1024)
        + ", one thread): " + Format.gbpsWithError(t.gbps(), t.gbpsError()) + " GB/s."));
    // the highest settled fraction: an unsettled one may be highest only by its noise
    data.kernelRows().stream()
        .filter(r -> r.variant().equals(ReportData.KERNEL_ONLY) && Double.isFinite(r.fraction())
            && r.footprint() >= 16L << 20 && r.fractionRatio().settled())
        .max(java.util.Comparator.comparingDouble(KernelRow::fraction))
        .ifPresent(r -> items.add("Highest settled fraction of bandwidth on DRAM-sized data: " + r.kernel() + " on "
            + r.backend() + " at " + BenchShapes.label(r.shape()) + ", " + Format.gbps(r.gbps()) + " GB/s = "
            + Format.percent(r.fractionRatio()) + " of the " + Format.bytes(r.triadKib() * 1024) + " triad."));
    if (!items.isEmpty()) {
      doc.heading(2, "Headline");
      doc.bullets(items);
    }
  }

  /** The commit line of the header. */
  private static String commit(MachineInfo m) {
    return m.gitCommit() == null ? MachineInfo.UNKNOWN + " (not recorded)" : "`" + m.gitCommit() + "`";
  }

  /**
   * Forks, warmup and measurement per group of benchmarks with the same settings, and which groups warmed up
   * longer than the rest.
   */
  static void settingsSection(Document doc, List<JmhResult> results) {
    if (results.isEmpty()) {
      return;
    }
    java.util.Map<String, java.util.LinkedHashSet<String>> groups = new java.util.LinkedHashMap<>();
    java.util.Map<String, Double> warmup = new java.util.HashMap<>();
    java.util.Map<String, Integer> counts = new java.util.HashMap<>();
    for (JmhResult r : results) {
      String what = r.className() + (r.param("kernel") != null ? " " + r.param("kernel") : "");
      groups.computeIfAbsent(r.settings(), k -> new java.util.LinkedHashSet<>()).add(what);
      warmup.put(r.settings(), r.warmupMillis());
      counts.merge(r.settings(), 1, Integer::sum);
    }
    double shortest = warmup.values().stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).min()
        .orElse(Double.NaN);
    Document.TableBuilder t = new Document.TableBuilder().text("settings").number("results").text("benchmarks");
    List<String> longer = new ArrayList<>();
    for (var g : groups.entrySet()) {
      String members = describeMembers(g.getValue());
      t.row(g.getKey(), Integer.toString(counts.get(g.getKey())), members);
      if (warmup.get(g.getKey()) > shortest) {
        longer.add(members + " (" + g.getKey().replaceFirst(".*warmup ([^,]+),.*", "$1") + ")");
      }
    }
    doc.heading(2, "Settings");
    doc.paragraph("JMH settings per group of benchmarks, from the JSON (per fork: warmup iterations × length, then "
        + "measurement iterations × length)."
        + (longer.isEmpty() ? " Every group had the same warmup."
            : " Longer warmups: " + String.join("; ", longer) + ", because C2 compiles their large methods (and "
                + "the Vector API code in them) last; measured before that, a call is many times slower."));
    doc.table(t.build());
  }

  // "KernelBenchmark: memoryStep, contentWeights; ThreadScalingBenchmark", or a count for long kernel lists
  private static String describeMembers(java.util.Set<String> members) {
    java.util.Map<String, List<String>> byClass = new java.util.LinkedHashMap<>();
    for (String m : members) {
      int space = m.indexOf(' ');
      byClass.computeIfAbsent(space < 0 ? m : m.substring(0, space), k -> new ArrayList<>())
          .add(space < 0 ? "" : m.substring(space + 1));
    }
    List<String> parts = new ArrayList<>();
    for (var e : byClass.entrySet()) {
      List<String> kernels = e.getValue().stream().filter(k -> !k.isEmpty()).toList();
      parts.add(kernels.isEmpty() ? e.getKey()
          : kernels.size() > 6 ? e.getKey() + " (" + kernels.size() + " kernels)"
          : e.getKey() + ": " + String.join(", ", kernels));
    }
    return String.join("; ", parts);
  }

  private static void memoryStepSection(Document doc, ReportData data, Charts charts, Notes notes)
      throws IOException {
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
          Format.times(r.speedupRatio()), Format.kernelAllocation(r.allocBytesPerOp()));
    }
    doc.table(t.build());
    allocationNote(doc, rows, notes);
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
        Ratio ratio = Ratio.of(b.get().nanos(), b.get().errorNanos(), f.nanos(), f.errorNanos());
        t.row(kernel, BenchShapes.label(f.shape()), f.backend(), Format.nanosWithError(f.nanos(), f.errorNanos()),
            Format.nanosWithError(b.get().nanos(), b.get().errorNanos()), Format.plain(ratio),
            Format.plain(ratio.plus(1)));
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
      t.row(Format.bytes(r.kib() * 1024), Format.nanosWithError(r.nanos(), r.errorNanos()),
          Format.gbpsWithError(r.gbps(), r.gbpsError()), Format.allocation(r.allocBytesPerOp()));
    }
    doc.table(t.build());
    charts.triad(data).ifPresent(f -> doc.image(f, "triad bandwidth by working set"));
    if (!data.ceilingRows().isEmpty()) {
      doc.paragraph("Compute ceiling: one thread streams one float array and does k lane FMAs per vector loaded, "
          + "with nothing else in the loop. It is the most a kernel with that FMA density can reach on one core "
          + "here: forward/backward with R read heads does 2R FMAs per link-matrix vector (k = 8 for R = 4), read "
          + "R per memory vector. GB/s over triad: the row's GB/s against the triad over the nearest working set.");
      Document.TableBuilder c = new Document.TableBuilder().number("array").number("FMAs per vector")
          .number("time per call").number("GB/s").number("GB/s over triad");
      for (ReportData.CeilingRow r : data.ceilingRows()) {
        c.row(Format.bytes(r.kib() * 1024), Integer.toString(r.fmasPerVector()),
            Format.nanosWithError(r.nanos(), r.errorNanos()), Format.gbpsWithError(r.gbps(), r.gbpsError()),
            Format.percent(new Ratio(r.fraction(), r.fractionError())));
      }
      doc.table(c.build());
      doc.paragraph(ceilingNotes(data.ceilingRows()));
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
            Format.percent(new Ratio(r.fraction(), r.fractionError())));
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
          Format.nanosWithError(r.nanos(), r.errorNanos()), Format.times(r.speedupRatio()),
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
          r.triadKib() > 0 ? Format.percent(r.fractionRatio()) + " (" + Format.bytes(r.triadKib() * 1024) + ")"
              : Format.NONE,
          Format.times(r.speedupRatio()), Format.kernelAllocation(r.allocBytesPerOp()));
    }
    return t.build();
  }

  /** What the report has explained once already. */
  private static final class Notes {
    boolean dagger;
  }

  /** Explains † under the first table that has one; later tables point back to it. */
  private static void allocationNote(Document doc, List<KernelRow> rows, Notes notes) {
    if (rows.stream().noneMatch(r -> r.allocBytesPerOp() >= Format.ALLOCATION_FLAG_BYTES)) {
      return;
    }
    if (notes.dagger) {
      doc.paragraph("† 1 KiB or more allocated per call: see the † note under the first table that has one.");
      return;
    }
    notes.dagger = true;
    doc.paragraph("† 1 KiB or more allocated per call. JMH's gc profiler counts what every thread of the "
        + "benchmark JVM allocates during an iteration, and its own harness allocates a roughly fixed amount per "
        + "iteration: for a call of milliseconds (a few calls per iteration) that amount dominates, and B/op falls "
        + "in proportion as iterations lengthen (measured: scalar linkUpdate at B16 N1024, 622 KB/op with 1 s "
        + "iterations, 152 KB/op with 4 s; the kernel itself allocates nothing). Otherwise it means the kernel "
        + "allocates, or (SIMD) its Vector API code was not yet compiled by C2 when it was measured (vectors are "
        + "then boxed objects): re-run it with a longer warmup and longer iterations (`--full`). The kernels' "
        + "zero allocation on the calling thread is checked by tests (SimdSteadyStateTest).");
  }

  /**
   * How to read the ceiling rows: the k = 0 read is no fraction of the triad, and rows whose times overlap within
   * their errors (at DRAM sizes: all of them) have no meaningful order.
   */
  static String ceilingNotes(List<ReportData.CeilingRow> rows) {
    StringBuilder out = new StringBuilder("The k = 0 row is a plain read: one load stream, where the triad has two "
        + "and a store, and with write-allocate caches that store first reads its line, so the triad moves 16 bytes "
        + "per element where the model counts 12. A read at or above 100% of the triad is therefore no error, and "
        + "its GB/s over triad is not a fraction of a limit: read it as the load bandwidth of that level (at 4 MiB, "
        + "the last-level cache of most current server CPUs; at 64 MiB, DRAM).");
    for (long kib : rows.stream().map(ReportData.CeilingRow::kib).distinct().toList()) {
      List<ReportData.CeilingRow> at = rows.stream().filter(r -> r.kib() == kib).toList();
      for (int i = 0; i < at.size(); i++) {
        for (int j = i + 1; j < at.size(); j++) {
          ReportData.CeilingRow a = at.get(i), b = at.get(j);
          if (a.fmasPerVector() == 0 || b.fmasPerVector() == 0) {
            continue;
          }
          boolean overlap = Math.abs(a.nanos() - b.nanos()) <= Math.hypot(a.errorNanos(), b.errorNanos());
          boolean inverted = (a.fmasPerVector() < b.fmasPerVector()) == (a.nanos() > b.nanos());
          if (overlap || inverted) {
            out.append(String.format(Locale.ROOT, " At %s, k = %d (%s) and k = %d (%s) %s: %s.",
                Format.bytes(kib * 1024), a.fmasPerVector(), Format.nanosWithError(a.nanos(), a.errorNanos()),
                b.fmasPerVector(), Format.nanosWithError(b.nanos(), b.errorNanos()),
                overlap ? "are not told apart by their errors" : "come out in the wrong order beyond their errors",
                overlap ? "at this size the loop waits on memory, not on its FMAs, so which of the two is faster is "
                    + "noise (their order changes from run to run)"
                    : "the machine was disturbed during one of them; re-run with `--full`"));
          }
        }
      }
    }
    return out.toString();
  }

  /** Every number of the report, one row per kernel × shape × backend × variant, for spreadsheets. */
  static String csv(ReportData data) {
    StringBuilder out = new StringBuilder("kernel,shape,backend,variant,ns_per_call,error_ns,bytes_moved,"
        + "footprint_bytes,gb_per_s,triad_kib,triad_gb_per_s,fraction_of_triad,fraction_error,speedup_vs_scalar,"
        + "speedup_error,"
        + "alloc_bytes_per_op\n");
    for (KernelRow r : data.kernelRows()) {
      out.append(String.join(",", r.kernel(), r.shape(), r.backend(), r.variant(), num(r.nanos()),
          num(r.errorNanos()), Long.toString(r.bytesMoved()), Long.toString(r.footprint()), num(r.gbps()),
          Long.toString(r.triadKib()), num(r.triadGbps()), num(r.fraction()), num(r.fractionError()), num(r.speedup()),
          num(r.speedupError()), num(r.allocBytesPerOp()))).append('\n');
    }
    for (TriadRow r : data.triadRows()) {
      out.append(String.join(",", "triad", r.kib() + "KiB", "", "baseline", num(r.nanos()), num(r.errorNanos()),
          Long.toString(r.bytesMoved()), Long.toString(r.kib() * 1024), num(r.gbps()), Long.toString(r.kib()),
          num(r.gbps()), "1", "", "", "", num(r.allocBytesPerOp()))).append('\n');
    }
    for (ReportData.CeilingRow r : data.ceilingRows()) {
      out.append(String.join(",", "ceiling-fma" + r.fmasPerVector(), r.kib() + "KiB", "", "baseline", num(r.nanos()),
          num(r.errorNanos()), Long.toString(r.kib() * 1024), Long.toString(r.kib() * 1024), num(r.gbps()), "",
          "", num(r.fraction()), num(r.fractionError()), "", "", "")).append('\n');
    }
    return out.toString();
  }

  private static String num(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "";
  }
}
