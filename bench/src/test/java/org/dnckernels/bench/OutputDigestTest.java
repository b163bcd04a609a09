package org.dnckernels.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.List;
import org.dnckernels.DncKernels;
import org.dnckernels.KernelSpec;
import org.junit.jupiter.api.Test;

class OutputDigestTest {
  @Test
  void digestsAreReproducibleAndTellEveryKernelAndShapeApart() {
    List<String> first, second;
    try (DncKernels a = DncKernels.load("scalar"); DncKernels b = DncKernels.load("scalar")) {
      first = OutputDigest.digests(a);
      second = OutputDigest.digests(b);
    }
    assertEquals(first, second);
    assertEquals(KernelSpec.values().length * OutputDigest.SIZES.size(), first.size());
    // every output hashed: distinct kernels and shapes give distinct digests
    HashSet<String> hashes = new HashSet<>();
    for (String line : first) {
      hashes.add(line.substring(line.lastIndexOf(' ') + 1));
    }
    assertEquals(first.size(), hashes.size());
  }
}
