package org.dnckernels.bench;

import java.util.concurrent.TimeUnit;
import org.dnckernels.KernelSpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time per call of every kernel of the contract: one benchmark, parameterised by {@code kernel} (a
 * {@link KernelSpec#method() method name}), {@code backend}, {@code shape} and {@code transfer}. With
 * {@code transfer=false} the tensors are already on the backend (device backends synchronise before the clock
 * stops); with {@code transfer=true} every input and in-place tensor is uploaded, the kernel run, and every output
 * and in-place tensor downloaded: what a host caller of a device backend pays ({@link BenchMain} runs it for
 * device backends only). Run through {@link BenchMain}, which keeps only the available backends; plain
 * {@code java -jar benchmarks.jar} runs every value listed in the parameters.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class KernelBenchmark {
  /**
   * The kernel's arguments. {@code kernel} lists {@link KernelSpec}'s method names in its order (JMH needs
   * compile-time constants; {@code KernelBenchmarkTest} checks the list against the enum).
   */
  @State(Scope.Thread)
  public static class Args extends KernelState {
    @Param({"contentWeights", "eraseAndAdd", "read", "usage", "allocation", "writeWeights", "precedence",
        "linkUpdate", "forwardBackward", "linkUpdateAndWeightings", "readModeMix", "ntmInterpolate", "ntmShift",
        "ntmSharpen", "interfaceSplit", "memoryStep", "contentWeightsBackward", "eraseAndAddBackward",
        "readBackward", "usageBackward", "allocationBackward", "writeWeightsBackward", "precedenceBackward",
        "linkUpdateBackward", "forwardBackwardBackward", "linkUpdateAndWeightingsBackward", "readModeMixBackward",
        "ntmInterpolateBackward", "ntmShiftBackward", "ntmSharpenBackward", "interfaceSplitBackward",
        "memoryStepBackward"})
    public String kernel;

    /** false: the kernel alone; true: with the uploads and downloads of a host caller. */
    @Param({"false", "true"})
    public boolean transfer;

    @Override
    protected KernelSpec spec() {
      return KernelSpec.byMethod(kernel);
    }
  }

  @Benchmark
  public Object kernel(Args s) {
    return s.transfer ? s.runWithTransfer() : s.run();
  }
}
