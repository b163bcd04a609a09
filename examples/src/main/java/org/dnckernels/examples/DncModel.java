package org.dnckernels.examples;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.dnckernels.DncKernels;
import org.dnckernels.InterfaceValues;
import org.dnckernels.MemoryShape;
import org.dnckernels.MemoryState;
import org.dnckernels.MemoryTape;
import org.dnckernels.Tensor;

/**
 * A DNC for the copy task: an LSTM controller, the memory of {@link DncKernels} recorded on a {@link MemoryTape},
 * an output layer. One step t of a batch:
 *
 * <pre>
 *   h_t = LSTM([x_t ; r_{t−1}], h_{t−1})                 r_{−1} = 0
 *   ξ_t = W_ξᵀ h_t + b_ξ                                  raw interface, W·R + 3W + 5R + 3 per sequence
 *   r_t = memory step (interfaceSplit(ξ_t))               read vectors [R·W]
 *   y_t = W_yᵀ [h_t ; r_t] + b_y                          logits of the bits
 * </pre>
 *
 * The loss is the sigmoid cross-entropy of y_t against the target in each sequence's output phase, summed over
 * steps and bits and averaged over the batch. Every parameter lives in one array ({@link #parameters()}) with
 * its gradient beside it ({@link #gradients()}), so the optimizer and the gradient clipping see one vector.
 * Tensors move through {@code copyFrom}/{@code copyTo} only, so any backend works, a device one included.
 */
public final class DncModel implements AutoCloseable {
  /** The model's sizes. */
  public record Sizes(int bits, int slots, int wordSize, int readHeads, int hidden, int batch) {
    public int inputSize() {
      return bits + 1;
    }

    public int readSize() {
      return readHeads * wordSize;
    }

    public MemoryShape memoryShape() {
      return new MemoryShape(batch, slots, wordSize, readHeads, 1);
    }
  }

  private final DncKernels kernels;
  private final Sizes sizes;
  private final int maxSteps;
  private final int interfaceSize;
  private final MemoryTape tape;
  private final Lstm lstm;
  private final Dense interfaceLayer;
  private final Dense outputLayer;
  private final float[] params;
  private final float[] grads;

  // per step: the controller's input [x_t ; r_{t−1}], the raw interface, [h_t ; r_t], the logits
  private final float[][] controllerInput;
  private final float[][] raw;
  private final float[][] hiddenAndReads;
  private final float[][] logits;
  private final float[] reads;
  // backward scratch
  private final float[] dLogits;
  private final float[] dHiddenAndReads;
  private final float[] dHidden;
  private final float[] dReads;
  private final float[] dReadsFromController;
  private final float[] dControllerInput;
  private final float[] dRaw;
  // the memory's tensors, reused every step
  private final Tensor rawTensor;
  private final Tensor gradRawTensor;
  private final Tensor readTensor;
  private final Tensor gradReadTensor;
  private final InterfaceValues in;
  private final InterfaceValues gradIn;

  private int steps;
  private boolean recordWeights;
  private float[][] writeWeights;
  private float[][] readWeights;

  /**
   * @param checkpointInterval 0 keeps every step's state on the tape; k &gt; 0 keeps every k-th and recomputes
   *                           the rest in the backward
   */
  public DncModel(DncKernels kernels, Sizes sizes, int maxSteps, int checkpointInterval, long seed) {
    this.kernels = kernels;
    this.sizes = sizes;
    this.maxSteps = maxSteps;
    MemoryShape shape = sizes.memoryShape();
    this.interfaceSize = shape.interfaceSize();
    this.tape = checkpointInterval > 0
        ? MemoryTape.withCheckpoints(kernels, shape, maxSteps, checkpointInterval)
        : MemoryTape.create(kernels, shape, maxSteps);
    int b = sizes.batch(), h = sizes.hidden(), rw = sizes.readSize();
    int controllerInputSize = sizes.inputSize() + rw;
    int offset = 0;
    lstm = new Lstm(controllerInputSize, h, b, maxSteps, offset);
    offset += Lstm.parameterCount(controllerInputSize, h);
    interfaceLayer = new Dense(h, interfaceSize, offset);
    offset += Dense.parameterCount(h, interfaceSize);
    outputLayer = new Dense(h + rw, sizes.bits(), offset);
    offset += Dense.parameterCount(h + rw, sizes.bits());
    params = new float[offset];
    grads = new float[offset];
    SplittableRandom random = new SplittableRandom(seed);
    lstm.init(params, random);
    interfaceLayer.init(params, random);
    outputLayer.init(params, random);

    controllerInput = new float[maxSteps][b * controllerInputSize];
    raw = new float[maxSteps][b * interfaceSize];
    hiddenAndReads = new float[maxSteps][b * (h + rw)];
    logits = new float[maxSteps][b * sizes.bits()];
    reads = new float[b * rw];
    dLogits = new float[b * sizes.bits()];
    dHiddenAndReads = new float[h + rw];
    dHidden = new float[b * h];
    dReads = new float[b * rw];
    dReadsFromController = new float[b * rw];
    dControllerInput = new float[b * controllerInputSize];
    dRaw = new float[b * interfaceSize];
    rawTensor = kernels.allocate(b, interfaceSize);
    gradRawTensor = kernels.allocate(b, interfaceSize);
    readTensor = kernels.allocate(b, sizes.readHeads(), sizes.wordSize());
    gradReadTensor = kernels.allocate(b, sizes.readHeads(), sizes.wordSize());
    in = kernels.newInterface(shape);
    gradIn = kernels.newInterface(shape);
  }

