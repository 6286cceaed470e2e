package io.sparklstm.jobs.window;

import java.io.Serializable;

/** The shape of the windows, as shipped to tasks: sizes and which value columns are features/targets. */
final class WindowSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  final boolean hasSeries;
  final int length;
  final int horizon;
  final int stride;
  /** Number of value columns in the input rows (features and targets, each once). */
  final int numValues;
  /** Positions of the feature columns among the value columns, in feature order. */
  final int[] featureIndex;
  /** Positions of the target columns among the value columns, in label order. */
  final int[] targetIndex;

  WindowSpec(boolean hasSeries, int length, int horizon, int stride, int numValues, int[] featureIndex,
             int[] targetIndex) {
    this.hasSeries = hasSeries;
    this.length = length;
    this.horizon = horizon;
    this.stride = stride;
    this.numValues = numValues;
    this.featureIndex = featureIndex;
    this.targetIndex = targetIndex;
  }

  /** The label is a plain number when it holds one value. */
  boolean scalarLabel() {
    return horizon * targetIndex.length == 1;
  }
}
