package org.dnckernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HostTensorTest {
  private static HostTensor view(float[] a, int off, int... shape) {
    return new HostTensor("host", a, off, shape);
  }

  @Test
  void wrapIsAViewNotACopy() {
    float[] a = new float[10];
    HostTensor t = view(a, 2, 2, 3);
    assertEquals(6, t.size());
    assertArrayEquals(new int[] {2, 3}, t.shape());
    a[2] = 7f;
    assertEquals(7f, t.toArray()[0]);
    t.copyFrom(new float[] {1, 2, 3, 4, 5, 6}, 0);
    assertEquals(1f, a[2]);
    assertEquals(6f, a[7]);
    assertEquals(0f, a[8]);
  }

  @Test
  void shortArrayNullAndBadSizesAreRejectedWithTheArgumentName() {
    var e = assertThrows(IllegalArgumentException.class, () -> view(new float[5], 0, 2, 3));
    assertTrue(e.getMessage().startsWith("data:"), e.getMessage());
    assertTrue(e.getMessage().contains("needs 6"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> view(new float[6], 1, 2, 3));
    assertTrue(e.getMessage().contains("offset 1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> view(null, 0, 1));
    assertEquals("data: must not be null", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> view(new float[6], 0, 2, -3));
    assertTrue(e.getMessage().contains("dimension 1 must be >= 1 but was -3"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> view(new float[6], 0));
    assertTrue(e.getMessage().startsWith("shape:"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> view(new float[6], -1, 1));
    assertTrue(e.getMessage().contains("offset -1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> view(new float[6], 0, 65536, 65536));
    assertTrue(e.getMessage().contains("2^31"), e.getMessage());
  }

  @Test
  void copyChecksItsArrayAndChangesNothingOnError() {
    float[] a = {1, 2, 3};
    HostTensor t = view(a, 0, 3);
    assertThrows(IllegalArgumentException.class, () -> t.copyFrom(new float[2], 0));
    assertThrows(IllegalArgumentException.class, () -> t.copyFrom(null, 0));
    assertThrows(IllegalArgumentException.class, () -> t.copyTo(new float[3], 1));
    assertArrayEquals(new float[] {1, 2, 3}, a);
  }

  @Test
  void overlapAndSameStorage() {
    float[] a = new float[12];
    HostTensor x = view(a, 0, 6);
    HostTensor y = view(a, 5, 3);
    HostTensor z = view(a, 6, 6);
    HostTensor x2 = view(a, 0, 2, 3);
    assertTrue(x.overlaps(y));
    assertFalse(x.overlaps(z));
    assertFalse(x.overlaps(view(new float[12], 0, 6)));
    assertTrue(x.sameStorage(x2));
    assertFalse(x.sameStorage(y));
  }

  @Test
  void memoryShapeInterfaceSize() {
    // the seed's layout: W·R + 3W + 5R + 3
    assertEquals(16 * 4 + 3 * 16 + 5 * 4 + 3, new MemoryShape(1, 16, 16, 4, 1).interfaceSize());
    assertEquals(3, new MemoryShape(1, 16, 16, 4, 1).readModes());
    assertEquals(5, new MemoryShape(1, 16, 16, 4, 2).readModes());
    assertThrows(IllegalStateException.class, () -> new MemoryShape(1, 16, 16, 4, 2).interfaceSize());
    var e = assertThrows(IllegalArgumentException.class, () -> new MemoryShape(1, 0, 16, 4, 1));
    assertEquals("slots: must be >= 1 but was 0", e.getMessage());
  }
}
