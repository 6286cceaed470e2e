package io.sparklstm.model;

/**
 * The losses' forward and backward over rows of predictions. Each returns the loss summed over the
 * given rows divided by {@code count} (the number of valid elements or rows in the whole batch),
 * and writes dLoss/dprediction, so partial sums over chunks of a batch add up to PyTorch's mean.
 * Sums run in double and are rounded once.
 */
public final class Losses {
  private Losses() {}

  /**
   * MSE: {@code sum((y - t)^2) / count}; dy = 2 (y - t) / count.
   * y, t, dy: (rows, width) contiguous.
   */
  public static double mse(float[] dy, float[] y, float[] t, int tOff, int rows, int width, long count) {
    double sum = 0;
    float scale = (float) (2.0 / count);
    for (int i = 0; i < rows * width; i++) {
      float diff = y[i] - t[tOff + i];
      sum += (double) diff * diff;
      dy[i] = scale * diff;
    }
    return sum / count;
  }

  /**
   * Cross-entropy: {@code sum(logsumexp(y_r) - y_r[class_r]) / count};
   * dy_r = (softmax(y_r) - onehot(class_r)) / count. y, dy: (rows, classes); cls: class per row.
   */
  public static double crossEntropy(float[] dy, float[] y, int[] cls, int clsOff, int rows, int classes, long count) {
    double sum = 0;
    for (int r = 0; r < rows; r++) {
      int row = r * classes;
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < classes; j++) {
        max = Math.max(max, y[row + j]);
      }
      double z = 0;
      for (int j = 0; j < classes; j++) {
        z += Math.exp(y[row + j] - max);
      }
      double logZ = max + Math.log(z);
      int target = cls[clsOff + r];
      sum += logZ - y[row + target];
      for (int j = 0; j < classes; j++) {
        double p = Math.exp(y[row + j] - logZ);
        dy[row + j] = (float) ((p - (j == target ? 1 : 0)) / count);
      }
    }
    return sum / count;
  }
}
