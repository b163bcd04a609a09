package org.dnckernels.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.dnckernels.DncKernels;
import org.dnckernels.MemoryTape;

/**
 * Trains a DNC on the copy task and draws what it learnt. Run it through {@code examples/copy-task.sh}; {@code
 * --help} lists the options.
 */
public final class CopyTask {
  /** Every option, with the defaults of the README. */
  public record Options(String backend, int bits, int minLength, int maxLength, int slots, int wordSize,
      int readHeads, int hidden, int batch, int iterations, double minutes, long seed, float learningRate,
      float clipNorm, int checkpointInterval, int progressEvery, Path out) {
    public static Options defaults() {
      return new Options("auto", 6, 1, 5, 16, 16, 4, 64, 16, 10000, 0, 1, 1e-3f, 10f, 0, 100, Path.of("copy-task"));
    }

    public DncModel.Sizes sizes() {
      return new DncModel.Sizes(bits, slots, wordSize, readHeads, hidden, batch);
    }
  }

  /** What a run reached, for the caller and the tests. */
  public record Result(List<Double> losses, List<Double> bitErrors, int solvedAt, double solvedAfterSeconds,
      double seconds, long memorySteps) {}

  private static final int SOLVED_WINDOW = 100;

  private CopyTask() {}

  public static void main(String[] args) throws IOException {
    Options o;
    try {
      o = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println(usage());
      System.exit(2);
      return;
    }
    if (o == null) {
      System.out.println(usage());
      return;
    }
    try (DncKernels kernels = DncKernels.load(o.backend())) {
      Files.createDirectories(o.out());
      int maxSteps = 2 * o.maxLength() + 1;
      int interval = o.checkpointInterval() < 0 ? MemoryTape.defaultInterval(maxSteps) : o.checkpointInterval();
      System.out.printf(Locale.ROOT, "backend %s (%s); %d bits, lengths %d-%d, N=%d W=%d R=%d, hidden %d, batch %d, "
              + "%s%n", kernels.name(), kernels.description(), o.bits(), o.minLength(), o.maxLength(), o.slots(),
          o.wordSize(), o.readHeads(), o.hidden(), o.batch(),
          interval > 0 ? "checkpoints every " + interval + " steps" : "every step kept");
      try (DncModel model = new DncModel(kernels, o.sizes(), maxSteps, interval, o.seed())) {
        System.out.printf(Locale.ROOT, "%d parameters; the tape keeps %.1f KiB per batch%n",
            model.parameters().length, model.tapeBytes() / 1024.0);
        System.out.println("progress: loss smoothed (EMA 0.98), bit errors per sequence and speeds over the last "
            + o.progressEvery() + " iterations; steps/s = memory steps x batch per second");
        Result r = train(model, o, System.out);
        System.out.printf(Locale.ROOT, "%d iterations in %.0f s (%.0f steps/s); %s%n", r.losses().size(),
            r.seconds(), r.memorySteps() * o.batch() / r.seconds(), r.solvedAt() > 0
                ? String.format(Locale.ROOT, "bit errors per sequence over %d iterations first below 1 at iteration "
                    + "%d (%.0f s)", SOLVED_WINDOW, r.solvedAt(), r.solvedAfterSeconds())
                : "bit errors per sequence never below 1 over " + SOLVED_WINDOW + " iterations");
        writeCurve(o.out().resolve("loss.csv"), r);
        Pictures.lossCurve(r.losses(), r.bitErrors(), o.out().resolve("loss-curve.png"));
        CopySequences examples = new CopySequences(o.bits(), o.maxLength(), o.maxLength(), o.seed() + 1);
        CopySequences.Batch example = examples.next(o.batch());
        model.recordWeights(true);
        model.forward(example);
        model.recordWeights(false);
        Pictures.example(example, model, o.out().resolve("copy-example.png"));
        System.out.printf(Locale.ROOT, "wrote %s, %s, %s%n", o.out().resolve("loss.csv"),
            o.out().resolve("loss-curve.png"), o.out().resolve("copy-example.png"));
      }
    }
  }

