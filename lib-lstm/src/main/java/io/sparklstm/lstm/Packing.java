package io.sparklstm.lstm;

/**
 * Conversions between padded tensors ({@code (T, B, F)} or batch-first {@code (B, T, F)}) in the
 * caller's row order and packed data in sorted row order, as {@code pack_padded_sequence(...,
 * enforce_sorted=False)} and {@code pad_packed_sequence(..., total_length=T)} do.
 */
public final class Packing {
  private Packing() {}

  /**
   * The row order that sorts {@code lengths} longest first, stable (equal lengths keep their order):
   * sorted row i is caller row {@code order[i]}.
   */
  public static int[] sortOrder(int[] lengths) {
    Integer[] idx = new Integer[lengths.length];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    java.util.Arrays.sort(idx, (a, b) -> Integer.compare(lengths[b], lengths[a]));
    int[] order = new int[idx.length];
    for (int i = 0; i < idx.length; i++) {
      order[i] = idx[i];
    }
    return order;
  }

  /** The lengths in sorted order. */
  public static int[] sortedLengths(int[] lengths, int[] order) {
    int[] sorted = new int[order.length];
    for (int i = 0; i < order.length; i++) {
      sorted[i] = lengths[order[i]];
    }
    return sorted;
  }

  /** Index of element (t, b, 0) in a padded tensor of T steps and B rows. */
  private static int paddedIndex(boolean batchFirst, int steps, int batch, int features, int t, int b) {
    return (batchFirst ? b * steps + t : t * batch + b) * features;
  }

  /** Padded (T, B, F) (or (B, T, F)) to packed (N, F); padding is dropped. */
  public static float[] pack(float[] padded, boolean batchFirst, int steps, int features,
                             PackedShape shape, int[] order) {
    float[] packed = new float[shape.rows() * features];
    int batch = order.length;
    for (int t = 0; t < shape.steps(); t++) {
      int off = shape.stepOffset(t);
      for (int r = 0; r < shape.batchSize(t); r++) {
        System.arraycopy(padded, paddedIndex(batchFirst, steps, batch, features, t, order[r]),
            packed, (off + r) * features, features);
      }
    }
    return packed;
  }

  /** Packed (N, F) to padded (T, B, F) (or (B, T, F)) with zeros past each row's length. */
  public static float[] unpack(float[] packed, boolean batchFirst, int steps, int features,
                               PackedShape shape, int[] order) {
    int batch = order.length;
    float[] padded = new float[steps * batch * features];
    for (int t = 0; t < shape.steps(); t++) {
      int off = shape.stepOffset(t);
      for (int r = 0; r < shape.batchSize(t); r++) {
        System.arraycopy(packed, (off + r) * features, padded,
            paddedIndex(batchFirst, steps, batch, features, t, order[r]), features);
      }
    }
    return padded;
  }

  /** (S, B, F) in caller order to sorted order (S state rows, e.g. L*D). */
  public static float[] sortRows(float[] x, int stateRows, int features, int[] order) {
    int batch = order.length;
    float[] out = new float[x.length];
    for (int s = 0; s < stateRows; s++) {
      for (int r = 0; r < batch; r++) {
        System.arraycopy(x, (s * batch + order[r]) * features, out, (s * batch + r) * features, features);
      }
    }
    return out;
  }

  /** (S, B, F) in sorted order back to caller order. */
  public static float[] unsortRows(float[] x, int stateRows, int features, int[] order) {
    int batch = order.length;
    float[] out = new float[x.length];
    for (int s = 0; s < stateRows; s++) {
      for (int r = 0; r < batch; r++) {
        System.arraycopy(x, (s * batch + r) * features, out, (s * batch + order[r]) * features, features);
      }
    }
    return out;
  }
}
