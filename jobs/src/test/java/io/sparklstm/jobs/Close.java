package io.sparklstm.jobs;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Float comparisons for golden tests, with the definition of lib-lstm's
 * {@code io.sparklstm.testing.Close} (that class is in lib-lstm's test sources, which jobs does not
 * see): an element passes when {@code |actual - expected| <= rtol * max(|expected|, 0.1 * max|expected|)},
 * the maximum taken over the whole tensor, so elements under a tenth of the tensor's scale, where
 * float32 sums cancel, are measured against that tenth.
 */
public final class Close {
  public static final double FLOOR = 0.1;

  private Close() {
  }

  public static void assertClose(String what, float[] expected, float[] actual, double rtol) {
    if (expected.length != actual.length) {
      fail(what + ": length " + actual.length + ", expected " + expected.length);
    }
    double max = 0;
    for (float v : expected) {
      max = Math.max(max, Math.abs(v));
    }
    double floor = FLOOR * max;
    double worst = 0;
    int worstAt = -1;
    for (int i = 0; i < expected.length; i++) {
      double err = Math.abs((double) actual[i] - expected[i]) / Math.max(Math.max(Math.abs(expected[i]), floor), 1e-30);
      if (!(err <= worst) || Double.isNaN(actual[i])) {
        worst = Double.isNaN(actual[i]) ? Double.POSITIVE_INFINITY : err;
        worstAt = i;
      }
    }
    if (worst > rtol) {
      fail(String.format("%s: element %d is %s, expected %s (relative error %.3g > %.1g)", what, worstAt,
          actual[worstAt], expected[worstAt], worst, rtol));
    }
  }

  /** The largest relative error as {@link #assertClose} measures it. */
  public static double relativeError(float[] expected, float[] actual) {
    double max = 0;
    for (float v : expected) {
      max = Math.max(max, Math.abs(v));
    }
    double floor = FLOOR * max;
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs((double) actual[i] - expected[i])
          / Math.max(Math.max(Math.abs(expected[i]), floor), 1e-30));
    }
    return worst;
  }
}
