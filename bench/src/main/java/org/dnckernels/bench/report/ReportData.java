package org.dnckernels.bench.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.dnckernels.MemoryShape;
import org.dnckernels.bench.BandwidthBenchmark;
import org.dnckernels.bench.BenchShapes;
import org.dnckernels.bench.ComputeCeilingBenchmark;
import org.dnckernels.bench.Workload;

/**
 * The report's numbers, computed from JMH results with the {@link Workload} bytes-moved model: time per call,
 * achieved bandwidth, fraction of the triad baseline, speedup over scalar and allocation per call.
 */
public final class ReportData {
  /** Kernel benchmarks (kernel alone) are this variant; with-transfer figures are {@link #TRANSFER}. */
  public static final String KERNEL_ONLY = "kernel";
  public static final String TRANSFER = "with transfer";

  /**
   * One kernel at one shape on one backend.
   *
   * @param variant         {@link #KERNEL_ONLY} or {@link #TRANSFER}
   * @param nanos           time per call
   * @param errorNanos      JMH's score error (99.9% confidence half-width), NaN if none
   * @param bytesMoved      from {@link Workload}
   * @param footprint       working set, from {@link Workload}
   * @param gbps            bytesMoved / time
   * @param triadKib        the triad baseline it is compared with (the working set nearest its footprint), 0 if none
   * @param triadGbps       that triad's bandwidth, NaN if none
   * @param fraction        gbps / triadGbps
   * @param fractionError   its error from both JMH errors (the kernel's and the triad's)
   * @param speedup         scalar's kernel-only time / this time, NaN without a scalar result
   * @param speedupError    the speedup's error from both scores' errors (relative errors added in quadrature)
   * @param allocBytesPerOp gc.alloc.rate.norm, NaN if not profiled
   */
  public record KernelRow(
      String kernel, String shape, String backend, String variant, double nanos, double errorNanos,
      long bytesMoved, long footprint, double gbps, long triadKib, double triadGbps, double fraction,
      double fractionError, double speedup, double speedupError, double allocBytesPerOp) {
    /** The speedup over scalar; exact for scalar itself, absent without a scalar result. */
    public Ratio speedupRatio() {
      return !Double.isFinite(speedup) ? Ratio.none()
          : Double.isNaN(speedupError) && backend.equals("scalar") ? Ratio.exact(speedup)
          : new Ratio(speedup, speedupError);
    }

    /** GB/s as a fraction of the nearest triad's. */
    public Ratio fractionRatio() {
      return new Ratio(fraction, fractionError);
    }
  }

  /** The triad baseline at one working-set size. */
  public record TriadRow(long kib, long bytesMoved, double nanos, double errorNanos, double gbps,
      double allocBytesPerOp) {
    /** The error of {@link #gbps}: the time's relative error. */
    public double gbpsError() {
      return gbps * errorNanos / nanos;
    }
  }

  /**
   * The compute-ceiling baseline: one core streaming {@code kib} KiB with {@code fmasPerVector} lane FMAs per
   * vector loaded and nothing else; {@code fraction} is its GB/s over the nearest triad's, {@code fractionError} its
   * error from both JMH errors, NaN without a triad.
   */
  public record CeilingRow(int fmasPerVector, long kib, double nanos, double errorNanos, double gbps, double fraction,
      double fractionError) {
    public double gbpsError() {
      return gbps * errorNanos / nanos;
    }
  }

  /**
   * A link pass (forward/backward weightings, alone or fused with the link update) against the compute ceiling at
   * its FMA density: 2R lane FMAs per link-matrix vector, the ceiling row with that many FMAs over the working set
   * nearest the pass's footprint. {@code fractionError} propagates both JMH errors (relative, in quadrature).
   */
  public record CeilingFraction(String kernel, String shape, String backend, double gbps, long ceilingKib,
      double ceilingGbps, double fraction, double fractionError) {}

