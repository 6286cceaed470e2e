package io.sparklstm.model;

import io.sparklstm.lstm.PackedShape;
import io.sparklstm.lstm.Packing;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A mini-batch ready for the engine: sequences sorted longest first and packed (see
 * {@link PackedShape}), with their labels in the same order.
 *
 * <p>Features are (N, I) packed. Labels, when present, are laid out by head mode:
 * {@code last}: one per sequence, (B, out) floats for MSE or (B) classes for cross-entropy;
 * {@code every-step}: one per valid step, packed like the features, (N, out) or (N).
 * {@link #order()} maps sorted row i back to the caller's row {@code order[i]}.
 */
public final class SequenceBatch implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int inputSize;
  private final int[] lengths;   // sorted, longest first
  private final int[] order;     // sorted row -> caller row
  private final float[] features;
  private final int targetWidth; // out for MSE labels, 0 otherwise
  private final float[] targets; // MSE labels or null
  private final int[] classes;   // cross-entropy labels or null
  private transient PackedShape shape;

  private SequenceBatch(int inputSize, int[] lengths, int[] order, float[] features, int targetWidth,
                        float[] targets, int[] classes) {
    this.inputSize = inputSize;
    this.lengths = lengths;
    this.order = order;
    this.features = features;
    this.targetWidth = targetWidth;
    this.targets = targets;
    this.classes = classes;
  }

  /**
   * A batch from its packed parts, as {@link #builder} makes them (for serializers): lengths sorted
   * longest first, order, (N, I) features and the labels in the layouts described above.
   */
  public static SequenceBatch ofPacked(int inputSize, int[] sortedLengths, int[] order, float[] features,
                                       int targetWidth, float[] targets, int[] classes) {
    PackedShape shape = PackedShape.ofSortedLengths(sortedLengths);
    if (order.length != sortedLengths.length || features.length != shape.rows() * inputSize) {
      throw new IllegalArgumentException("packed batch parts do not fit: " + sortedLengths.length + " lengths, "
          + order.length + " order entries, " + features.length + " features for " + shape.rows() + " x " + inputSize);
    }
    SequenceBatch b = new SequenceBatch(inputSize, sortedLengths, order, features, targetWidth, targets, classes);
    b.shape = shape;
    return b;
  }

  /** The lengths, sorted longest first (shared array). */
  public int[] sortedLengths() {
    return lengths;
  }

  public PackedShape shape() {
    if (shape == null) {
      shape = PackedShape.ofSortedLengths(lengths);
    }
    return shape;
  }

  public int inputSize() {
    return inputSize;
  }

  /** B: number of sequences. */
  public int size() {
    return lengths.length;
  }

  /** Sorted row i is the caller's row {@code order()[i]} (shared array). */
  public int[] order() {
    return order;
  }

  /** (N, I) packed (shared array). */
  public float[] features() {
    return features;
  }

  /** MSE labels ((B, out) or (N, out)), or null. */
  public float[] targets() {
    return targets;
  }

  /** Width of each MSE label row. */
  public int targetWidth() {
    return targetWidth;
  }

  /** Cross-entropy labels ((B) or (N)), or null. */
  public int[] classes() {
    return classes;
  }

  /** Collects sequences in caller order, then sorts and packs them. */
  public static Builder builder(int inputSize) {
    return new Builder(inputSize);
  }

  /**
   * Adds sequences one at a time. Every sequence has T_b &gt;= 1 steps of I features, given as a flat
   * (T_b, I) array; labels are optional but, when given, of one kind for the whole batch.
   */
  public static final class Builder {
    private final int inputSize;
    private final List<float[]> rows = new ArrayList<>();
    private final List<Object> labels = new ArrayList<>();
    private int labelKind = -1; // 0 none, 1 last floats, 2 last class, 3 step floats, 4 step classes
    private int width = 0;

    private Builder(int inputSize) {
      this.inputSize = inputSize;
    }

    public int size() {
      return rows.size();
    }

    /** A sequence without label: {@code steps} is (T_b, I) flat. */
    public Builder add(float[] steps) {
      return add(steps, null, 0, 0);
    }

    /** A sequence with one regression target row of {@code target.length} values (head mode last). */
    public Builder addWithTarget(float[] steps, float[] target) {
      return add(steps, target, 1, target.length);
    }

    /** A sequence with one class (head mode last). */
    public Builder addWithClass(float[] steps, int cls) {
      return add(steps, cls, 2, 0);
    }

    /** A sequence with a target row per step: {@code targets} is (T_b, width) flat (head mode every-step). */
    public Builder addWithStepTargets(float[] steps, float[] targets, int targetWidth) {
      int t = steps.length / inputSize;
      if (targets.length != t * targetWidth) {
        throw new IllegalArgumentException("a sequence of " + t + " steps needs " + t * targetWidth
            + " step targets (" + t + " x " + targetWidth + "), got " + targets.length);
      }
      return add(steps, targets, 3, targetWidth);
    }

    /** A sequence with a class per step (head mode every-step). */
    public Builder addWithStepClasses(float[] steps, int[] cls) {
      int t = steps.length / inputSize;
      if (cls.length != t) {
        throw new IllegalArgumentException("a sequence of " + t + " steps needs " + t + " step classes, got "
            + cls.length);
      }
      return add(steps, cls, 4, 0);
    }

    private Builder add(float[] steps, Object label, int kind, int labelWidth) {
      if (steps.length == 0 || steps.length % inputSize != 0) {
        throw new IllegalArgumentException("a sequence must have T >= 1 steps of " + inputSize
            + " features, got " + steps.length + " values");
      }
      int k = label == null ? 0 : kind;
      if (labelKind >= 0 && (k != labelKind || labelWidth != width)) {
        throw new IllegalArgumentException("every sequence of a batch needs the same kind of label");
      }
      labelKind = k;
      width = labelWidth;
      rows.add(steps);
      labels.add(label);
      return this;
    }

    /** Sorts longest first (stable) and packs. */
    public SequenceBatch build() {
      int b = rows.size();
      int[] len = new int[b];
      for (int i = 0; i < b; i++) {
        len[i] = rows.get(i).length / inputSize;
      }
      int[] order = Packing.sortOrder(len);
      int[] sorted = Packing.sortedLengths(len, order);
      PackedShape shape = PackedShape.ofSortedLengths(sorted);
      float[] features = packRows(shape, order, inputSize, i -> rows.get(i));
      float[] targets = null;
      int[] classes = null;
      switch (Math.max(labelKind, 0)) {
        case 1 -> {
          targets = new float[b * width];
          for (int r = 0; r < b; r++) {
            System.arraycopy((float[]) labels.get(order[r]), 0, targets, r * width, width);
          }
        }
        case 2 -> {
          classes = new int[b];
          for (int r = 0; r < b; r++) {
            classes[r] = (Integer) labels.get(order[r]);
          }
        }
        case 3 -> targets = packRows(shape, order, width, i -> (float[]) labels.get(i));
        case 4 -> {
          classes = new int[shape.rows()];
          for (int t = 0; t < shape.steps(); t++) {
            for (int r = 0; r < shape.batchSize(t); r++) {
              classes[shape.stepOffset(t) + r] = ((int[]) labels.get(order[r]))[t];
            }
          }
        }
        default -> { }
      }
      return new SequenceBatch(inputSize, sorted, order, features, width, targets, classes);
    }

    private static float[] packRows(PackedShape shape, int[] order, int width,
                                    java.util.function.IntFunction<float[]> row) {
      float[] packed = new float[shape.rows() * width];
      for (int t = 0; t < shape.steps(); t++) {
        int off = shape.stepOffset(t);
        for (int r = 0; r < shape.batchSize(t); r++) {
          System.arraycopy(row.apply(order[r]), t * width, packed, (off + r) * width, width);
        }
      }
      return packed;
    }
  }
}
