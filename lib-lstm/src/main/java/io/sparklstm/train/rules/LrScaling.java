package io.sparklstm.train.rules;

import java.io.Serializable;

/**
 * {@code train.lr-scaling} and {@code train.lr-scaling-warmup}: the user's learning rate is the
 * 1-worker one; with W workers the target is {@code lr * s(W)}, s = 1, sqrt(W), W^(3/4) or W, reached
 * by a linear ramp per round over {@code warmupEpochs} epochs (Goyal et al. 2017's gradual warm-up).
 *
 * @param warmupEpochs epochs (fractional allowed, &gt;= 0) of the ramp from s = 1 up to s(W); 0 = none
 */
public record LrScaling(Kind kind, double warmupEpochs) implements Serializable {
  /** How the learning rate grows with W. */
  public enum Kind { NONE, SQRT, THREE_QUARTERS, LINEAR }

  public static final LrScaling NONE = new LrScaling(Kind.NONE, 0);

  public LrScaling {
    if (!(warmupEpochs >= 0 && Double.isFinite(warmupEpochs))) {
      throw new IllegalArgumentException("lr-scaling-warmup must be a finite number >= 0, got " + warmupEpochs);
    }
  }

  /** s(W): 1, sqrt(W), W^(3/4) or W. */
  public double factor(int workers) {
    return switch (kind) {
      case NONE -> 1;
      case SQRT -> Math.sqrt(workers);
      case THREE_QUARTERS -> Math.sqrt(workers) * Math.sqrt(Math.sqrt(workers)); // exact at W = 1, 16, 256...
      case LINEAR -> workers;
    };
  }

  /** The multiplier of the 1-worker rate after {@code epochs} epochs of training: 1 + (s - 1) min(1, epochs / warm-up). */
  public double ramp(int workers, double epochs) {
    double s = factor(workers);
    if (s == 1 || epochs >= warmupEpochs) {
      return s;
    }
    return 1 + (s - 1) * (epochs / warmupEpochs);
  }
}
