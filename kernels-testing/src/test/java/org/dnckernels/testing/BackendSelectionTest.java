package org.dnckernels.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.dnckernels.BackendInfo;
import org.dnckernels.DncKernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;

/**
 * Backend discovery and selection. Discovery runs once per JVM (the registry caches it), so these tests only
 * read it; the system property is set and restored around each call that reads it.
 */
@ResourceLock(Resources.SYSTEM_PROPERTIES)
class BackendSelectionTest {
  private static final String PROPERTY = "dnc.kernels.backend";

  @Test
  void scalarIsListedAsAvailable() {
    List<BackendInfo> all = DncKernels.backends();
    BackendInfo scalar = all.stream().filter(b -> b.name().equals("scalar")).findFirst()
        .orElseThrow(() -> new AssertionError("scalar not listed: " + all));
    assertTrue(scalar.available(), "scalar must always be available: " + scalar);
    assertEquals(100, scalar.priority(), "scalar's priority");
    for (int i = 1; i < all.size(); i++) {
      assertTrue(all.get(i - 1).priority() >= all.get(i).priority(), "listed best first: " + all);
    }
  }

  @Test
  void loadByNameGivesThatBackend() {
    DncKernels k = DncKernels.load("scalar");
    assertEquals("scalar", k.name());
    assertEquals("scalar", DncKernels.load(" Scalar ").name(), "names are trimmed and case-insensitive");
  }

  @Test
  void unknownNamesAreRefusedWithWhatWasFound() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> DncKernels.load("nonexistent"));
    assertTrue(e.getMessage().contains("nonexistent"), "message names the request: " + e.getMessage());
    assertTrue(e.getMessage().contains("scalar"), "message lists what was found: " + e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DncKernels.load(null));
  }

  @Test
  void autoGivesAnAvailableBackend() {
    DncKernels k = DncKernels.load("auto");
    assertNotNull(k);
    String name = k.name();
    assertTrue(DncKernels.backends().stream().anyMatch(b -> b.name().equals(name) && b.available()),
        "auto chose " + name + ", which must be listed as available: " + DncKernels.backends());
    // the best available one: nothing available ranks above it
    int chosen = DncKernels.backends().stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow()
        .priority();
    assertTrue(DncKernels.backends().stream().noneMatch(b -> b.available() && b.priority() > chosen),
        "auto must choose the best available backend: " + DncKernels.backends());
  }

  @Test
  void thePropertyForcesABackend() {
    assertEquals("scalar", withProperty("scalar", DncKernels::load).name());
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> withProperty("nonexistent", DncKernels::load));
    assertTrue(e.getMessage().contains("nonexistent"), e.getMessage());
    String auto = withProperty("auto", DncKernels::load).name();
    assertEquals(DncKernels.load("auto").name(), auto, "auto through the property");
    assertEquals(auto, withProperty(null, DncKernels::load).name(), "no property means auto");
  }

  private static <T> T withProperty(String value, java.util.function.Supplier<T> call) {
    String old = System.getProperty(PROPERTY);
    try {
      if (value == null) {
        System.clearProperty(PROPERTY);
      } else {
        System.setProperty(PROPERTY, value);
      }
      return call.get();
    } finally {
      if (old == null) {
        System.clearProperty(PROPERTY);
      } else {
        System.setProperty(PROPERTY, old);
      }
    }
  }
}
