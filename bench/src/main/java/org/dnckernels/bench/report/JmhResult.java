package org.dnckernels.bench.report;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One entry of JMH's JSON result file (average-time mode), with the score in nanoseconds per call.
 *
 * @param benchmark       fully qualified benchmark method
 * @param params          the benchmark's {@code @Param} values
 * @param nanos           score, ns per call
 * @param errorNanos      JMH's score error (half-width of the 99.9% confidence interval), NaN if JMH had too few
 *                        iterations to give one
 * @param allocBytesPerOp {@code gc.alloc.rate.norm} (B/op) when run with {@code -prof gc}, else NaN
 * @param jdkVersion      the forked JVM's version as JMH recorded it
 * @param vmName          the forked JVM's name
 * @param jvmArgs         the forked JVM's arguments
 * @param forks           forks
 * @param iterations      measurement iterations per fork
 * @param jmhVersion      the JMH that ran it
 * @param warmupIterations warmup iterations per fork
 * @param warmupTime      length of a warmup iteration as JMH wrote it ("500 ms")
 * @param measurementTime length of a measurement iteration as JMH wrote it
 */
public record JmhResult(
    String benchmark,
    Map<String, String> params,
    double nanos,
    double errorNanos,
    double allocBytesPerOp,
    String jdkVersion,
    String vmName,
    List<String> jvmArgs,
    int forks,
    int iterations,
    String jmhVersion,
    int warmupIterations,
    String warmupTime,
    String measurementTime) {

  /** The benchmark class's simple name, e.g. {@code KernelBenchmark}. */
  public String className() {
    int dot = benchmark.lastIndexOf('.');
    String owner = benchmark.substring(0, dot);
    return owner.substring(owner.lastIndexOf('.') + 1);
  }

  /** The benchmark method, e.g. {@code kernel} (the kernel itself is {@code param("kernel")}). */
  public String method() {
    return benchmark.substring(benchmark.lastIndexOf('.') + 1);
  }

  /** Forks, warmup and measurement, as the report's settings table shows them. */
  public String settings() {
    return forks + (forks == 1 ? " fork" : " forks") + ", warmup " + warmupIterations + " × " + warmupTime
        + ", measurement " + iterations + " × " + measurementTime;
  }

  /** Total warmup time per fork in ms (NaN if JMH's time text is not understood). */
  public double warmupMillis() {
    return warmupIterations * millis(warmupTime);
  }

  // "500 ms", "1 s", "10 us" as JMH writes a TimeValue
  static double millis(String time) {
    String[] parts = time.trim().split("\\s+");
    if (parts.length != 2) {
      return Double.NaN;
    }
    try {
      double v = Double.parseDouble(parts[0]);
      return switch (parts[1]) {
        case "ns" -> v / 1e6;
        case "us", "µs" -> v / 1e3;
        case "ms" -> v;
        case "s" -> v * 1e3;
        case "min" -> v * 60e3;
        default -> Double.NaN;
      };
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  public String param(String name) {
    return params.get(name);
  }

  /** Reads a JMH JSON result file (an array of results). */
  public static List<JmhResult> read(Path file) throws IOException {
    // JMH writes NaN scores as strings; accept bare NaN too
    ObjectMapper mapper = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    JsonNode root = mapper.readTree(file.toFile());
    if (root == null || !root.isArray()) {
      throw new IOException(file + ": not a JMH JSON result file (expected an array of results)");
    }
    List<JmhResult> out = new ArrayList<>();
    for (JsonNode n : root) {
      out.add(parse(n));
    }
    return out;
  }

  static JmhResult parse(JsonNode n) {
    String mode = n.path("mode").asText("avgt");
    if (!mode.equals("avgt")) {
      throw new IllegalArgumentException(n.path("benchmark").asText() + ": mode " + mode
          + " is not supported (the report reads average time per call, -bm avgt)");
    }
    Map<String, String> params = new LinkedHashMap<>();
    n.path("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
    JsonNode primary = n.path("primaryMetric");
    double toNanos = nanosPer(primary.path("scoreUnit").asText("ns/op"));
    JsonNode alloc = n.path("secondaryMetrics").path("gc.alloc.rate.norm");
    List<String> jvmArgs = new ArrayList<>();
    n.path("jvmArgs").forEach(a -> jvmArgs.add(a.asText()));
    return new JmhResult(
        n.path("benchmark").asText(),
        params,
        number(primary.path("score")) * toNanos,
        number(primary.path("scoreError")) * toNanos,
        alloc.isMissingNode() ? Double.NaN : number(alloc.path("score")),
        n.path("jdkVersion").asText(null),
        n.path("vmName").asText(null),
        jvmArgs,
        n.path("forks").asInt(0),
        n.path("measurementIterations").asInt(0),
        n.path("jmhVersion").asText("unknown"),
        n.path("warmupIterations").asInt(0),
        n.path("warmupTime").asText("?"),
        n.path("measurementTime").asText("?"));
  }

  // JMH writes NaN as the string "NaN"
  private static double number(JsonNode v) {
    if (v.isNumber()) {
      return v.asDouble();
    }
    if (v.isTextual()) {
      try {
        return Double.parseDouble(v.asText());
      } catch (NumberFormatException e) {
        return Double.NaN;
      }
    }
    return Double.NaN;
  }

  private static double nanosPer(String unit) {
    return switch (unit) {
      case "ns/op" -> 1;
      case "us/op" -> 1e3;
      case "ms/op" -> 1e6;
      case "s/op" -> 1e9;
      default -> throw new IllegalArgumentException(
          "score unit " + unit + " is not supported (the report reads time per call: ns/op, us/op, ms/op, s/op)");
    };
  }
}
