package org.dnckernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The descriptions match the facade they describe: one per public kernel method, with its parameter names. */
class KernelSpecTest {
  private static final List<String> NOT_KERNELS = List.of("load", "backends", "name", "description", "synchronize",
      "close", "isClosed", "allocate", "canWrap", "wrap", "upload", "newState", "newInterface", "newWorkspace",
      "newBackwardWorkspace", "copy");

  @Test
  void everyPublicKernelMethodHasADescriptionAndNoOtherDoes() {
    List<String> methods = new ArrayList<>();
    for (Method m : DncKernels.class.getDeclaredMethods()) {
      if (Modifier.isPublic(m.getModifiers()) && !NOT_KERNELS.contains(m.getName())) {
        methods.add(m.getName());
      }
    }
    List<String> described = Arrays.stream(KernelSpec.values()).map(KernelSpec::method).sorted().toList();
    assertEquals(described, methods.stream().sorted().toList());
  }

  @Test
  void tensorKernelsTakeTheirArgumentsInTheDescribedOrder() throws Exception {
    for (KernelSpec k : KernelSpec.values()) {
      if (k.takesRecords()) {
        continue;
      }
      Class<?>[] types = new Class<?>[k.args().size()];
      Arrays.fill(types, Tensor.class);
      Method m = DncKernels.class.getMethod(k.method(), types);
      // parameter names are in the class file only with -parameters; the arity and types are checked always
      assertEquals(k.args().size(), m.getParameterCount(), k.method());
    }
  }

  @Test
  void writtenArgumentsAreDistinctFromAllOthersButTheSameOrDistinctPairs() {
    for (KernelSpec k : KernelSpec.values()) {
      int args = k.args().size(), written = 0;
      for (KernelSpec.Arg a : k.args()) {
        written += a.role().written() ? 1 : 0;
      }
      int readOnly = args - written;
      // every pair but the read-only ones is either distinct or same-or-distinct
      int pairs = args * (args - 1) / 2;
      assertEquals(pairs - readOnly * (readOnly - 1) / 2, k.distinct().size() + k.sameOrDistinct().size(), k.method());
      assertEquals(readOnly * (readOnly - 1) / 2, k.readOnlyPairs().size(), k.method());
    }
  }

  @Test
  void trafficCountsUpdatedArgumentsTwice() {
    KernelSpec.Sizes s = new KernelSpec.Sizes(2, 8, 4, 3, 2, 3, 3);
    // eraseAndAdd: M read and written, weights, erase and add read
    assertEquals(4L * (2 * 2 * 8 * 4 + 2 * 2 * 8 + 2 * 2 * 2 * 4), KernelSpec.ERASE_AND_ADD.bytesMoved(s));
    assertEquals(4L * (2 * 8 * 4 + 2 * 2 * 8 + 2 * 2 * 2 * 4), KernelSpec.ERASE_AND_ADD.footprintBytes(s));
    for (KernelSpec k : KernelSpec.values()) {
      // the steps hold workspaces besides their arguments
      assertTrue(k.bytesMoved(s) >= k.footprintBytes(s) || k.family() == KernelSpec.Family.MEMORY_STEP, k.method());
      assertTrue(k.operations(s) > 0, k.method());
    }
  }
}
