package io.sparklstm.jobs.train;

import io.sparklstm.train.LabeledSequence;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * A block of training rows packed into a few flat arrays: what is cached, per block, for the whole
 * run (no Java object per sequence). Row i's features are {@code features[featureEnds[i-1],
 * featureEnds[i])}, (T_i, I) flat; its MSE targets and its classes likewise (null when the loss has
 * none). Rows are in home order (docs/DATA_LAYOUT.md).
 */
public record RowBlock(long[] index, int[] featureEnds, float[] features, int[] targetEnds, float[] targets,
                       int[] classEnds, int[] classes) implements Serializable {

  /** Packs {@code rows}; every row has the same kinds of label. */
  static RowBlock of(List<LabeledSequence> rows) {
    int n = rows.size();
    long[] index = new long[n];
    int[] fEnds = new int[n];
    int[] tEnds = new int[n];
    int[] cEnds = new int[n];
    int f = 0;
    int t = 0;
    int c = 0;
    for (int i = 0; i < n; i++) {
      LabeledSequence r = rows.get(i);
      index[i] = r.index();
      f += r.features().length;
      t += r.targets() == null ? 0 : r.targets().length;
      c += r.classes() == null ? 0 : r.classes().length;
      fEnds[i] = f;
      tEnds[i] = t;
      cEnds[i] = c;
    }
    boolean hasTargets = n > 0 && rows.get(0).targets() != null;
    boolean hasClasses = n > 0 && rows.get(0).classes() != null;
    float[] features = new float[f];
    float[] targets = hasTargets ? new float[t] : null;
    int[] classes = hasClasses ? new int[c] : null;
    for (int i = 0; i < n; i++) {
      LabeledSequence r = rows.get(i);
      System.arraycopy(r.features(), 0, features, start(fEnds, i), r.features().length);
      if (hasTargets) {
        System.arraycopy(r.targets(), 0, targets, start(tEnds, i), r.targets().length);
      }
      if (hasClasses) {
        System.arraycopy(r.classes(), 0, classes, start(cEnds, i), r.classes().length);
      }
    }
    return new RowBlock(index, fEnds, features, hasTargets ? tEnds : null, targets, hasClasses ? cEnds : null,
        classes);
  }

  public int size() {
    return index.length;
  }

  /** The longest row, in steps of {@code inputSize} features. */
  long maxSteps(int inputSize) {
    long max = 0;
    for (int i = 0; i < featureEnds.length; i++) {
      max = Math.max(max, (featureEnds[i] - start(featureEnds, i)) / inputSize);
    }
    return max;
  }

  /** Row i as a training row (copies of its slices). */
  LabeledSequence row(int i) {
    return new LabeledSequence(index[i], Arrays.copyOfRange(features, start(featureEnds, i), featureEnds[i]),
        targets == null ? null : Arrays.copyOfRange(targets, start(targetEnds, i), targetEnds[i]),
        classes == null ? null : Arrays.copyOfRange(classes, start(classEnds, i), classEnds[i]));
  }

  /** Bytes of the arrays' contents: what a serialized block costs, within a few bytes. */
  long payloadBytes() {
    return 8L * index.length + 4L * featureEnds.length + 4L * features.length
        + (targets == null ? 0 : 4L * (targetEnds.length + targets.length))
        + (classes == null ? 0 : 4L * (classEnds.length + classes.length));
  }

  private static int start(int[] ends, int i) {
    return i == 0 ? 0 : ends[i - 1];
  }
}
