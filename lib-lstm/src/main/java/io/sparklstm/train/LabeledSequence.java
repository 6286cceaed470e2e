package io.sparklstm.train;

import io.sparklstm.model.HeadMode;
import io.sparklstm.model.LossType;
import io.sparklstm.model.ModelConfig;
import io.sparklstm.model.SequenceBatch;
import java.io.Serializable;
import java.util.List;

/**
 * One training row, decoded once: its index in the input, its features (T, I) flat, and its label
 * (floats for MSE, classes for cross-entropy; one per sequence for head mode {@code last}, one per
 * step for {@code every-step}).
 *
 * @param index    0-based row number in input order
 * @param features (T, I) flat
 * @param targets  MSE label: (out) for last, (T, out) for every-step; null for cross-entropy
 * @param classes  cross-entropy label: (1) for last, (T) for every-step; null for MSE
 */
public record LabeledSequence(long index, float[] features, float[] targets, int[] classes) implements Serializable {

  /** Cuts rows (in training order) into mini-batches of {@code batchSize}; the last may be smaller. */
  public static SequenceBatch[] batches(List<LabeledSequence> rows, int batchSize, ModelConfig model, LossType loss) {
    int inputSize = model.lstm().inputSize();
    HeadMode mode = model.mode();
    int outputSize = model.predictionSize();
    int count = (rows.size() + batchSize - 1) / batchSize;
    SequenceBatch[] out = new SequenceBatch[count];
    for (int b = 0; b < count; b++) {
      SequenceBatch.Builder builder = SequenceBatch.builder(inputSize);
      for (LabeledSequence r : rows.subList(b * batchSize, Math.min(rows.size(), (b + 1) * batchSize))) {
        r.addTo(builder, mode, loss, outputSize);
      }
      out[b] = builder.build();
    }
    return out;
  }

  /** Adds this row to a batch under construction. */
  public void addTo(SequenceBatch.Builder builder, HeadMode mode, LossType loss, int outputSize) {
    if (loss == LossType.MSE) {
      if (mode == HeadMode.LAST) {
        builder.addWithTarget(features, targets);
      } else {
        builder.addWithStepTargets(features, targets, outputSize);
      }
    } else if (mode == HeadMode.LAST) {
      builder.addWithClass(features, classes[0]);
    } else {
      builder.addWithStepClasses(features, classes);
    }
  }
}
