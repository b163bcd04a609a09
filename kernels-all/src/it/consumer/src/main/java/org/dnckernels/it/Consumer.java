package org.dnckernels.it;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.dnckernels.DncKernels;
import org.dnckernels.InterfaceValues;
import org.dnckernels.MemoryShape;
import org.dnckernels.MemoryState;
import org.dnckernels.Tensor;
import org.dnckernels.Workspace;

/**
 * One memory step through the public facade, the README's code; then checks the backend {@code auto} chose.
 * {@code Consumer simd}: SIMD, and no warning. {@code Consumer scalar}: the scalar fallback, and the warning that
 * says how to enable SIMD. Exits with status 1 when the expectation does not hold.
 */
public final class Consumer {
  public static void main(String[] args) {
    String expected = args[0];
    // the library logs through System.Logger, which is java.util.logging here
    Logger log = Logger.getLogger("org.dnckernels");
    List<String> warnings = new ArrayList<>();
    log.addHandler(new Handler() {
      @Override
      public void publish(LogRecord r) {
        if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
          warnings.add(new SimpleFormatter().formatMessage(r));
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    });

    DncKernels k = DncKernels.load();                    // simd with --add-modules jdk.incubator.vector, else scalar
    MemoryShape s = new MemoryShape(16, 128, 32, 4, 1);   // B, N, W, R, write heads
    MemoryState state = k.newState(s);                   // zeroed memory, usage, link, precedence, weights
    InterfaceValues in = k.newInterface(s);              // or k.interfaceSplit(rawInterface, in)
    Workspace ws = k.newWorkspace(s);                    // scratch, made once
    Tensor reads = k.allocate(16, 4, 32);
    k.memoryStep(state, in, reads, ws);                  // state updated in place, read vectors in `reads`

    System.out.println("consumer: backend " + k.name() + " (" + k.description() + "), " + reads.size()
        + " read values, warnings " + warnings);
    String hint = "--add-modules jdk.incubator.vector";
    boolean ok = k.name().equals(expected) && (expected.equals("simd")
        ? warnings.isEmpty()
        : warnings.size() == 1 && warnings.get(0).contains("simd not used") && warnings.get(0).contains(hint));
    k.close();
    if (!ok) {
      System.out.println("consumer: FAILED: expected backend " + expected
          + (expected.equals("simd") ? " and no warning" : " and one warning naming " + hint));
      System.exit(1);
    }
    System.out.println(expected.equals("simd")
        ? "consumer: backend simd, as expected, no warning"
        : "consumer: backend scalar, as expected, warned: " + warnings.get(0));
  }
}