  /** The kernels whose FMA density is that of a compute-ceiling row: 2R FMAs per vector of L. */
  static final List<String> LINK_PASSES = List.of("forwardBackward", "linkUpdateAndWeightings");

  /** The SIMD memory step with a number of worker threads. */
  public record ThreadRow(String backend, String shape, int threads, double nanos, double errorNanos, double speedup,
      double speedupError, double allocBytesPerOp) {
    /** The time with one thread over this one; exact for one thread itself. */
    public Ratio speedupRatio() {
      return threads == 1 ? Ratio.exact(speedup) : new Ratio(speedup, speedupError);
    }
  }

  private final List<KernelRow> kernels;
  private final List<TriadRow> triads;
  private final List<CeilingRow> ceilings;
  private final List<ThreadRow> threads;
  private final List<String> unrecognised;

  private ReportData(List<KernelRow> kernels, List<TriadRow> triads, List<CeilingRow> ceilings,
      List<ThreadRow> threads, List<String> unrecognised) {
    this.kernels = kernels;
    this.triads = triads;
    this.ceilings = ceilings;
    this.threads = threads;
    this.unrecognised = unrecognised;
  }

  public static ReportData from(List<JmhResult> results) {
    List<TriadRow> triads = new ArrayList<>();
    List<String> unrecognised = new ArrayList<>();
    List<JmhResult> kernelResults = new ArrayList<>();
    List<JmhResult> threadResults = new ArrayList<>();
    List<JmhResult> ceilingResults = new ArrayList<>();
    for (JmhResult r : results) {
      switch (r.className()) {
        case "BandwidthBenchmark" -> {
          long kib = Long.parseLong(r.param("kib"));
          long bytes = Workload.triad(BandwidthBenchmark.floatsPerArray(kib)).moved();
          triads.add(new TriadRow(kib, bytes, r.nanos(), r.errorNanos(), bytes / r.nanos(), r.allocBytesPerOp()));
        }
        case "KernelBenchmark" -> {
          if (Workload.KERNELS.contains(r.param("kernel")) && r.param("backend") != null && r.param("shape") != null) {
            kernelResults.add(r);
          } else {
            unrecognised.add(r.benchmark() + " " + r.params());
          }
        }
        case "ThreadScalingBenchmark" -> threadResults.add(r);
        case "ComputeCeilingBenchmark" -> {
          if (ComputeCeilingBenchmark.fmasPerVector(r.method()) >= 0 && r.param("kib") != null) {
            ceilingResults.add(r);
          } else {
            unrecognised.add(r.benchmark() + " " + r.params());
          }
        }
        default -> unrecognised.add(r.benchmark() + " " + r.params());
      }
    }
    triads.sort(Comparator.comparingLong(TriadRow::kib));

    List<CeilingRow> ceilings = new ArrayList<>();
    for (JmhResult r : ceilingResults) {
      long kib = Long.parseLong(r.param("kib"));
      double gbps = (double) kib * 1024 / r.nanos();
      Optional<TriadRow> triad = nearestTriad(triads, kib * 1024);
      double triadGbps = triad.map(TriadRow::gbps).orElse(Double.NaN);
      double fractionError = triad.map(t -> Ratio.of(gbps, gbps * r.errorNanos() / r.nanos(), t.gbps(),
          t.gbpsError()).error()).orElse(Double.NaN);
      ceilings.add(new CeilingRow(ComputeCeilingBenchmark.fmasPerVector(r.method()), kib, r.nanos(), r.errorNanos(),
          gbps, gbps / triadGbps, fractionError));
    }
    ceilings.sort(Comparator.comparingLong(CeilingRow::kib).thenComparingInt(CeilingRow::fmasPerVector));

    List<KernelRow> rows = new ArrayList<>();
    for (JmhResult r : kernelResults) {
      String kernel = r.param("kernel"), shape = BenchShapes.format(BenchShapes.parse(r.param("shape")));
      String variant = transfer(r) ? TRANSFER : KERNEL_ONLY;
      Workload.Traffic t = Workload.of(kernel, BenchShapes.parse(shape));
      double gbps = t.moved() / r.nanos();
      Optional<TriadRow> triad = nearestTriad(triads, t.footprint());
      double triadGbps = triad.map(TriadRow::gbps).orElse(Double.NaN);
      Optional<JmhResult> scalar = kernelResults.stream()
          .filter(s -> !transfer(s) && kernel.equals(s.param("kernel"))
              && "scalar".equals(s.param("backend")) && sameShape(s.param("shape"), shape))
          .findFirst();
      double speedup = scalar.map(s -> s.nanos() / r.nanos()).orElse(Double.NaN);
      // scalar against itself is the reference: exactly 1, no error
      boolean reference = scalar.isPresent() && scalar.get() == r;
      double speedupError = reference ? Double.NaN : scalar
          .map(s -> speedup * Math.hypot(s.errorNanos() / s.nanos(), r.errorNanos() / r.nanos()))
          .orElse(Double.NaN);
      double fractionError = triad.map(tr -> Ratio.of(gbps, gbps * r.errorNanos() / r.nanos(), tr.gbps(),
          tr.gbpsError()).error()).orElse(Double.NaN);
      rows.add(new KernelRow(kernel, shape, r.param("backend"), variant, r.nanos(), r.errorNanos(), t.moved(),
          t.footprint(), gbps, triad.map(TriadRow::kib).orElse(0L), triadGbps, gbps / triadGbps, fractionError,
          speedup, speedupError, r.allocBytesPerOp()));
    }
    rows.sort(Comparator.comparingInt((KernelRow k) -> Workload.KERNELS.indexOf(k.kernel()))
        .thenComparing(KernelRow::shape, shapeOrder())
        .thenComparing(KernelRow::variant)
        .thenComparing(KernelRow::backend, backendOrder()));

    List<ThreadRow> threadRows = new ArrayList<>();
    for (JmhResult r : threadResults) {
      int n = Integer.parseInt(r.param("threads"));
      Ratio speedup = threadResults.stream()
          .filter(o -> "1".equals(o.param("threads")) && o.params().get("shape").equals(r.param("shape"))
              && o.params().get("backend").equals(r.param("backend")))
          .findFirst().map(o -> Ratio.of(o.nanos(), o.errorNanos(), r.nanos(), r.errorNanos()))
          .orElse(Ratio.none());
      threadRows.add(new ThreadRow(r.param("backend"), r.param("shape"), n, r.nanos(), r.errorNanos(),
          speedup.value(), n == 1 ? 0 : speedup.error(), r.allocBytesPerOp()));
    }
    threadRows.sort(Comparator.comparing(ThreadRow::backend).thenComparing(ThreadRow::shape)
        .thenComparingInt(ThreadRow::threads));
    return new ReportData(List.copyOf(rows), List.copyOf(triads), List.copyOf(ceilings), List.copyOf(threadRows),
        List.copyOf(unrecognised));
  }

