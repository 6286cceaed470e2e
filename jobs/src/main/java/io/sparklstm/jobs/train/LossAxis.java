package io.sparklstm.jobs.train;

import io.sparklstm.jobs.config.TrainSection.LossCurveScale;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * The loss curve's y axis: linear or log scale, the range shown and round tick values with their
 * labels. Plain logic; {@link LossCurve} draws it.
 *
 * <p>Linear ticks are the multiples of a 1-2-5 step (0.05, 0.10, 0.15, ...): the smallest step
 * that gives at most {@value #MAX_TICKS} ticks in the range, so 2 to {@value #MAX_TICKS} of them.
 * Log ticks are 1, 2, 5 times the powers of ten in the range while there are at most
 * {@value #MAX_LOG_TICKS} of those (they stand unevenly, three a decade, so a few more fit), else the
 * powers of ten alone, or every 2nd, 5th, 10th... power of ten, whichever first gives at most
 * {@value #MAX_TICKS}; a range too narrow for three 1-2-5 values (under about a decade) gets the
 * linear ticks. Labels carry the step's digits and no more ({@code 0.15}, not
 * {@code 0.15000000000000002}); linear ones are written in scientific notation
 * ({@code 1.5e-7}, {@code 3e11}) where a plain one would be longer than {@value #PLAIN_CHARS}
 * characters, log ones outside 0.0001 to 500000 ({@code 1e-6}, {@code 1e6}).
 *
 * <p>Values that are NaN or infinite are not drawn (a gap in the curve), nor, on a log axis, values
 * at or below 0. {@code auto} draws a log axis when the losses span more than a decade (largest over
 * smallest above 10, all above 0).
 */
final class LossAxis {
  static final int MAX_TICKS = 7;
  static final int MAX_LOG_TICKS = 9; // of 1-2-5 values on a log axis
  private static final double MARGIN = 0.05; // of the range, above and below the data
  private static final int[] MANTISSAS = {1, 2, 5};
  private static final int PLAIN_CHARS = 8; // longer labels are written as 1.5e-7

  /** A tick: where (the value) and what it says. */
  record Tick(double value, String label) {}

  private final boolean log;
  private final double lo; // bottom of the axis (log10 of it on a log axis)
  private final double hi; // top
  private final List<Tick> ticks;

  private LossAxis(boolean log, double lo, double hi, List<Tick> ticks) {
    this.log = log;
    this.lo = lo;
    this.hi = hi;
    this.ticks = ticks;
  }

  /** The axis for {@code series} (NaN where a value is absent). */
  static LossAxis of(LossCurveScale scale, double[]... series) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double minPositive = Double.POSITIVE_INFINITY;
    for (double[] s : series) {
      for (double v : s) {
        if (Double.isFinite(v)) {
          min = Math.min(min, v);
          max = Math.max(max, v);
          if (v > 0) {
            minPositive = Math.min(minPositive, v);
          }
        }
      }
    }
    boolean log = switch (scale) {
      case LINEAR -> false;
      case LOG -> minPositive <= max;
      case AUTO -> min > 0 && max / min > 10;
    };
    return log ? logAxis(minPositive, max) : linearAxis(min, max);
  }

  private static LossAxis linearAxis(double min, double max) {
    double lo;
    double hi;
    if (!(min <= max)) { // nothing to draw
      lo = 0;
      hi = 1;
    } else if (min == max) {
      double d = min == 0 ? 1 : Math.abs(min) * MARGIN;
      lo = min - d;
      hi = max + d;
    } else {
      double pad = (max - min) * MARGIN;
      lo = Double.isFinite(min - pad) ? min - pad : min;
      hi = Double.isFinite(max + pad) ? max + pad : max;
    }
    if (min >= 0 && lo < 0) { // losses are not negative: the axis starts at 0 at the lowest
      lo = 0;
    }
    return new LossAxis(false, lo, hi, linearTicks(lo, hi));
  }

  private static LossAxis logAxis(double min, double max) {
    double lo = Math.log10(min);
    double hi = Math.log10(max);
    double pad = lo == hi ? 0.1 : (hi - lo) * MARGIN;
    lo -= pad;
    hi += pad;
    return new LossAxis(true, lo, hi, logTicks(lo, hi));
  }

  /** Multiples of the smallest 1-2-5 step that puts at most MAX_TICKS of them in [lo, hi]. */
  static List<Tick> linearTicks(double lo, double hi) {
    int exponent = (int) Math.floor(Math.log10((hi - lo) / MAX_TICKS)) - 1;
    while (true) {
      for (int m : MANTISSAS) {
        double step = m * Math.pow(10, exponent);
        long first = (long) Math.ceil(lo / step - 1e-9);
        long last = (long) Math.floor(hi / step + 1e-9);
        if (last - first + 1 <= MAX_TICKS) {
          return multiples(new BigDecimal(BigInteger.valueOf(m), -exponent), exponent, first, last);
        }
      }
      exponent++;
    }
  }

  /**
   * {@code k * step} for k in [first, last], step of 10^exponent; labelled plain while every label
   * has at most {@value #PLAIN_CHARS} characters (0.00015, 1000005), else all in scientific notation.
   */
  private static List<Tick> multiples(BigDecimal step, int exponent, long first, long last) {
    List<BigDecimal> values = new ArrayList<>();
    boolean plain = true;
    for (long k = first; k <= last; k++) {
      BigDecimal v = step.multiply(BigDecimal.valueOf(k));
      values.add(v);
      plain &= plain(v, exponent).length() <= PLAIN_CHARS;
    }
    List<Tick> ticks = new ArrayList<>();
    for (BigDecimal v : values) {
      ticks.add(new Tick(v.doubleValue(), plain ? plain(v, exponent) : scientific(v, exponent)));
    }
    return ticks;
  }

  /**
   * Ticks in [10^lo, 10^hi]: 1-2-5 per decade up to MAX_LOG_TICKS, else decades, else every 2nd,
   * 5th, 10th... decade; the linear ticks where fewer than three 1-2-5 values fit.
   */
  static List<Tick> logTicks(double lo, double hi) {
    int first = (int) Math.floor(lo);
    int last = (int) Math.ceil(hi);
    List<Tick> ticks = new ArrayList<>();
    for (int k = first; k <= last; k++) {
      for (int m : MANTISSAS) {
        double at = Math.log10(m) + k;
        if (at >= lo - 1e-9 && at <= hi + 1e-9) {
          ticks.add(decadeTick(m, k));
        }
      }
    }
    if (ticks.size() < 3) { // under about a decade: round values read better than one or two powers
      return linearTicks(Math.pow(10, lo), Math.pow(10, hi));
    }
    if (ticks.size() <= MAX_LOG_TICKS) {
      return ticks;
    }
    for (long stride = 1; ; stride = nextStride(stride)) {
      ticks.clear();
      for (long k = (long) Math.ceil(lo / stride - 1e-9) * stride; k <= hi + 1e-9; k += stride) {
        ticks.add(decadeTick(1, (int) k));
      }
      if (ticks.size() <= MAX_TICKS) {
        return ticks;
      }
    }
  }

  private static long nextStride(long stride) {
    long decade = 1;
    while (decade * 10 <= stride) {
      decade *= 10;
    }
    long m = stride / decade;
    return m == 1 ? 2 * decade : m == 2 ? 5 * decade : 10 * decade;
  }

  private static Tick decadeTick(int m, int k) {
    BigDecimal v = new BigDecimal(BigInteger.valueOf(m), -k);
    String label = k >= -4 && k <= 5 ? v.toPlainString() : m + "e" + k; // 0.0005 to 500000, else 5e-5, 1e6
    return new Tick(v.doubleValue(), label);
  }

  /** {@code v} with the decimals of a step of 10^exponent: 0.05 steps give 0.10, 0.15. */
  private static String plain(BigDecimal v, int exponent) {
    return v.setScale(Math.max(0, -exponent), RoundingMode.HALF_EVEN).toPlainString();
  }

  /** {@code v} as mantissa e exponent, with the digits a step of 10^stepExponent needs: 1.2e11. */
  private static String scientific(BigDecimal v, int stepExponent) {
    if (v.signum() == 0) {
      return "0";
    }
    int e = v.precision() - v.scale() - 1; // floor(log10(|v|))
    BigDecimal mantissa = v.movePointLeft(e).setScale(Math.max(0, e - stepExponent), RoundingMode.HALF_EVEN);
    return mantissa.toPlainString() + "e" + e;
  }

  boolean log() {
    return log;
  }

  List<Tick> ticks() {
    return ticks;
  }

  /**
   * Where {@code v} sits: 0 at the bottom of the axis, 1 at the top; NaN for a value not drawn (NaN,
   * infinite, or at or below 0 on a log axis).
   */
  double fraction(double v) {
    if (!Double.isFinite(v) || (log && v <= 0)) {
      return Double.NaN;
    }
    return ((log ? Math.log10(v) : v) - lo) / (hi - lo);
  }
}
