package org.dnckernels.bench;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.dnckernels.bench.report.MachineInfo;
import org.dnckernels.bench.report.ReportData;
import org.dnckernels.bench.report.ReportMain;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the suite on the backends available here and writes the report folder.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp benchmarks.jar org.dnckernels.bench.BenchMain \
 *       [--full] [--shapes 16x128x32x4,1x1024x64x4] [--kernels contentWeights,read] [--backends scalar,simd]
 *       [--out DIR] [--dry-run] [--from results.json [--machine machine.json]] [--help]
 * </pre>
 *
 * Every option of {@code report.sh} is parsed here, once ({@link Cli}); {@code --help} lists them.
 *
 * The kernels run at {@link BenchShapes#STANDARD} (content, erase/add and read also at
 * {@link BenchShapes#HUGE_MEMORY}), or at {@code --shapes}; the triad baseline at every size of
 * {@link BandwidthBenchmark} and the one-core {@link ComputeCeilingBenchmark}; the SIMD memory step at 1 and 2
 * threads; CUDA also with transfers. A backend that is unavailable is left out and listed in the report with its
 * reason. Every run uses {@code -prof gc}.
 */
public final class BenchMain {
  /**
   * Kernels measured in a JMH run of their own with the long warmup ({@link Profile#warmups(boolean)}): the memory
   * step, the headline, and content addressing, whose large compiled method C2 finishes late (at B16 N1024 the
   * quick profile's warmup once ended before it, and the first measured iteration took 8.6 ms against 0.18); and
   * their backwards, for the same reasons.
   */
  static final Set<String> LONG_WARMUP = Set.of(
      "memoryStep", "contentWeights", "memoryStepBackward", "contentWeightsBackward");

  /** Forks, warmup and measurement of a run. */
  public record Profile(String name, int forks, int warmups, int warmupMillis, int iterations, int iterationMillis) {
    /**
     * About 9 minutes for the default plan on 2 cores (about 3.7 s a case), 10 with the build. Warmup is the
     * longer part: Vector API code allocates and crawls until C2 has compiled it, which takes a second or more on
     * a busy 2-core machine.
     */
    public static final Profile QUICK = new Profile("quick", 1, 3, 500, 5, 200);
    /** Tighter error bars: about 75 minutes for the default plan on 2 cores. */
    public static final Profile FULL = new Profile("full", 2, 5, 1000, 10, 1000);

    /** Seconds one case takes: JVM fork and setup (about 1.2 s on 2 cores), warmup and measurement. */
    double secondsPerCase(boolean longWarmup) {
      return forks * (1.2 + (warmups(longWarmup) * warmupMillis(longWarmup) + iterations * iterationMillis) / 1000.0);
    }

    /** The memory step and content addressing ({@link #LONG_WARMUP}) get at least 5 warmup iterations of 1 s. */
    int warmups(boolean longWarmup) {
      return longWarmup ? Math.max(warmups, 5) : warmups;
    }

    int warmupMillis(boolean longWarmup) {
      return longWarmup ? Math.max(warmupMillis, 1000) : warmupMillis;
    }
  }

  /**
   * One JMH invocation: some benchmark methods of one class with one set of parameters.
   *
   * @param longWarmup whether the profile's warmup is stretched ({@link Profile#warmups(boolean)})
   */
  public record Run(String label, Class<?> benchmarkClass, List<String> methods, Map<String, List<String>> params,
      boolean longWarmup) {
    /** The kernels of a {@link KernelBenchmark} run (its {@code kernel} parameter); empty for the others. */
    public List<String> kernels() {
      return params.getOrDefault("kernel", List.of());
    }

    /** Whether this run times the transfers too ({@code transfer=true}). */
    public boolean transfer() {
      return params.getOrDefault("transfer", List.of()).contains("true");
    }

    public int cases() {
      int n = methods.size();
      for (List<String> values : params.values()) {
        n *= values.size();
      }
      return n;
    }

    String include() {
      return "^" + benchmarkClass.getName().replace(".", "\\.") + "\\.(" + String.join("|", methods) + ")$";
    }
  }

  /** What the user asked for. */
  public record Request(Profile profile, Optional<List<String>> shapes, List<String> kernels,
      Optional<List<String>> backends, boolean baseline, Optional<Path> out, boolean dryRun, List<String> jvmArgs,
      Optional<Integer> simdThreads, Optional<Path> from, Optional<Path> machine) {}

  /** The runs of a request on these backends, and what it leaves out and why. */
  public record Plan(List<Run> runs, List<MachineInfo.Skipped> skipped) {
    public int cases() {
      return runs.stream().mapToInt(Run::cases).sum();
    }

    public double seconds(Profile p) {
      return runs.stream().mapToDouble(r -> r.cases() * p.secondsPerCase(r.longWarmup())).sum();
    }
  }

  private static final String THREAD_SHAPE = BenchShapes.MEDIUM;

  /** The one benchmark method of {@link KernelBenchmark}. */
  static final String KERNEL_METHOD = "kernel";

  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("java.awt.headless", "true");
    Cli cli = new Cli();
    CommandLine commandLine = commandLine(cli);
    Request request;
    try {
      commandLine.parseArgs(args);
      if (commandLine.isUsageHelpRequested()) {
        commandLine.usage(System.out);
        return;
      }
      request = cli.request();
    } catch (CommandLine.ParameterException | IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage() + " (see --help)");
      System.exit(2);
      return;
    }
    Instant start = Instant.now();
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss"));
    Path out = request.out().orElseGet(() -> Path.of("report", stamp));
    Path index;
    if (request.from().isPresent()) {
      index = ReportMain.render(request.from().get(), request.machine(), out);
      System.out.println("report: " + index.toAbsolutePath());
    } else {
      Optional<Path> rendered = runAndRender(request, args, out);
      if (rendered.isEmpty()) {
        return;
      }
      index = rendered.get();
    }
    if (request.out().isEmpty()) {
      linkLatest(out);
    }
    System.out.printf(Locale.ROOT, "done in %.0f s: %s, %s%n", Duration.between(start, Instant.now()).toMillis() / 1e3,
        index, out.resolve("report.md"));
  }

  /** Runs the plan (or only prints it, with {@code --dry-run}) and renders the report; its index, if rendered. */
  private static Optional<Path> runAndRender(Request request, String[] args, Path out) throws Exception {
    // the runner describes the backends as the forks will create them
    request.simdThreads().ifPresent(n -> System.setProperty(ThreadScalingBenchmark.THREADS_PROPERTY,
        Integer.toString(n)));
    MachineInfo machine = MachineInfo.collect().withGit(GitInfo.describe(Path.of("")));
    Plan plan = plan(request, machine.backends());
    if (request.dryRun()) {
      printPlan(request, machine, plan, out);
      return Optional.empty();
    }
    Files.createDirectories(out);
    // the console output of the run, JMH's included, also goes to jmh.log
    try (Tee log = Tee.to(out.resolve("jmh.log"))) {
      printPlan(request, machine, plan, out);
      Instant start = Instant.now();
      String started = start.atZone(ZoneId.systemDefault()).toOffsetDateTime().truncatedTo(ChronoUnit.SECONDS)
          .toString();
      List<String> command = new ArrayList<>(List.of("BenchMain"));
      command.addAll(Arrays.asList(args));
      machine.withRun(request.profile().name(), started, Double.NaN, plan.cases(), command, plan.skipped())
          .write(out.resolve(MachineInfo.FILE_NAME));

      Path results = out.resolve(ReportMain.RESULTS_FILE);
      run(plan, request, out);
      mergeResults(plan, out, results);
      double seconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
      machine.withRun(request.profile().name(), started, seconds, plan.cases(), command, plan.skipped())
          .write(out.resolve(MachineInfo.FILE_NAME));
      Path index = ReportMain.render(results, Optional.of(out.resolve(MachineInfo.FILE_NAME)), out);
      System.out.printf(Locale.ROOT, "%n%d cases in %.0f s%nreport: %s%n", plan.cases(), seconds,
          index.toAbsolutePath());
      return Optional.of(index);
    }
  }

  /** {@code report/latest} points at the report just written under {@code report/}. */
  private static void linkLatest(Path out) {
    Path latest = out.toAbsolutePath().getParent().resolve("latest");
    try {
      Files.deleteIfExists(latest);
      Files.createSymbolicLink(latest, out.getFileName());
    } catch (IOException | UnsupportedOperationException e) {
      System.err.println("note: could not point " + latest + " at " + out.getFileName() + ": " + e);
    }
  }

  /**
   * Every option, parsed once here (report.sh passes its arguments through). Profile values left unset keep
   * those of {@code --quick} or {@code --full}.
   */
  @Command(name = "report.sh", sortOptions = false, usageHelpWidth = 118,
      description = {"Runs the dnc-kernels JMH suite on the backends available here and writes a report folder "
          + "(report.md, index.html, charts, results.json, machine.json, jmh.log), or renders one from an existing "
          + "JMH JSON with --from. See docs/benchmarks.md."},
      footer = {"", "Without report.sh (which builds the jar and finds a JDK >= 21):",
          "  java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar \\",
          "      org.dnckernels.bench.BenchMain [OPTIONS]"})
  static final class Cli {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this and exit")
    boolean help;

    @Option(names = "--quick", description = "1 fork, 3 warmup iterations of 500 ms, 5 measurement iterations of "
        + "200 ms (the default; ~9 min on 2 cores)")
    boolean quick;

    @Option(names = "--full", description = "2 forks, 5 warmup + 10 measurement iterations of 1 s (~75 min on 2 "
        + "cores)")
    boolean full;

    @Option(names = "--shapes", paramLabel = "BxNxWxR,...", description = "shapes for every selected kernel "
        + "(default: 16x16x16x4,16x128x32x4,1x1024x64x4,16x1024x64x4, and 1x16384x64x4 for contentWeights, "
        + "eraseAndAdd, read)")
    String shapes;

    @Option(names = "--kernels", paramLabel = "k1,k2,...", description = "a subset of the kernels (default: all; "
        + "listed at the end)")
    String kernels;

    @Option(names = "--backends", paramLabel = "b1,b2", description = "a subset of the backends found (default: "
        + "every available one)")
    String backends;

    @Option(names = "--no-baseline", description = "skip the triad bandwidth and compute-ceiling baselines")
    boolean noBaseline;

    @Option(names = "--forks", paramLabel = "N", description = "JMH forks per case")
    Integer forks;

    @Option(names = "--warmups", paramLabel = "N", description = "warmup iterations (the memory step and content "
        + "addressing get at least 5 of 1 s)")
    Integer warmups;

    @Option(names = "--warmup-ms", paramLabel = "MS", description = "length of a warmup iteration")
    Integer warmupMillis;

    @Option(names = "--iterations", paramLabel = "N", description = "measurement iterations per fork")
    Integer iterations;

    @Option(names = "--iteration-ms", paramLabel = "MS", description = "length of a measurement iteration")
    Integer iterationMillis;

    @Option(names = "--simd-threads", paramLabel = "N", description = "worker threads of the simd backend "
        + "(default: its own, one per available processor); the thread-scaling benchmark always measures 1 and 2")
    Integer simdThreads;

    @Option(names = "--jvm-args", paramLabel = "\"ARGS\"", description = "extra arguments for the benchmark "
        + "JVMs, in one string")
    String jvmArgs;

    @Option(names = "--dry-run", description = "print the plan (cases, estimated time) and stop")
    boolean dryRun;

    @Option(names = "--out", paramLabel = "DIR", description = "report folder (default: report/<timestamp>; "
        + "report/latest then points at it)")
    Path out;

    @Option(names = "--from", paramLabel = "FILE", description = "render a report from this JMH JSON result file "
        + "instead of running; takes no run options")
    Path from;

    @Option(names = "--machine", paramLabel = "FILE", description = "with --from: the machine sidecar (default: "
        + "machine.json or <name>.machine.json next to the JSON, else the machine is marked unknown)")
    Path machine;

    @Option(names = "--no-build", description = "report.sh only: use the existing bench/target/benchmarks.jar "
        + "instead of building it (ignored here)")
    boolean noBuild;

    Request request() {
      if (quick && full) {
        throw new IllegalArgumentException("--quick and --full exclude each other");
      }
      if (machine != null && from == null) {
        throw new IllegalArgumentException("--machine goes with --from");
      }
      if (from != null) {
        List<String> runOptions = new ArrayList<>();
        addIf(runOptions, full, "--full");
        addIf(runOptions, shapes != null, "--shapes");
        addIf(runOptions, kernels != null, "--kernels");
        addIf(runOptions, backends != null, "--backends");
        addIf(runOptions, noBaseline, "--no-baseline");
        addIf(runOptions, forks != null || warmups != null || warmupMillis != null || iterations != null
            || iterationMillis != null, "--forks/--warmups/--warmup-ms/--iterations/--iteration-ms");
        addIf(runOptions, simdThreads != null, "--simd-threads");
        addIf(runOptions, jvmArgs != null, "--jvm-args");
        addIf(runOptions, dryRun, "--dry-run");
        if (!runOptions.isEmpty()) {
          throw new IllegalArgumentException("--from renders an existing file; these options need a run: "
              + String.join(" ", runOptions));
        }
      }
      Profile profile = full ? Profile.FULL : Profile.QUICK;
      if (forks != null || warmups != null || warmupMillis != null || iterations != null
          || iterationMillis != null) {
        profile = new Profile(profile.name() + "+custom",
            forks != null ? positive("--forks", forks) : profile.forks(),
            warmups != null ? positive("--warmups", warmups) : profile.warmups(),
            warmupMillis != null ? positive("--warmup-ms", warmupMillis) : profile.warmupMillis(),
            iterations != null ? positive("--iterations", iterations) : profile.iterations(),
            iterationMillis != null ? positive("--iteration-ms", iterationMillis) : profile.iterationMillis());
      }
      List<String> extraArgs = jvmArgs == null ? List.of()
          : Arrays.stream(jvmArgs.trim().split("\\s+")).filter(s -> !s.isBlank()).toList();
      return new Request(profile,
          Optional.ofNullable(shapes).map(BenchShapes::parseList),
          kernels == null ? Workload.KERNELS : kernels(kernels),
          Optional.ofNullable(backends).map(BenchMain::list),
          !noBaseline, Optional.ofNullable(out), dryRun, extraArgs,
          Optional.ofNullable(simdThreads).map(n -> positive("--simd-threads", n)),
          Optional.ofNullable(from), Optional.ofNullable(machine));
    }

    private static void addIf(List<String> list, boolean condition, String name) {
      if (condition) {
        list.add(name);
      }
    }
  }

  /** The parser of {@code cli}, with the kernels listed at the end of {@code --help}. */
  private static CommandLine commandLine(Cli cli) {
    CommandLine c = new CommandLine(cli);
    List<String> footer = new ArrayList<>(List.of("", "Kernels: " + String.join(",", Workload.KERNELS)));
    footer.addAll(Arrays.asList(c.getCommandSpec().usageMessage().footer()));
    c.getCommandSpec().usageMessage().footer(footer.toArray(String[]::new));
    return c;
  }

  /** Every option and what it does, as {@code --help} prints it. */
  static String usage() {
    return commandLine(new Cli()).getUsageMessage(CommandLine.Help.Ansi.OFF);
  }

  /** Parses the command line; {@link IllegalArgumentException} for anything wrong with it. */
  static Request parse(String[] args) {
    Cli cli = new Cli();
    try {
      commandLine(cli).parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return cli.request();
  }

  private static List<String> kernels(String text) {
    List<String> out = new ArrayList<>();
    for (String k : list(text)) {
      String known = Workload.KERNELS.stream().filter(x -> x.equalsIgnoreCase(k)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("unknown kernel '" + k + "'; known: " + Workload.KERNELS));
      if (!out.contains(known)) {
        out.add(known);
      }
    }
    return List.copyOf(out);
  }

  private static List<String> list(String text) {
    List<String> out = Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    if (out.isEmpty()) {
      throw new IllegalArgumentException("empty list: '" + text + "'");
    }
    return out;
  }

  private static int positive(String name, int v) {
    if (v < 1) {
      throw new IllegalArgumentException(name + ": expected a positive integer but was " + v);
    }
    return v;
  }

  /** The runs for {@code request} given the backends found here. */
  public static Plan plan(Request request, List<MachineInfo.Backend> found) {
    List<MachineInfo.Skipped> skipped = new ArrayList<>();
    List<String> wanted = request.backends().orElse(found.stream().map(MachineInfo.Backend::name).toList());
    List<String> backends = new ArrayList<>();
    List<String> devices = new ArrayList<>();
    for (String name : wanted) {
      Optional<MachineInfo.Backend> b = found.stream().filter(f -> f.name().equals(name)).findFirst();
      if (b.isEmpty()) {
        throw new IllegalArgumentException("backend '" + name + "' is not on the class path; found: "
            + found.stream().map(MachineInfo.Backend::name).toList());
      }
      if (!b.get().available()) {
        skipped.add(new MachineInfo.Skipped("backend " + name,
            "unavailable: " + b.get().detail() + (b.get().hint() == null ? "" : " (" + b.get().hint() + ")")));
        continue;
      }
      backends.add(name);
      if (!name.equals("scalar") && !name.equals("simd")) {
        devices.add(name);
      }
    }
    backends.sort(ReportData.backendOrder());

    List<Run> runs = new ArrayList<>();
    if (!backends.isEmpty()) {
      // group kernels by the shapes they run at: one JMH invocation per group
      Map<List<String>, List<String>> groups = new LinkedHashMap<>();
      for (String kernel : request.kernels()) {
        List<String> shapes = new ArrayList<>();
        List<String> candidates = request.shapes().orElseGet(() -> {
          List<String> s = new ArrayList<>(BenchShapes.STANDARD);
          if (Workload.MEMORY_KERNELS.contains(kernel)) {
            s.addAll(BenchShapes.MEMORY_ONLY);
          }
          return s;
        });
        for (String shape : candidates) {
          if (Workload.applies(kernel, BenchShapes.parse(shape))) {
            shapes.add(shape);
          } else if (request.shapes().isPresent()) {
            skipped.add(new MachineInfo.Skipped(kernel + " at " + shape, "its N×N link matrix is too large (N > "
                + BenchShapes.MAX_LINK_SLOTS + ")"));
          }
        }
        if (!shapes.isEmpty()) {
          // the memory step and content addressing run on their own, with a longer warmup
          List<String> key = new ArrayList<>(shapes);
          if (LONG_WARMUP.contains(kernel)) {
            key.add(0, kernel);
          }
          groups.computeIfAbsent(List.copyOf(key), k -> new ArrayList<>()).add(kernel);
        }
      }
      for (Map.Entry<List<String>, List<String>> g : groups.entrySet()) {
        boolean step = g.getValue().contains("memoryStep"), longWarmup = LONG_WARMUP.contains(g.getKey().get(0));
        runs.add(new Run(step ? "memory step" : longWarmup ? g.getKey().get(0) : "kernels", KernelBenchmark.class,
            List.of(KERNEL_METHOD), params("kernel", g.getValue(), "backend", backends, "shape",
                shapesOf(g.getKey()), "transfer", List.of("false")), longWarmup));
      }
      if (!devices.isEmpty()) {
        for (Map.Entry<List<String>, List<String>> g : groups.entrySet()) {
          runs.add(new Run("with transfers", KernelBenchmark.class, List.of(KERNEL_METHOD),
              params("kernel", g.getValue(), "backend", devices, "shape", shapesOf(g.getKey()), "transfer",
                  List.of("true")), LONG_WARMUP.contains(g.getKey().get(0))));
        }
      }
    }
    if (request.baseline()) {
      runs.add(new Run("bandwidth baseline", BandwidthBenchmark.class, List.of("triad"),
          params("kib", List.of(BandwidthBenchmark.SIZES_KIB)), false));
      runs.add(new Run("compute ceiling", ComputeCeilingBenchmark.class, List.of("read", "readFma4", "readFma8"),
          params("kib", List.of(ComputeCeilingBenchmark.SIZES_KIB)), false));
    }
    if (request.kernels().contains("memoryStep")) {
      if (backends.contains("simd")) {
        runs.add(new Run("thread scaling", ThreadScalingBenchmark.class, List.of("memoryStep"),
            params("backend", List.of("simd"), "shape", List.of(THREAD_SHAPE), "threads", List.of("1", "2")), true));
      } else {
        skipped.add(new MachineInfo.Skipped("thread scaling of the SIMD memory step", "the simd backend is not measured"));
      }
    }
    return new Plan(List.copyOf(runs), List.copyOf(skipped));
  }

  private static List<String> shapesOf(List<String> groupKey) {
    return groupKey.stream().filter(k -> !LONG_WARMUP.contains(k)).toList();
  }

  private static Map<String, List<String>> params(Object... nameValues) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      @SuppressWarnings("unchecked")
      List<String> values = (List<String>) nameValues[i + 1];
      m.put((String) nameValues[i], List.copyOf(values));
    }
    return m;
  }

  private static void printPlan(Request request, MachineInfo machine, Plan plan, Path out) {
    Profile p = request.profile();
    System.out.println("dnc-kernels benchmarks: " + machine.cpuModel() + ", " + machine.cores() + " cores, "
        + machine.jdk());
    System.out.println("  " + machine.vectorSpecies());
    for (MachineInfo.Backend b : machine.backends()) {
      System.out.println("  backend " + b.name() + ": " + (b.available() ? "available, " : "unavailable, ")
          + b.detail());
    }
    System.out.printf(Locale.ROOT, "profile %s: %d fork(s), %d warmup iterations of %d ms, %d measurement iterations"
        + " of %d ms%n", p.name(), p.forks(), p.warmups(), p.warmupMillis(), p.iterations(), p.iterationMillis());
    for (Run r : plan.runs()) {
      System.out.printf(Locale.ROOT, "  %-18s %3d cases: %s %s%s%n", r.label(), r.cases(),
          r.benchmarkClass().getSimpleName() + "." + r.methods(), r.params(),
          r.longWarmup() ? String.format(Locale.ROOT, ", warmup %d × %d ms", p.warmups(true), p.warmupMillis(true))
              : "");
    }
    for (MachineInfo.Skipped s : plan.skipped()) {
      System.out.println("  skipped " + s.what() + ": " + s.reason());
    }
    System.out.printf(Locale.ROOT, "%d cases, about %.0f min; report in %s%n", plan.cases(),
        plan.seconds(p) / 60, out);
  }

  private static void run(Plan plan, Request request, Path out) throws RunnerException {
    Profile p = request.profile();
    int i = 0;
    for (Run r : plan.runs()) {
      i++;
      ChainedOptionsBuilder o = new OptionsBuilder()
          .include(r.include())
          .mode(Mode.AverageTime)
          .timeUnit(TimeUnit.NANOSECONDS)
          .forks(p.forks())
          .warmupIterations(p.warmups(r.longWarmup()))
          .warmupTime(TimeValue.milliseconds(p.warmupMillis(r.longWarmup())))
          .measurementIterations(p.iterations())
          .measurementTime(TimeValue.milliseconds(p.iterationMillis()))
          .threads(1)
          .addProfiler(GCProfiler.class)
          .shouldFailOnError(false)
          // the forks get exactly these arguments, not the runner's own
          .jvmArgs(forkArgs(request))
          .jvmArgsAppend(appendedForkArgs())
          .resultFormat(ResultFormatType.JSON)
          .result(partFile(out, i).toString());
      for (Map.Entry<String, List<String>> e : r.params().entrySet()) {
        o.param(e.getKey(), e.getValue().toArray(String[]::new));
      }
      System.out.printf(Locale.ROOT, "%n=== %s (%d cases) ===%n", r.label(), r.cases());
      new Runner(o.build()).run();
    }
  }

  /**
   * What every fork needs after the user's arguments: the Vector API, native access for CUDA, and on JDK 23+ leave
   * to use sun.misc.Unsafe's memory access (JEP 471), which JMH 1.37 calls; without it JDK 24+ prints four warning
   * lines per fork. The forks run this JVM, so its version decides.
   */
  static String[] appendedForkArgs() {
    List<String> args = new ArrayList<>(List.of("--add-modules=jdk.incubator.vector",
        "--enable-native-access=ALL-UNNAMED"));
    if (Runtime.version().feature() >= 23) {
      args.add("--sun-misc-unsafe-memory-access=allow");
    }
    return args.toArray(String[]::new);
  }

  private static String[] forkArgs(Request request) {
    List<String> args = new ArrayList<>(List.of("-Djava.awt.headless=true"));
    request.simdThreads().ifPresent(n -> args.add("-D" + ThreadScalingBenchmark.THREADS_PROPERTY + "=" + n));
    args.addAll(request.jvmArgs());
    return args.toArray(String[]::new);
  }

  private static Path partFile(Path out, int i) {
    return out.resolve("jmh-part-" + i + ".json");
  }

  /** Concatenates the JSON of every run into one JMH result file, then removes the parts. */
  static void mergeResults(Plan plan, Path out, Path results) throws IOException {
    ObjectMapper mapper = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build()
        .enable(SerializationFeature.INDENT_OUTPUT);
    ArrayNode all = mapper.createArrayNode();
    for (int i = 1; i <= plan.runs().size(); i++) {
      Path part = partFile(out, i);
      if (Files.isRegularFile(part) && Files.size(part) > 0) {
        JsonNode n = mapper.readTree(part.toFile());
        if (n != null && n.isArray()) {
          all.addAll((ArrayNode) n);
        }
        Files.delete(part);
      }
    }
    mapper.writeValue(results.toFile(), all);
  }
}
