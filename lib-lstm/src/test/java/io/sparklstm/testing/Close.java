package io.sparklstm.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.sparklstm.tensor.Tensor;

/**
 * Float comparisons for golden tests. An element passes when
 * {@code |actual - expected| <= rtol * max(|expected|, 0.1 * max|expected|)}, the maximum taken over
 * the whole tensor: relative error, except that elements under a tenth of the tensor's scale are
 * measured against that tenth. Float32 sums cancel there, so two correct float32 implementations
 * (or PyTorch's float32 and float64 results) differ by more than 1e-5 of such a small element.
 */
public final class Close {
  /** Elements below this fraction of the tensor's largest magnitude are judged against it. */
  public static final double FLOOR = 0.1;

  private Close() {}

  public static void assertClose(String what, Tensor expected, Tensor actual, double rtol) {
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    assertClose(what, expected.data(), actual.data(), rtol);
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
      worst = Math.max(worst, Math.abs((double) actual[i] - expected[i]) / Math.max(Math.max(Math.abs(expected[i]), floor), 1e-30));
    }
    return worst;
  }
}