  // a KernelBenchmark result with transfer=true (a result without the parameter is the kernel alone)
  private static boolean transfer(JmhResult r) {
    return "true".equals(r.param("transfer"));
  }

  /** The triad whose working set is nearest (on a log scale) to {@code footprint} bytes. */
  static Optional<TriadRow> nearestTriad(List<TriadRow> triads, long footprint) {
    return triads.stream().min(Comparator.comparingDouble(
        t -> Math.abs(Math.log((double) Math.max(footprint, 1) / (3L * Float.BYTES * BandwidthBenchmark.floatsPerArray(t.kib()))))));
  }

  private static boolean sameShape(String a, String b) {
    return BenchShapes.parse(a).equals(BenchShapes.parse(b));
  }

  /** Shapes by slots, then batch, then word size (the standard shapes come out in their documented order). */
  public static Comparator<String> shapeOrder() {
    return Comparator.comparing((String s) -> BenchShapes.parse(s), Comparator.comparingInt(MemoryShape::slots)
        .thenComparingInt(MemoryShape::batch).thenComparingInt(MemoryShape::wordSize)
        .thenComparingInt(MemoryShape::readHeads));
  }

  /** scalar, simd, cuda, then any other backend by name. */
  public static Comparator<String> backendOrder() {
    List<String> known = List.of("scalar", "simd", "cuda");
    return Comparator.comparingInt((String b) -> known.contains(b) ? known.indexOf(b) : known.size())
        .thenComparing(b -> b);
  }