  public Sizes sizes() {
    return sizes;
  }

  public DncKernels kernels() {
    return kernels;
  }

  /**
   * Every parameter, in one array the optimizer updates in place, in this order: the LSTM's W [x + R·W + H][4H]
   * (gates i, f, g, o) and b [4H]; the interface layer's W_ξ [H][ξ] and b_ξ [ξ]; the output layer's W_y
   * [H + R·W][bits] and b_y [bits].
   */
  public float[] parameters() {
    return params;
  }

  /** ∂loss/∂parameters after {@link #backward}, same layout as {@link #parameters()}. */
  public float[] gradients() {
    return grads;
  }

  /** Bytes the memory tape keeps for one batch. */
  public long tapeBytes() {
    return tape.bytesKept();
  }

  /** Whether the next forwards keep every step's write and read weightings of sequence 0 (for the picture). */
  public void recordWeights(boolean record) {
    this.recordWeights = record;
  }

  /** Write weightings of sequence 0 per step, [T][N], from the last recorded forward. */
  public float[][] writeWeights() {
    return writeWeights;
  }

  /** Read weightings of sequence 0 per step, [T][R·N], from the last recorded forward. */
  public float[][] readWeights() {
    return readWeights;
  }

  /** The forward from the zero memory state; returns the loss. */
  public double forward(CopySequences.Batch batch) {
    return forward(batch, null);
  }

  /** The forward from a copy of {@code initial} (null: the zero state); returns the loss. */
  public double forward(CopySequences.Batch batch, MemoryState initial) {
    if (batch.batch() != sizes.batch() || batch.steps() > maxSteps) {
      throw new IllegalArgumentException("batch of " + batch.batch() + " x " + batch.steps()
          + " steps, model made for " + sizes.batch() + " x at most " + maxSteps);
    }
    if (initial == null) {
      tape.start();
    } else {
      tape.start(initial);
    }
    steps = batch.steps();
    int b = sizes.batch(), h = sizes.hidden(), rw = sizes.readSize(), x = sizes.inputSize(), bits = sizes.bits();
    int ci = x + rw, hr = h + rw;
    if (recordWeights) {
      writeWeights = new float[steps][];
      readWeights = new float[steps][];
    }
    Arrays.fill(reads, 0f);
    double loss = 0;
    for (int t = 0; t < steps; t++) {
      float[] input = controllerInput[t];
      for (int s = 0; s < b; s++) {
        System.arraycopy(batch.input()[t], s * x, input, s * ci, x);
        System.arraycopy(reads, s * rw, input, s * ci + x, rw);
      }
      lstm.forward(params, t, input);
      float[] ht = lstm.hidden(t);
      for (int s = 0; s < b; s++) {
        interfaceLayer.forward(params, ht, s * h, raw[t], s * interfaceSize);
      }
      rawTensor.copyFrom(raw[t], 0);
      kernels.interfaceSplit(rawTensor, in);
      tape.step(in, readTensor);
      readTensor.copyTo(reads, 0);
      if (recordWeights) {
        writeWeights[t] = Arrays.copyOf(tape.state().writeWeights().toArray(), sizes.slots());
        readWeights[t] = Arrays.copyOf(tape.state().readWeights().toArray(), sizes.readHeads() * sizes.slots());
      }
      float[] cat = hiddenAndReads[t];
      for (int s = 0; s < b; s++) {
        System.arraycopy(ht, s * h, cat, s * hr, h);
        System.arraycopy(reads, s * rw, cat, s * hr + h, rw);
        outputLayer.forward(params, cat, s * hr, logits[t], s * bits);
      }
      loss += stepLoss(batch, t);
    }
    return loss / b;
  }