  /** Trains {@code model} for the options' iterations (or minutes), printing progress to {@code log} if not null. */
  public static Result train(DncModel model, Options o, PrintStream log) {
    CopySequences task = new CopySequences(o.bits(), o.minLength(), o.maxLength(), o.seed());
    Adam adam = new Adam(model.parameters().length, o.learningRate(), o.clipNorm());
    List<Double> losses = new ArrayList<>(), errors = new ArrayList<>();
    long start = System.nanoTime(), windowStart = start, memorySteps = 0, windowSteps = 0;
    double smoothLoss = Double.NaN, windowErrors = 0;
    double recentErrors = 0; // sum of the last SOLVED_WINDOW iterations' bit errors
    int solvedAt = -1;
    double solvedAfter = Double.NaN;
    for (int it = 0; it < o.iterations(); it++) {
      CopySequences.Batch batch = task.next(o.batch());
      double loss = model.forward(batch);
      double err = model.bitErrorsPerSequence(batch);
      model.backward(batch);
      adam.update(model.parameters(), model.gradients());
      losses.add(loss);
      errors.add(err);
      memorySteps += batch.steps();
      windowSteps += batch.steps();
      windowErrors += err;
      smoothLoss = Double.isNaN(smoothLoss) ? loss : 0.98 * smoothLoss + 0.02 * loss;
      recentErrors += err - (it >= SOLVED_WINDOW ? errors.get(it - SOLVED_WINDOW) : 0);
      double elapsed = (System.nanoTime() - start) / 1e9;
      if (solvedAt < 0 && it + 1 >= SOLVED_WINDOW && recentErrors / SOLVED_WINDOW < 1) {
        solvedAt = it + 1;
        solvedAfter = elapsed;
        if (log != null) {
          log.printf(Locale.ROOT, "bit errors per sequence over the last %d iterations below 1 at iteration %d "
              + "(%.0f s)%n", SOLVED_WINDOW, solvedAt, elapsed);
        }
      }
      boolean last = it + 1 == o.iterations() || (o.minutes() > 0 && elapsed >= o.minutes() * 60);
      if (log != null && ((it + 1) % o.progressEvery() == 0 || last)) {
        long now = System.nanoTime();
        double window = (now - windowStart) / 1e9;
        int done = it + 1, inWindow = (done - 1) % o.progressEvery() + 1;
        double perIteration = elapsed / done;
        double eta = o.minutes() > 0
            ? Math.min((o.iterations() - done) * perIteration, o.minutes() * 60 - elapsed)
            : (o.iterations() - done) * perIteration;
        log.printf(Locale.ROOT, "iter %6d  loss %8.4f  bit errors/seq %6.3f  %7.1f seq/s  %8.0f steps/s  "
                + "elapsed %s  eta %s%n", done, smoothLoss, windowErrors / inWindow,
            inWindow * o.batch() / window, windowSteps * o.batch() / window, clock(elapsed), clock(eta));
        windowStart = now;
        windowSteps = 0;
        windowErrors = 0;
      }
      if (last) {
        break;
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Result(losses, errors, solvedAt, solvedAfter, seconds, memorySteps);
  }

  private static String clock(double seconds) {
    long s = Math.max(0, Math.round(seconds));
    return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  }

  private static void writeCurve(Path file, Result r) throws IOException {
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
      w.println("iteration,loss,bit_errors_per_sequence");
      for (int i = 0; i < r.losses().size(); i++) {
        w.printf(Locale.ROOT, "%d,%.6f,%.4f%n", i + 1, r.losses().get(i), r.bitErrors().get(i));
      }
    }
  }

  static String usage() {
    Options d = Options.defaults();
    return String.join("\n",
        "usage: examples/copy-task.sh [options]",
        "  --backend auto|scalar|simd|cuda   kernels backend (default " + d.backend() + ")",
        "  --bits N                          bits per vector (" + d.bits() + ")",
        "  --lengths MIN-MAX                 sequence lengths drawn uniformly (" + d.minLength() + "-" + d.maxLength()
            + ")",
        "  --slots N  --word W  --reads R    memory: slots, word size, read heads (" + d.slots() + ", "
            + d.wordSize() + ", " + d.readHeads() + "; one write head)",
        "  --hidden H  --batch B             LSTM size, sequences per batch (" + d.hidden() + ", " + d.batch() + ")",
        "  --iterations N                    training batches (" + d.iterations() + ")",
        "  --minutes M                       stop after M minutes too (0: no limit)",
        "  --seed S                          random seed (" + d.seed() + ")",
        "  --lr X  --clip X                  Adam's learning rate, global gradient-norm clip (" + d.learningRate()
            + ", " + d.clipNorm() + ")",
        "  --checkpoint off|auto|K           tape keeps every step (off), every ceil(sqrt(T))-th (auto) or every"
            + " K-th state (" + (d.checkpointInterval() == 0 ? "off" : d.checkpointInterval()) + ")",
        "  --progress K                      a progress line every K iterations (" + d.progressEvery() + ")",
        "  --out DIR                         output folder (" + d.out() + ")");
  }

  /** The options from the command line; null for --help. */
  static Options parse(String[] args) {
    Options d = Options.defaults();
    String backend = d.backend();
    int bits = d.bits(), minLength = d.minLength(), maxLength = d.maxLength(), slots = d.slots(),
        word = d.wordSize(), reads = d.readHeads(), hidden = d.hidden(), batch = d.batch(),
        iterations = d.iterations(), checkpoint = d.checkpointInterval(), progress = d.progressEvery();
    double minutes = d.minutes();
    long seed = d.seed();
    float lr = d.learningRate(), clip = d.clipNorm();
    Path out = d.out();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("-h") || a.equals("--help")) {
        return null;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(a + " needs a value");
      }
      String v = args[++i];
      switch (a) {
        case "--backend" -> backend = v;
        case "--bits" -> bits = positive(a, v);
        case "--lengths" -> {
          String[] p = v.split("-");
          if (p.length != 2) {
            throw new IllegalArgumentException("--lengths wants MIN-MAX, got " + v);
          }
          minLength = positive(a, p[0]);
          maxLength = positive(a, p[1]);
          if (maxLength < minLength) {
            throw new IllegalArgumentException("--lengths: MAX below MIN in " + v);
          }
        }
        case "--slots" -> slots = positive(a, v);
        case "--word" -> word = positive(a, v);
        case "--reads" -> reads = positive(a, v);
        case "--hidden" -> hidden = positive(a, v);
        case "--batch" -> batch = positive(a, v);
        case "--iterations" -> iterations = positive(a, v);
        case "--minutes" -> minutes = Double.parseDouble(v);
        case "--seed" -> seed = Long.parseLong(v);
        case "--lr" -> lr = Float.parseFloat(v);
        case "--clip" -> clip = Float.parseFloat(v);
        case "--checkpoint" -> checkpoint = switch (v) {
          case "off" -> 0;
          case "auto" -> -1;
          default -> positive(a, v);
        };
        case "--progress" -> progress = positive(a, v);
        case "--out" -> out = Path.of(v);
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    return new Options(backend, bits, minLength, maxLength, slots, word, reads, hidden, batch, iterations, minutes,
        seed, lr, clip, checkpoint, progress, out);
  }

  private static int positive(String option, String v) {
    int n;
    try {
      n = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " wants a whole number, got " + v);
    }
    if (n < 1) {
      throw new IllegalArgumentException(option + " must be at least 1, got " + v);
    }
    return n;
  }
}