  public List<KernelRow> kernelRows() {
    return kernels;
  }

  public List<TriadRow> triadRows() {
    return triads;
  }

  public List<CeilingRow> ceilingRows() {
    return ceilings;
  }

  /** Every non-scalar, kernel-only link pass with a ceiling row of its FMA density, against that ceiling. */
  public List<CeilingFraction> ceilingFractions() {
    return ceilingFractions(kernels, ceilings);
  }

  static List<CeilingFraction> ceilingFractions(List<KernelRow> rows, List<CeilingRow> ceilings) {
    List<CeilingFraction> out = new ArrayList<>();
    for (KernelRow r : rows) {
      if (!LINK_PASSES.contains(r.kernel()) || !r.variant().equals(KERNEL_ONLY) || r.backend().equals("scalar")) {
        continue;
      }
      int fmas = 2 * BenchShapes.parse(r.shape()).readHeads();
      double footprint = Math.max(r.footprint(), 1);
      ceilings.stream().filter(c -> c.fmasPerVector() == fmas)
          .min(Comparator.comparingDouble(c -> Math.abs(Math.log(footprint / (c.kib() * 1024.0)))))
          .ifPresent(c -> {
            Ratio f = Ratio.of(r.gbps(), r.gbps() * r.errorNanos() / r.nanos(), c.gbps(), c.gbpsError());
            out.add(new CeilingFraction(r.kernel(), r.shape(), r.backend(), r.gbps(), c.kib(), c.gbps(), f.value(),
                f.error()));
          });
    }
    return out;
  }

  public List<ThreadRow> threadRows() {
    return threads;
  }

  /** Benchmarks in the JSON the report does not know (listed, not charted). */
  public List<String> unrecognised() {
    return unrecognised;
  }

  public List<KernelRow> rows(String kernel) {
    return kernels.stream().filter(k -> k.kernel().equals(kernel)).toList();
  }

  public Optional<KernelRow> row(String kernel, String shape, String backend, String variant) {
    return kernels.stream()
        .filter(k -> k.kernel().equals(kernel) && k.shape().equals(shape) && k.backend().equals(backend)
            && k.variant().equals(variant))
        .findFirst();
  }

  /** Kernels present, in the contract's order. */
  public List<String> kernels() {
    return distinct(kernels.stream().map(KernelRow::kernel).toList());
  }

  /** Shapes present, smallest first. */
  public List<String> shapes() {
    return distinct(kernels.stream().map(KernelRow::shape).sorted(shapeOrder()).toList());
  }

  /** Backends present (scalar first). */
  public List<String> backends() {
    return distinct(kernels.stream().map(KernelRow::backend).sorted(backendOrder()).toList());
  }

  public boolean hasTransfers() {
    return kernels.stream().anyMatch(k -> k.variant().equals(TRANSFER));
  }

  /** The largest triad: the machine's DRAM bandwidth on one thread (NaN without triad results). */
  public Optional<TriadRow> dramTriad() {
    return triads.isEmpty() ? Optional.empty() : Optional.of(triads.get(triads.size() - 1));
  }

  private static List<String> distinct(List<String> values) {
    Set<String> s = new LinkedHashSet<>(values);
    return List.copyOf(s);
  }
}
