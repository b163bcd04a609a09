package org.dnckernels.examples;

import java.util.SplittableRandom;

/**
 * Batches of the copy task (pytorch-dnc's {@code copy_task}, DeepMind's {@code repeat_copy} with one repeat): each
 * sequence shows {@code length} random bit vectors, then one step with only the delimiter channel set, then
 * {@code length} steps of zero input during which the model must output the bits again. Input channels are the
 * bits plus the delimiter. Lengths are drawn per sequence; a batch runs for {@code 2·max length + 1} steps and a
 * shorter sequence is padded with zero input and no target after its output phase.
 */
public final class CopySequences {
  private final int bits;
  private final int minLength;
  private final int maxLength;
  private final SplittableRandom random;

  public CopySequences(int bits, int minLength, int maxLength, long seed) {
    if (bits < 1 || minLength < 1 || maxLength < minLength) {
      throw new IllegalArgumentException(
          "bits >= 1 and 1 <= minLength <= maxLength needed, got " + bits + ", " + minLength + ", " + maxLength);
    }
    this.bits = bits;
    this.minLength = minLength;
    this.maxLength = maxLength;
    this.random = new SplittableRandom(seed);
  }

  public int bits() {
    return bits;
  }

  /** Input channels: the bits and the delimiter. */
  public int inputSize() {
    return bits + 1;
  }

  /** The longest batch, in steps. */
  public int maxSteps() {
    return 2 * maxLength + 1;
  }

  /**
   * One batch of sequences.
   *
   * @param steps   T, the number of memory steps
   * @param lengths each sequence's number of bit vectors
   * @param input   [T][B·(bits + 1)]
   * @param target  [T][B·bits]
   * @param mask    [T][B]: 1 in a sequence's output phase, else 0
   */
  public record Batch(int steps, int batch, int[] lengths, float[][] input, float[][] target, float[][] mask) {
    /** Number of target bits in the whole batch. */
    public int targetBits(int bits) {
      int n = 0;
      for (int len : lengths) {
        n += len * bits;
      }
      return n;
    }
  }

  public Batch next(int batch) {
    int[] lengths = new int[batch];
    int longest = 0;
    for (int b = 0; b < batch; b++) {
      lengths[b] = minLength + random.nextInt(maxLength - minLength + 1);
      longest = Math.max(longest, lengths[b]);
    }
    int steps = 2 * longest + 1;
    int in = inputSize();
    float[][] input = new float[steps][batch * in];
    float[][] target = new float[steps][batch * bits];
    float[][] mask = new float[steps][batch];
    for (int b = 0; b < batch; b++) {
      int len = lengths[b];
      for (int t = 0; t < len; t++) {
        for (int j = 0; j < bits; j++) {
          float bit = random.nextBoolean() ? 1f : 0f;
          input[t][b * in + j] = bit;
          target[len + 1 + t][b * bits + j] = bit;
        }
        mask[len + 1 + t][b] = 1f;
      }
      input[len][b * in + bits] = 1f;
    }
    return new Batch(steps, batch, lengths, input, target, mask);
  }
}
