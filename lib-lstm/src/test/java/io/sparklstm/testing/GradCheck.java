package io.sparklstm.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

/**
 * Central-difference gradients of a float32 computation, measured in double.
 *
 * <p>The engine computes in float32 only, so "a gradient check in double" here means: the objective
 * is accumulated in double from the engine's float outputs, every perturbation is exact, and the
 * derivative is the 6-point central stencil
 * <pre>
 * f'(x) ~ (45 (f(x+h) - f(x-h)) - 9 (f(x+2h) - f(x-2h)) + (f(x+3h) - f(x-3h))) / (60 h)
 * </pre>
 * (two Richardson extrapolations of the 2-point central difference: truncation error O(h^6)).
 * Perturbations are exact because every value the tests perturb lies on a grid of {@link #GRID}
 * with magnitude below 4 and h is a power of two of at least 2^-12, so x + k h (|k| &lt;= 3) is a
 * float (at most 23 significant bits) and the step really taken is k h.
 *
 * <p>Choice of h: the objective carries the float32 rounding noise of the forward pass, about 1e-7
 * of its terms, which the stencil divides by h; the truncation error grows as h^6. Measured on the
 * LSTM checks, the error falls as 1/h up to h ~ 2^-4 (noise-bound) and grows again from 2^-3
 * (truncation-bound). Worst errors over the LSTM cases, measured against a tenth of each tensor's
 * largest gradient only (h for most tensors; values have magnitudes 0.3 to 1): the 4-point stencil
 * (f(x±h), f(x±2h)) gave 1.2e-2 with h = 2^-8 (about 1e-2 of the values), 1.2e-3 with 2^-5, 1.0e-2
 * with 2^-3 and 1.3e-1 with 2^-2; this stencil 1.4e-3 with 2^-5, 6.9e-4 with 2^-4, 1.4e-3 with
 * 2^-3 and 6.4e-2 with 2^-2. So h is the power of two nearest {@link #RELATIVE_STEP} of the
 * tensor's RMS (taken as at least 0.25: a zero h_0 has no scale of its own), at most 2^-4; for the
 * values of magnitude 0.3 to 1 that the tests use, that is 2^-4 = 0.0625.
 *
 * <p>The comparison ({@link #error}, {@link Comparison}) is relative per element, measured against
 * a floor: a tenth of the tensor's largest numerical gradient (like {@link Close}), and at least
 * {@link #GLOBAL_FLOOR} of the largest gradient in the whole check. The second floor matters for
 * SequenceModel losses, whose gradients span four decades (head.bias ~ 1, weight_hh_l0 ~ 1e-5):
 * the float32 loss resolves a derivative only to about 1e-7 of itself divided by h, so a tensor
 * whose every gradient is ~1e-5 shows relative errors near 1e-2 against its own scale (measured:
 * 9.6e-3), pure noise. With the floors, an error is caught when it exceeds the tolerance times
 * the largest of: the element's own gradient, a tenth of its tensor's largest, and 1e-2 of the
 * check's largest. A 1% error planted in the cell's dc_prev fails every case that has a recurrence
 * inside a chunk, with errors of 2.6e-3 to 1.2e-1 (the tolerances are 2e-3).
 */
public final class GradCheck {
  /** Every perturbed value is a multiple of this (see the class comment). */
  public static final double GRID = 0x1p-20;
  /** h is the power of two nearest this fraction of the perturbed tensor's RMS (taken as at least 0.25). */
  public static final double RELATIVE_STEP = 0.2;
  /**
   * Tensors are measured against at least this fraction of the largest gradient in the whole check
   * (all tensors): the float32 loss cannot resolve a derivative far below its own scale.
   */
  public static final double GLOBAL_FLOOR = 1e-2;

  private GradCheck() {}

  /** {@code v} rounded to the grid. */
  public static float onGrid(double v) {
    return (float) (Math.rint(v / GRID) * GRID);
  }

