package io.sparklstm.lstm;

import java.util.Arrays;

/**
 * The geometry of a packed batch, as PyTorch's {@code PackedSequence.batch_sizes}.
 *
 * <p>Rows are sorted by length, longest first, so the rows still running at step t are always the
 * prefix {@code [0, batchSizes[t])}. Packed data stores step 0's active rows, then step 1's, and so
 * on: step t starts at packed row {@code stepOffset(t)}, and there are {@link #rows()} rows in all.
 * Nothing is stored for the padding, so no GEMM ever touches it. Zero lengths are allowed here
 * (truncated BPTT chunks have rows that ended earlier); such rows keep their initial state.
 */
public final class PackedShape {
  private final int[] lengths;
  private final int[] batchSizes;
  private final int[] stepOffset;

  private PackedShape(int[] lengths, int[] batchSizes, int[] stepOffset) {
    this.lengths = lengths;
    this.batchSizes = batchSizes;
    this.stepOffset = stepOffset;
  }

  /** From per-row lengths already sorted longest first. */
  public static PackedShape ofSortedLengths(int[] sortedLengths) {
    int batch = sortedLengths.length;
    int steps = batch == 0 ? 0 : sortedLengths[0];
    for (int b = 0; b < batch; b++) {
      if (sortedLengths[b] < 0) {
        throw new IllegalArgumentException("length of row " + b + " is negative: " + sortedLengths[b]);
      }
      if (b > 0 && sortedLengths[b] > sortedLengths[b - 1]) {
        throw new IllegalArgumentException("lengths must be sorted longest first: "
            + Arrays.toString(sortedLengths));
      }
    }
    int[] batchSizes = new int[steps];
    int active = batch;
    for (int t = 0; t < steps; t++) {
      while (active > 0 && sortedLengths[active - 1] <= t) {
        active--;
      }
      batchSizes[t] = active;
    }
    int[] stepOffset = new int[steps + 1];
    long total = 0;
    for (int t = 0; t < steps; t++) {
      stepOffset[t] = (int) total;
      total += batchSizes[t];
    }
    stepOffset[steps] = (int) total;
    return new PackedShape(sortedLengths.clone(), batchSizes, stepOffset);
  }

  /** All rows of the same length T. */
  public static PackedShape ofFixedLength(int batch, int steps) {
    int[] lengths = new int[batch];
    Arrays.fill(lengths, steps);
    return ofSortedLengths(lengths);
  }

  /** T: the longest length. */
  public int steps() {
    return batchSizes.length;
  }

  /** B: the number of rows (sequences). */
  public int batch() {
    return lengths.length;
  }

  /** N: the number of packed rows, the sum of all lengths. */
  public int rows() {
    return stepOffset[batchSizes.length];
  }

  /** Rows active at step t. */
  public int batchSize(int t) {
    return batchSizes[t];
  }

  /** Rows active at step t, or 0 when t is past the end (or before the start). */
  public int batchSizeOrZero(int t) {
    return t >= 0 && t < batchSizes.length ? batchSizes[t] : 0;
  }

  /** Rows active at step 0: those with a non-zero length. */
  public int nonEmptyRows() {
    return batchSizeOrZero(0);
  }

  /** First packed row of step t. */
  public int stepOffset(int t) {
    return stepOffset[t];
  }

  /** Length of (sorted) row b. */
  public int length(int b) {
    return lengths[b];
  }

  /** The sorted lengths (a copy). */
  public int[] lengths() {
    return lengths.clone();
  }

  /** PyTorch's batch_sizes (a copy). */
  public int[] batchSizes() {
    return batchSizes.clone();
  }
}
