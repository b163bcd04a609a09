package org.dnckernels.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time per call including the transfers a host caller of a device backend pays: upload every input (and every
 * in-place tensor), run the kernel, download every output. {@link BenchMain} runs it for the CUDA backend only;
 * compare with {@link KernelBenchmarks} for the kernel alone.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TransferBenchmarks {
  @Benchmark
  public Object contentWeights(KernelStates.ContentWeights s) {
    return s.runWithTransfer();
  }

  @Benchmark
  public Object eraseAndAdd(KernelStates.EraseAndAdd s) {
    return s.runWithTransfer();
  }

  @Benchmark
  public Object read(KernelStates.Read s) {
    return s.runWithTransfer();
  }

  @Benchmark
  public Object usage(KernelStates.Usage s) {
    return s.runWithTransfer();
  }

  @Benchmark
  public Object allocation(KernelStates.Allocation s) {
    return s.runWithTransfer();
  }

  @Benchmark
  public Object writeWeights(KernelStates.WriteWeights s) {
    return s.runWithTransfer();
  }

  @Benchmark
  public Object precedence(KernelStates.Precedence s) {
    return s.runWithTransfer();
  }

  @Benchmark
  public Object linkUpdate(KernelStates.LinkUpdate s) {
    return s.runWithTransfer();
  }

  @Benchmark
  public Object forwardBackward(KernelStates.ForwardBackward s) {
    return s.runWithTransfer();
  }

  @Benchmark
  public Object linkUpdateAndWeightings(KernelStates.LinkUpdateAndWeightings s) {
    return s.runWithTransfer();
  }

  @Benchmark
  public Object readModeMix(KernelStates.ReadModeMix s) {
    return s.runWithTransfer();
  }

  @Benchmark
  public Object ntmInterpolate(KernelStates.NtmInterpolate s) {
    return s.runWithTransfer();
  }

  @Benchmark
  public Object ntmShift(KernelStates.NtmShift s) {
    return s.runWithTransfer();
  }

  @Benchmark
  public Object ntmSharpen(KernelStates.NtmSharpen s) {
    return s.runWithTransfer();
  }

  @Benchmark
  public Object interfaceSplit(KernelStates.InterfaceSplit s) {
    return s.runWithTransfer();
  }

  @Benchmark
  public Object memoryStep(KernelStates.MemoryStep s) {
    return s.runWithTransfer();
  }
}
