package io.sparklstm.jobs.generate;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * Deterministic synthetic multivariate series: row {@code id} of seed {@code seed} is always the
 * same, whatever machine or partition computes it (own random stream per row, StrictMath).
 *
 * <p>Feature f at step t: {@code level_f + slope_f * t + sum_k amp_fk * sin(2 pi t / period_k + phase_k)
 * + noise * N(0, 1)}, with {@value #COMPONENTS} periods in [4, 100] steps shared by the features of a
 * row (so features are correlated and forecastable), all drawn per row.
 */
final class SyntheticSeries implements Serializable {
  private static final long serialVersionUID = 1L;
  static final int COMPONENTS = 3;

  private final long seed;
  private final int features;
  private final double noise;

  SyntheticSeries(long seed, int features, double noise) {
    this.seed = seed;
    this.features = features;
    this.noise = noise;
  }

  /** The length of row {@code id}: {@code max} when {@code min} is 0, else uniform in [min, max]. */
  int lengthOf(long id, int min, int max) {
    if (min <= 0 || min >= max) {
      return max;
    }
    return min + new SplittableRandom(mix(seed ^ 0x5DEECE66DL, id)).nextInt(max - min + 1);
  }

  /** Values {@code [steps][features]} of row {@code id}. */
  double[][] values(long id, int steps) {
    SplittableRandom rnd = new SplittableRandom(mix(seed, id));
    double[] period = new double[COMPONENTS];
    double[] phase = new double[COMPONENTS];
    for (int k = 0; k < COMPONENTS; k++) {
      period[k] = 4 * StrictMath.pow(25, rnd.nextDouble());
      phase[k] = 2 * Math.PI * rnd.nextDouble();
    }
    double[] level = new double[features];
    double[] slope = new double[features];
    double[][] amp = new double[features][COMPONENTS];
    for (int f = 0; f < features; f++) {
      level[f] = gaussian(rnd);
      slope[f] = 0.01 * gaussian(rnd);
      for (int k = 0; k < COMPONENTS; k++) {
        amp[f][k] = gaussian(rnd) / Math.sqrt(COMPONENTS);
      }
    }
    double[][] x = new double[steps][features];
    for (int t = 0; t < steps; t++) {
      for (int k = 0; k < COMPONENTS; k++) {
        double s = StrictMath.sin(2 * Math.PI * t / period[k] + phase[k]);
        for (int f = 0; f < features; f++) {
          x[t][f] += amp[f][k] * s;
        }
      }
      for (int f = 0; f < features; f++) {
        x[t][f] += level[f] + slope[f] * t + noise * gaussian(rnd);
      }
    }
    return x;
  }

  /** N(0, 1) by Box-Muller with StrictMath, so the stream is the same on every JVM. */
  private static double gaussian(SplittableRandom rnd) {
    double u = 1.0 - rnd.nextDouble(); // (0, 1]
    double v = rnd.nextDouble();
    return StrictMath.sqrt(-2 * StrictMath.log(u)) * StrictMath.cos(2 * Math.PI * v);
  }

  /** A well-mixed 64-bit seed for row {@code id} (SplitMix64 finaliser). */
  static long mix(long seed, long id) {
    long z = seed + 0x9E3779B97F4A7C15L * (id + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
