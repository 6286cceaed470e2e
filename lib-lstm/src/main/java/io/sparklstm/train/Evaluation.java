package io.sparklstm.train;

import io.sparklstm.model.LossType;
import io.sparklstm.model.SequenceBatch;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Validation metrics summed over batches of predictions: the loss as training defines it, and
 * MSE/MAE/RMSE over every valid output element (regression) or accuracy over every valid
 * sequence or step (classification). Partial sums from many workers combine with {@link #merge}.
 */
public final class Evaluation implements Serializable {
  private static final long serialVersionUID = 1L;

  private final LossType loss;
  private long count;       // elements (MSE) or rows/steps (cross-entropy)
  private long sequences;
  private double lossSum;   // summed squared error (MSE) or summed NLL (cross-entropy)
  private double absSum;
  private long correct;

  public Evaluation(LossType loss) {
    this.loss = loss;
  }

  /** Adds a batch's predictions ((B, out) for last, (N, out) packed for every-step, as the labels). */
  public void add(SequenceBatch batch, float[] predictions, int width) {
    sequences += batch.size();
    if (loss == LossType.MSE) {
      float[] t = batch.targets();
      int n = t.length;
      for (int i = 0; i < n; i++) {
        double d = (double) predictions[i] - t[i];
        lossSum += d * d;
        absSum += Math.abs(d);
      }
      count += n;
      return;
    }
    int[] cls = batch.classes();
    for (int r = 0; r < cls.length; r++) {
      int row = r * width;
      double max = Double.NEGATIVE_INFINITY;
      int best = 0;
      for (int j = 0; j < width; j++) {
        if (predictions[row + j] > max) {
          max = predictions[row + j];
          best = j;
        }
      }
      double z = 0;
      for (int j = 0; j < width; j++) {
        z += Math.exp(predictions[row + j] - max);
      }
      lossSum += max + Math.log(z) - predictions[row + cls[r]];
      if (best == cls[r]) {
        correct++;
      }
    }
    count += cls.length;
  }

  /** Adds another partial evaluation into this one; returns this. */
  public Evaluation merge(Evaluation other) {
    count += other.count;
    sequences += other.sequences;
    lossSum += other.lossSum;
    absSum += other.absSum;
    correct += other.correct;
    return this;
  }

  public long sequences() {
    return sequences;
  }

  /** The mean loss, as the training loss is defined. */
  public double loss() {
    return lossSum / count;
  }

  /** Named metrics for logs and the metrics file: loss and mse, mae, rmse, or loss and accuracy. */
  public Map<String, Double> metrics() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("loss", loss());
    if (loss == LossType.MSE) {
      m.put("mse", lossSum / count);
      m.put("mae", absSum / count);
      m.put("rmse", Math.sqrt(lossSum / count));
    } else {
      m.put("accuracy", (double) correct / count);
    }
    return m;
  }
}
