package io.sparklstm.train;

/**
 * The element-wise weighted mean that parameter averaging uses, in one place so that every caller
 * (the Spark reduce, a plain-Java re-run, optimizer states) computes bit-identical results.
 *
 * <p>{@code mean = x_0 + sum_j w_j (x_j - x_0) / sum_j w_j} in double, rounded once to float, summed
 * in the order given (shard order): equal inputs average to themselves exactly, and a single input
 * is returned unchanged (bit for bit, -0.0 included). Inputs of weight 0 take no part: x_0 is the
 * first input of weight &gt; 0, and a non-finite x_0 is replaced by 0 as the reference point.
 */
public final class WeightedMean {
  private WeightedMean() {}

  /** out[outOff + i - from] = weighted mean of xs[j][i], for i in [from, to). */
  public static void of(float[][] xs, double[] weights, int from, int to, float[] out, int outOff) {
    double total = totalWeight(weights);
    float[] first = xs[reference(weights)];
    for (int i = from; i < to; i++) {
      double x0 = Float.isFinite(first[i]) ? first[i] : 0;
      double offset = 0;
      for (int j = 0; j < xs.length; j++) {
        if (weights[j] != 0) {
          offset += weights[j] * (xs[j][i] - x0);
        }
      }
      out[outOff + i - from] = offset == 0 ? first[i] : (float) (x0 + offset / total);
    }
  }

  /** The weighted mean of scalars, with the same rule. */
  public static double of(double[] xs, double[] weights) {
    double total = totalWeight(weights);
    double x0 = xs[reference(weights)];
    double offset = 0;
    for (int j = 0; j < xs.length; j++) {
      if (weights[j] != 0) {
        offset += weights[j] * (xs[j] - x0);
      }
    }
    return offset == 0 ? x0 : x0 + offset / total;
  }

  /** The first input of weight &gt; 0: the reference point (call after {@link #totalWeight}). */
  private static int reference(double[] weights) {
    int j = 0;
    while (weights[j] == 0) {
      j++;
    }
    return j;
  }

  /** The sum of the weights; every weight must be finite and >= 0 and the sum > 0. */
  public static double totalWeight(double[] weights) {
    double total = 0;
    for (double w : weights) {
      if (!(w >= 0 && Double.isFinite(w))) {
        throw new IllegalArgumentException("averaging weights must be finite and >= 0, got " + w);
      }
      total += w;
    }
    if (!(total > 0)) {
      throw new IllegalArgumentException("averaging weights sum to 0");
    }
    return total;
  }
}
