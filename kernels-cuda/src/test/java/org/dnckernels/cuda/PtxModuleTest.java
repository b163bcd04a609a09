package org.dnckernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The PTX in the jar against the host's kernel table, on any machine: every {@link Kernel} exists as an entry
 * with exactly the declared parameters (a pointer is {@code .u64}, an int {@code .u32}) and the declared block
 * size as its {@code .maxntid}, and the PTX has no entry the host does not know. A kernel signature changed on
 * one side only fails here, long before a GPU would crash on it.
 */
class PtxModuleTest {
  private static final Pattern ENTRY = Pattern.compile("\\.visible \\.entry (\\w+)\\(([^)]*)\\)\\s*([^{]*)\\{");
  private static final Pattern PARAM = Pattern.compile("\\.param \\.(\\w+) ");
  private static final Pattern MAXNTID = Pattern.compile("\\.maxntid (\\d+), 1, 1");

  private static String ptx;
  private static Map<String, Entry> entries;

  private record Entry(String parameters, int maxThreads) {}

  @BeforeAll
  static void readPtx() throws IOException {
    try (InputStream in = PtxModuleTest.class.getResourceAsStream(CudaRuntime.PTX_RESOURCE)) {
      assertNotNull(in, CudaRuntime.PTX_RESOURCE + " is not on the class path");
      ptx = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
    entries = new LinkedHashMap<>();
    Matcher m = ENTRY.matcher(ptx);
    while (m.find()) {
      StringBuilder types = new StringBuilder();
      Matcher p = PARAM.matcher(m.group(2));
      while (p.find()) {
        types.append(switch (p.group(1)) {
          case "u64" -> 'P';
          case "u32" -> 'I';
          default -> '?';
        });
      }
      Matcher t = MAXNTID.matcher(m.group(3));
      entries.put(m.group(1), new Entry(types.toString(), t.find() ? Integer.parseInt(t.group(1)) : -1));
    }
  }

  @Test
  void targetsCompute75With64BitAddresses() {
    assertTrue(ptx.startsWith("// dnc-kernels: sha256 of src/main/cuda and nvcc flags: "), "header line");
    assertTrue(ptx.contains("\n.target sm_75\n"), "PTX target must be compute_75 (see regen-ptx.sh)");
    assertTrue(ptx.contains("\n.address_size 64\n"), ".address_size 64");
    assertTrue(ptx.contains("// Cuda compilation tools, release 13.0"), "built by nvcc 13.0 (docs/cuda.md)");
  }

  @Test
  void everyKernelOfTheHostIsInThePtxWithItsSignatureAndBlockSize() {
    List<String> problems = new ArrayList<>();
    for (Kernel k : Kernel.values()) {
      Entry e = entries.get(k.entry);
      if (e == null) {
        problems.add(k.entry + ": no such entry in the PTX");
      } else if (!e.parameters().equals(k.parameters)) {
        problems.add(k.entry + ": PTX parameters " + e.parameters() + ", host declares " + k.parameters);
      } else if (e.maxThreads() != k.block) {
        problems.add(k.entry + ": PTX .maxntid " + e.maxThreads() + ", host launches " + k.block + " threads");
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void thePtxHasNoEntryTheHostDoesNotLaunch() {
    List<String> known = java.util.Arrays.stream(Kernel.values()).map(k -> k.entry).toList();
    List<String> extra = entries.keySet().stream().filter(e -> !known.contains(e)).collect(Collectors.toList());
    assertEquals(List.of(), extra);
    assertEquals(Kernel.values().length, entries.size());
  }
}
