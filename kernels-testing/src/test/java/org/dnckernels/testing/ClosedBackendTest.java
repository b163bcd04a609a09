package org.dnckernels.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dnckernels.DncKernels;
import org.dnckernels.Tensor;
import org.junit.jupiter.api.Test;

/** A closed backend refuses every kernel call with IllegalStateException, the same on every backend (the facade). */
class ClosedBackendTest {
  @Test
  void everyKernelCallAfterCloseFails() {
    DncKernels k = DncKernels.load("scalar");
    Tensor w = k.allocate(1, 1, 4), g = k.allocate(1, 1), out = k.allocate(1, 1, 4);
    k.ntmSharpen(w, g, out);
    assertFalse(k.isClosed());
    k.close();
    assertTrue(k.isClosed());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> k.ntmSharpen(w, g, out));
    assertTrue(e.getMessage().startsWith("scalar backend: closed"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> k.ntmInterpolate(w, w, g, out));
    k.close(); // idempotent
  }
}
