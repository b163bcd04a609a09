package org.dnckernels.bench.report;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.dnckernels.BackendInfo;
import org.dnckernels.DncKernels;

/**
 * What the report says about the machine and the run: stored next to the JMH JSON ({@value #FILE_NAME}) so a
 * report rendered later, or elsewhere, from that JSON shows the machine it was measured on.
 *
 * @param cpuModel       from /proc/cpuinfo
 * @param cores          processors the JVM sees
 * @param memory         total memory from /proc/meminfo
 * @param os             name, version, architecture
 * @param jdk            the JVM that ran the suite
 * @param vectorSpecies  the preferred float vector species (bits and lanes), or why the Vector API is unusable
 * @param backends       every backend found, with its description or the reason it is unavailable
 * @param skipped        what was not measured and why (unavailable backends, link kernels at large N)
 * @param profile        quick, full, or unknown
 * @param started        ISO-8601 start of the run
 * @param durationSeconds wall time of the benchmarks
 * @param plannedCases   benchmark cases (parameter combinations) the runner asked JMH for
 * @param command        the runner's arguments
 * @param gitCommit      the commit the benchmarks were built from, with " (dirty)" when the checkout differed from
 *                       it; null in sidecars written before it was recorded
 */
public record MachineInfo(
    String cpuModel,
    int cores,
    String memory,
    String os,
    String jdk,
    String vectorSpecies,
    List<Backend> backends,
    List<Skipped> skipped,
    String profile,
    String started,
    double durationSeconds,
    int plannedCases,
    List<String> command,
    String gitCommit) {

  public static final String FILE_NAME = "machine.json";
  public static final String UNKNOWN = "unknown";

  /** One backend as {@link DncKernels#backends()} reported it. */
  public record Backend(String name, boolean available, String detail, String hint) {}

  /** Cases not measured, and why. */
  public record Skipped(String what, String reason) {}

  /** The machine is unknown (a JMH JSON rendered without its sidecar). */
  public static MachineInfo unknown() {
    return new MachineInfo(UNKNOWN, 0, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, List.of(), List.of(), UNKNOWN, UNKNOWN,
        Double.NaN, 0, List.of(), UNKNOWN);
  }

  /** This machine, this JVM, the backends found on the class path. */
  public static MachineInfo collect() {
    return new MachineInfo(readCpuModel(), Runtime.getRuntime().availableProcessors(), readMemory(),
        System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
        jdkDescription(), preferredSpecies(), probeBackends(), List.of(), UNKNOWN, UNKNOWN, Double.NaN, 0, List.of(),
        UNKNOWN);
  }

  public MachineInfo withRun(String profile, String started, double durationSeconds, int plannedCases,
      List<String> command, List<Skipped> skipped) {
    return new MachineInfo(cpuModel, cores, memory, os, jdk, vectorSpecies, backends, List.copyOf(skipped),
        profile, started, durationSeconds, plannedCases, List.copyOf(command), gitCommit);
  }

  /** The commit the benchmarks were built from ({@code <sha>} or {@code <sha> (dirty)}). */
  public MachineInfo withGit(String commit) {
    return new MachineInfo(cpuModel, cores, memory, os, jdk, vectorSpecies, backends, skipped, profile, started,
        durationSeconds, plannedCases, command, commit);
  }

  /** The JDK description of a result file without a sidecar. */
  public MachineInfo withJdk(String jdkText) {
    return new MachineInfo(cpuModel, cores, memory, os, jdkText, vectorSpecies, backends, skipped, profile, started,
        durationSeconds, plannedCases, command, gitCommit);
  }

  public void write(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    mapper().writeValue(file.toFile(), this);
  }

  public static MachineInfo read(Path file) throws IOException {
    return mapper().readValue(file.toFile(), MachineInfo.class);
  }

  private static ObjectMapper mapper() {
    return new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }

  private static String readCpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: fall through
    }
    return UNKNOWN + " (" + System.getProperty("os.arch") + ")";
  }

  private static String readMemory() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
          return String.format(Locale.ROOT, "%.1f GiB", kib / (1024.0 * 1024.0));
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: fall through
    }
    return UNKNOWN;
  }

  private static String jdkDescription() {
    return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
        + " (" + System.getProperty("java.vendor") + ")";
  }

  /** The preferred float species, read reflectively so that this class loads without the incubator module. */
  static String preferredSpecies() {
    try {
      Class<?> floatVector = Class.forName("jdk.incubator.vector.FloatVector");
      Object species = floatVector.getField("SPECIES_PREFERRED").get(null);
      // through the public interface: the species' own class is not accessible
      Class<?> vectorSpecies = Class.forName("jdk.incubator.vector.VectorSpecies");
      Method bits = vectorSpecies.getMethod("vectorBitSize");
      Method lanes = vectorSpecies.getMethod("length");
      return "preferred float species: " + bits.invoke(species) + " bits, " + lanes.invoke(species) + " lanes";
    } catch (ClassNotFoundException e) {
      return "Vector API not visible to this JVM (run with --add-modules jdk.incubator.vector)";
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return "Vector API unusable: " + e;
    }
  }

  private static List<Backend> probeBackends() {
    List<Backend> out = new ArrayList<>();
    for (BackendInfo info : DncKernels.backends()) {
      String detail = info.reason();
      if (info.available()) {
        try (DncKernels k = DncKernels.load(info.name())) {
          detail = k.description();
        } catch (RuntimeException | LinkageError e) {
          out.add(new Backend(info.name(), false, "failed to start: " + e, info.hint()));
          continue;
        }
      }
      out.add(new Backend(info.name(), info.available(), detail, info.hint()));
    }
    return out;
  }
}