  // Σ over the batch and bits of the masked sigmoid cross-entropy, in a form that cannot overflow
  private double stepLoss(CopySequences.Batch batch, int t) {
    int bits = sizes.bits();
    double sum = 0;
    for (int s = 0; s < sizes.batch(); s++) {
      if (batch.mask()[t][s] == 0f) {
        continue;
      }
      for (int j = 0; j < bits; j++) {
        double y = logits[t][s * bits + j], target = batch.target()[t][s * bits + j];
        sum += Math.max(y, 0) - y * target + Math.log1p(Math.exp(-Math.abs(y)));
      }
    }
    return sum;
  }

  /** Sigmoid of the logits of the last forward, [T][B·bits]. */
  public float[][] probabilities() {
    float[][] p = new float[steps][];
    for (int t = 0; t < steps; t++) {
      p[t] = new float[logits[t].length];
      for (int i = 0; i < p[t].length; i++) {
        p[t][i] = Lstm.sigmoid(logits[t][i]);
      }
    }
    return p;
  }

  /** Output bits that differ from the target after thresholding at 0.5, per sequence, in the last forward. */
  public double bitErrorsPerSequence(CopySequences.Batch batch) {
    int bits = sizes.bits(), errors = 0;
    for (int t = 0; t < steps; t++) {
      for (int s = 0; s < sizes.batch(); s++) {
        if (batch.mask()[t][s] == 0f) {
          continue;
        }
        for (int j = 0; j < bits; j++) {
          boolean one = logits[t][s * bits + j] > 0f; // σ(y) > 0.5
          if (one != (batch.target()[t][s * bits + j] > 0.5f)) {
            errors++;
          }
        }
      }
    }
    return (double) errors / sizes.batch();
  }

  /** ∂loss/∂parameters of the last forward (same batch) into {@link #gradients()}, which it overwrites. */
  public void backward(CopySequences.Batch batch) {
    Arrays.fill(grads, 0f);
    int b = sizes.batch(), h = sizes.hidden(), rw = sizes.readSize(), x = sizes.inputSize(), bits = sizes.bits();
    int ci = x + rw, hr = h + rw;
    float scale = 1f / b;
    lstm.startBackward();
    Arrays.fill(dReadsFromController, 0f);
    for (int t = steps - 1; t >= 0; t--) {
      // the loss: ∂/∂y of the cross-entropy is σ(y) − target, in the output phase only
      for (int s = 0; s < b; s++) {
        float m = batch.mask()[t][s] * scale;
        for (int j = 0; j < bits; j++) {
          int k = s * bits + j;
          dLogits[k] = m == 0f ? 0f : (Lstm.sigmoid(logits[t][k]) - batch.target()[t][k]) * m;
        }
      }
      // the output layer splits its input gradient into ∂/∂h_t and the output's part of ∂/∂r_t
      for (int s = 0; s < b; s++) {
        Arrays.fill(dHiddenAndReads, 0f);
        outputLayer.backward(params, grads, hiddenAndReads[t], s * hr, dLogits, s * bits, dHiddenAndReads, 0);
        System.arraycopy(dHiddenAndReads, 0, dHidden, s * h, h);
        for (int i = 0; i < rw; i++) {
          dReads[s * rw + i] = dHiddenAndReads[h + i] + dReadsFromController[s * rw + i];
        }
      }
      // the memory: ∂/∂r_t is complete (r_t feeds the output now and the controller at t + 1)
      gradReadTensor.copyFrom(dReads, 0);
      zero(gradIn);
      tape.backwardStep(gradReadTensor, gradIn);
      rawTensor.copyFrom(raw[t], 0);
      gradRawTensor.fill(0f);
      kernels.interfaceSplitBackward(rawTensor, gradIn, gradRawTensor);
      gradRawTensor.copyTo(dRaw, 0);
      float[] ht = lstm.hidden(t);
      for (int s = 0; s < b; s++) {
        interfaceLayer.backward(params, grads, ht, s * h, dRaw, s * interfaceSize, dHidden, s * h);
      }
      lstm.backward(params, grads, t, dHidden, dControllerInput);
      // the controller's input was [x_t ; r_{t−1}]: keep r_{t−1}'s part for the step before
      for (int s = 0; s < b; s++) {
        System.arraycopy(dControllerInput, s * ci + x, dReadsFromController, s * rw, rw);
      }
    }
  }

  private static void zero(InterfaceValues v) {
    v.readKeys().fill(0f);
    v.readStrengths().fill(0f);
    v.writeKeys().fill(0f);
    v.writeStrengths().fill(0f);
    v.eraseVectors().fill(0f);
    v.writeVectors().fill(0f);
    v.freeGates().fill(0f);
    v.allocationGates().fill(0f);
    v.writeGates().fill(0f);
    v.readModes().fill(0f);
  }

  @Override
  public void close() {
    tape.close();
    rawTensor.close();
    gradRawTensor.close();
    readTensor.close();
    gradReadTensor.close();
    in.close();
    gradIn.close();
  }
}
