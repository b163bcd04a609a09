package org.dnckernels.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Copies {@code System.out} and {@code System.err} into a log file while it is open, so a run's console (JMH's
 * included: its runner prints through {@code System.out}) is also kept in the report folder. Closing restores both.
 */
final class Tee implements AutoCloseable {
  private final PrintStream out, err;
  private final OutputStream file;

  private Tee(PrintStream out, PrintStream err, OutputStream file) {
    this.out = out;
    this.err = err;
    this.file = file;
  }

  static Tee to(Path log) throws IOException {
    OutputStream file = Files.newOutputStream(log);
    Tee tee = new Tee(System.out, System.err, file);
    System.setOut(new PrintStream(new Both(tee.out, file), true));
    System.setErr(new PrintStream(new Both(tee.err, file), true));
    return tee;
  }

  @Override
  public void close() throws IOException {
    System.out.flush();
    System.err.flush();
    System.setOut(out);
    System.setErr(err);
    file.close();
  }

  /** Writes to the console stream and to the file (one lock: lines of out and err do not interleave mid-line). */
  private static final class Both extends OutputStream {
    private final OutputStream console, file;

    Both(OutputStream console, OutputStream file) {
      this.console = console;
      this.file = file;
    }

    @Override
    public void write(int b) throws IOException {
      synchronized (file) {
        console.write(b);
        file.write(b);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      synchronized (file) {
        console.write(b, off, len);
        file.write(b, off, len);
      }
    }

    @Override
    public void flush() throws IOException {
      synchronized (file) {
        console.flush();
        file.flush();
      }
    }
  }
}