  /** n values uniform in [-scale, scale), on the grid. */
  public static float[] uniform(SplittableRandom random, int n, double scale) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = onGrid(scale * (2 * random.nextDouble() - 1));
    }
    return x;
  }

  /** The step for perturbing {@code x}: a power of two near RELATIVE_STEP of max(RMS, 0.25), in [2^-12, 2^-4]. */
  public static float step(float[] x) {
    double ss = 0;
    for (float v : x) {
      ss += (double) v * v;
    }
    double rms = x.length == 0 ? 0 : Math.sqrt(ss / x.length);
    int e = (int) Math.round(Math.log(Math.max(rms, 0.25) * RELATIVE_STEP) / Math.log(2));
    return (float) Math.scalb(1.0, Math.max(-12, Math.min(-4, e)));
  }

  /** d f / d x[i] by the central stencil with step h; x[i] is restored afterwards. */
  public static double derivative(float[] x, int i, float h, DoubleSupplier f) {
    float x0 = x[i];
    if (Math.abs(x0) >= 4 || x0 != onGrid(x0)) {
      throw new IllegalArgumentException("x[" + i + "] = " + x0 + " is off the grid: perturbations would round");
    }
    double p1 = at(x, i, x0 + h, f);
    double m1 = at(x, i, x0 - h, f);
    double p2 = at(x, i, x0 + 2 * h, f);
    double m2 = at(x, i, x0 - 2 * h, f);
    double p3 = at(x, i, x0 + 3 * h, f);
    double m3 = at(x, i, x0 - 3 * h, f);
    double d = (45 * (p1 - m1) - 9 * (p2 - m2) + (p3 - m3)) / (60.0 * h);
    x[i] = x0;
    return d;
  }

  private static double at(float[] x, int i, float value, DoubleSupplier f) {
    x[i] = value;
    return f.getAsDouble();
  }

  /** The numerical gradient of f with respect to every element of x[from, to). */
  public static double[] gradient(float[] x, int from, int to, DoubleSupplier f) {
    float h = step(java.util.Arrays.copyOfRange(x, from, to));
    double[] g = new double[to - from];
    for (int i = from; i < to; i++) {
      g[i - from] = derivative(x, i, h, f);
    }
    return g;
  }

  /** The numerical gradient of f with respect to every element of x. */
  public static double[] gradient(float[] x, DoubleSupplier f) {
    return gradient(x, 0, x.length, f);
  }

  /** The largest magnitude in {@code x}. */
  public static double maxAbs(double[] x) {
    double max = 0;
    for (double v : x) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }

  /**
   * The largest {@code |analytic - numerical| / max(|numerical|, 0.1 * max|numerical|, floor)} over
   * the elements; analytic[aOff + i] is compared with numerical[i]. {@code floor} is an absolute
   * floor for tensors whose gradient is far below the rest of the check (see {@link #GLOBAL_FLOOR}).
   * A tensor whose numerical gradient is all zero must have an analytic gradient of exactly zero
   * (else the error is infinite).
   */
  public static double error(double[] numerical, float[] analytic, int aOff, double floor) {
    return errors(numerical, analytic, aOff, floor)[0];
  }

  /** The index of the element with the largest {@link #error}, for failure messages. */
  public static int worstElement(double[] numerical, float[] analytic, int aOff, double floor) {
    return (int) errors(numerical, analytic, aOff, floor)[1];
  }

  private static double[] errors(double[] numerical, float[] analytic, int aOff, double floor) {
    double scaleFloor = Math.max(Close.FLOOR * maxAbs(numerical), floor);
    double worst = 0;
    int at = 0;
    for (int i = 0; i < numerical.length; i++) {
      double diff = Math.abs(analytic[aOff + i] - numerical[i]);
      double scale = Math.max(Math.abs(numerical[i]), scaleFloor);
      double err = diff == 0 ? 0 : scale == 0 || Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff / scale;
      if (err > worst) {
        worst = err;
        at = i;
      }
    }
    return new double[] {worst, at};
  }

  /** Numerical and analytic gradients of several tensors, compared once all are known. */
  public static final class Comparison {
    private record Item(String name, double[] numerical, float[] analytic, int offset) {}

    private final List<Item> items = new ArrayList<>();

    /** analytic[offset + i] is the analytic counterpart of numerical[i]. */
    public void add(String name, double[] numerical, float[] analytic, int offset) {
      items.add(new Item(name, numerical, analytic, offset));
    }

    private double floor() {
      double max = 0;
      for (Item it : items) {
        max = Math.max(max, maxAbs(it.numerical()));
      }
      return GLOBAL_FLOOR * max;
    }

    /** The largest {@link GradCheck#error} over the tensors. */
    public double worst() {
      double floor = floor();
      double worst = 0;
      for (Item it : items) {
        worst = Math.max(worst, error(it.numerical(), it.analytic(), it.offset(), floor));
      }
      return worst;
    }

    /** One line per tensor whose error exceeds {@code tol}, naming the worst element. */
    public List<String> failures(double tol) {
      double floor = floor();
      List<String> out = new ArrayList<>();
      for (Item it : items) {
        double err = error(it.numerical(), it.analytic(), it.offset(), floor);
        if (!(err <= tol)) {
          int i = worstElement(it.numerical(), it.analytic(), it.offset(), floor);
          out.add(String.format("%s[%d]: analytic %s, numerical %.7g (error %.3g > %.0g)", it.name(), i,
              it.analytic()[it.offset() + i], it.numerical()[i], err, tol));
        }
      }
      return out;
    }
  }
}
