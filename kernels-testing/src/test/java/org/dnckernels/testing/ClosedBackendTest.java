package org.dnckernels.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.dnckernels.DncKernels;
import org.dnckernels.KernelSpec;
import org.dnckernels.Tensor;
import org.dnckernels.Workspace;
import org.junit.jupiter.api.Test;

/** A closed backend refuses every kernel call with IllegalStateException, the same on every backend (the facade). */
class ClosedBackendTest {
  @Test
  void everyKernelCallAfterCloseFails() {
    DncKernels k = DncKernels.load("scalar");
    KernelSpec.Sizes sizes = new KernelSpec.Sizes(1, 4, 3, 2, 1, 2, 3);
    Workspace ws = k.newWorkspace(sizes.memoryShape());
    List<Runnable> calls = new ArrayList<>();
    for (KernelSpec spec : KernelSpec.values()) {
      int[][] shapes = spec.shapes(sizes);
      Tensor[] args = new Tensor[shapes.length];
      for (int i = 0; i < args.length; i++) {
        args[i] = k.allocate(shapes[i]);
      }
      Runnable call = spec.bind(k, args, ws);
      call.run(); // zeros are valid input for every kernel: the call works while open
      calls.add(call);
    }
    assertFalse(k.isClosed());
    k.close();
    assertTrue(k.isClosed());
    for (int i = 0; i < calls.size(); i++) {
      IllegalStateException e = assertThrows(IllegalStateException.class, calls.get(i)::run,
          KernelSpec.values()[i].method());
      assertTrue(e.getMessage().startsWith("scalar backend: closed"), e.getMessage());
    }
    k.close(); // idempotent
  }
}
