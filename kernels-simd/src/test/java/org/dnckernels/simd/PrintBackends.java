package org.dnckernels.simd;

import org.dnckernels.BackendInfo;
import org.dnckernels.DncKernels;

/** Entry point of the child JVM of {@link SimdAvailabilityTest}: prints the backend list. */
public final class PrintBackends {
  private PrintBackends() {}

  public static void main(String[] args) {
    for (BackendInfo info : DncKernels.backends()) {
      System.out.println(info);
    }
  }
}
