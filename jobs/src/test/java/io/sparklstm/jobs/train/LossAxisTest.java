package io.sparklstm.jobs.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.jobs.config.TrainSection.LossCurveScale;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The loss curve's y axis: scale, round ticks and their labels, over many ranges. */
class LossAxisTest {
  private static final double NAN = Double.NaN;

  private static List<String> labels(LossAxis axis) {
    return axis.ticks().stream().map(LossAxis.Tick::label).toList();
  }

  private static LossAxis auto(double... losses) {
    return LossAxis.of(LossCurveScale.AUTO, losses);
  }

  @Test
  void roundStepsWithTheStepsDigits() {
    // the curve, labelled 0.2018, 0.1699, 0.1379, ... before
    assertEquals(List.of("0.08", "0.10", "0.12", "0.14", "0.16", "0.18", "0.20"),
        labels(auto(0.2018, 0.1699, 0.1379, 0.1100, 0.0823)));
    assertEquals(List.of("0.30", "0.35", "0.40", "0.45", "0.50"), labels(auto(0.5, 0.4, 0.3)));
    assertEquals(List.of("1.0", "1.2", "1.4", "1.6", "1.8", "2.0", "2.2"), labels(auto(2.3, 1.2, 0.9)));
    assertEquals(List.of("20", "40", "60", "80", "100"), labels(auto(98, 12)));
    assertEquals(List.of("999990", "999995", "1000000", "1000005", "1000010"), labels(auto(1e6 + 10, 1e6 - 10)));
  }

  @Test
  void tinyAndHugeLossesInScientificNotation() {
    assertEquals(List.of("1.2e-7", "1.3e-7", "1.4e-7", "1.5e-7", "1.6e-7", "1.7e-7", "1.8e-7"),
        labels(auto(1.8e-7, 1.2e-7)));
    assertEquals(List.of("1.23000e-9", "1.23002e-9", "1.23004e-9", "1.23006e-9", "1.23008e-9", "1.23010e-9"),
        labels(auto(1.2301e-9, 1.23e-9)));
    assertEquals(List.of("3e11", "4e11", "5e11", "6e11", "7e11", "8e11", "9e11"), labels(auto(9e11, 3e11)));
  }

  @Test
  void flatSeriesGetARangeAroundTheirValue() {
    LossAxis axis = auto(0.5, 0.5, 0.5);
    assertEquals(List.of("0.48", "0.49", "0.50", "0.51", "0.52"), labels(axis));
    assertEquals(0.5, axis.fraction(0.5), 1e-12);
    assertEquals(List.of("0.0", "0.2", "0.4", "0.6", "0.8", "1.0"), labels(auto(0, 0)));
    assertEquals(0, auto(0, 0).fraction(0), 1e-12);
    assertEquals(List.of("6.7e20", "6.8e20", "6.9e20", "7.0e20", "7.1e20", "7.2e20", "7.3e20"),
        labels(auto(7e20, 7e20)));
  }

  @Test
  void nanAndInfiniteLossesAreLeftOut() {
    LossAxis axis = LossAxis.of(LossCurveScale.AUTO, new double[] {NAN, 0.5, NAN, 0.3, Double.POSITIVE_INFINITY},
        new double[] {NAN, NAN, NAN, NAN, NAN});
    assertEquals(labels(auto(0.5, 0.3)), labels(axis));
    assertTrue(Double.isNaN(axis.fraction(NAN)));
    assertTrue(Double.isNaN(axis.fraction(Double.POSITIVE_INFINITY)));
    LossAxis none = LossAxis.of(LossCurveScale.AUTO, new double[] {NAN, NAN}, new double[0]);
    assertFalse(none.log());
    assertEquals(List.of("0.0", "0.2", "0.4", "0.6", "0.8", "1.0"), labels(none));
  }

  @Test
  void autoIsLogWhenTheLossesSpanMoreThanADecade() {
    LossAxis log = auto(2.0, 1.0, 0.5, 0.1);
    assertTrue(log.log());
    assertEquals(List.of("0.1", "0.2", "0.5", "1", "2"), labels(log));
    assertFalse(auto(2.0, 0.25).log());
    assertFalse(auto(2.0, 0.0, 1e-4).log(), "a loss of 0 has no place on a log axis");
    assertFalse(LossAxis.of(LossCurveScale.LINEAR, new double[] {10, 1e-3}).log());
  }

  @Test
  void logTicksThinOutOverManyDecades() {
    assertEquals(List.of("0.01", "0.1", "1", "10"), labels(auto(10, 0.01)));
    assertEquals(List.of("1e-8", "1e-6", "0.0001", "0.01", "1", "100"), labels(auto(1e3, 1e-9)));
    assertEquals(List.of("1e-300", "1e-200", "1e-100", "1", "1e100", "1e200", "1e300"), labels(auto(1e300, 1e-300)));
    assertEquals(List.of("200000", "500000", "1e6", "2e6", "5e6", "1e7", "2e7", "5e7"), labels(auto(6e7, 3e6, 2e5)));
  }

  @Test
  void forcedLog() {
    LossAxis narrow = LossAxis.of(LossCurveScale.LOG, new double[] {0.45, 0.3});
    assertTrue(narrow.log());
    assertEquals(List.of("0.30", "0.35", "0.40", "0.45"), labels(narrow), "too narrow for 1-2-5 ticks");
    assertEquals(List.of("0.10", "0.15", "0.20"),
        labels(LossAxis.of(LossCurveScale.LOG, new double[] {0.195, 0.076, 0.063})), "only 0.1 and 0.2 inside");
    LossAxis withZero = LossAxis.of(LossCurveScale.LOG, new double[] {2.0, 0.0, 1e-4});
    assertTrue(withZero.log());
    assertTrue(Double.isNaN(withZero.fraction(0.0)), "0 is left out on a log axis");
    assertEquals(List.of("0.0001", "0.001", "0.01", "0.1", "1"), labels(withZero));
    assertFalse(LossAxis.of(LossCurveScale.LOG, new double[] {0, -1}).log(), "nothing above 0: linear");
  }

  /** Ranges from 1e-12 to 1e12 wide and narrow, linear and log: the rules hold for every one. */
  @Test
  void everyRangeGetsAFewRoundTicksInside() {
    SplittableRandom random = new SplittableRandom(15);
    for (int i = 0; i < 5000; i++) {
      double lo = Math.pow(10, random.nextDouble(-12, 12));
      double hi = lo * Math.pow(10, random.nextDouble(1e-6, i % 2 == 0 ? 0.99 : 12));
      double mid = lo + (hi - lo) * random.nextDouble();
      LossAxis axis = auto(hi, mid, NAN, lo);
      String what = "losses [" + lo + ", " + hi + "] ticks " + labels(axis);
      assertEquals(hi / lo > 10, axis.log(), what);
      List<LossAxis.Tick> ticks = axis.ticks();
      assertTrue(ticks.size() >= 2 && ticks.size() <= (axis.log() ? LossAxis.MAX_LOG_TICKS : LossAxis.MAX_TICKS), what);
      assertEquals(0, axis.fraction(lo), 0.06, what);
      assertEquals(1, axis.fraction(hi), 0.06, what);
      assertEquals(ticks.size(), new HashSet<>(labels(axis)).size(), what);
      for (LossAxis.Tick t : ticks) {
        assertTrue(axis.fraction(t.value()) >= -1e-6 && axis.fraction(t.value()) <= 1 + 1e-6, what);
        assertEquals(t.value(), Double.parseDouble(t.label()), 0, what + ": the label is the value");
      }
      if (axis.log()) {
        for (int k = 0; k < ticks.size(); k++) {
          BigDecimal v = new BigDecimal(ticks.get(k).label()).stripTrailingZeros();
          assertTrue(List.of(1, 2, 5).contains(v.unscaledValue().intValueExact()), what);
          assertTrue(k == 0 || ticks.get(k).value() > ticks.get(k - 1).value(), what);
        }
      } else {
        assertOneTwoFiveStep(ticks, what);
      }
    }
  }

  /** Equal steps of 1, 2 or 5 times a power of ten, and labels with no digit below the step's. */
  private static void assertOneTwoFiveStep(List<LossAxis.Tick> ticks, String what) {
    BigDecimal step = new BigDecimal(ticks.get(1).label()).subtract(new BigDecimal(ticks.get(0).label()));
    assertTrue(List.of(1, 2, 5).contains(step.stripTrailingZeros().unscaledValue().intValueExact()), what);
    for (int k = 1; k < ticks.size(); k++) {
      BigDecimal d = new BigDecimal(ticks.get(k).label()).subtract(new BigDecimal(ticks.get(k - 1).label()));
      assertEquals(0, d.compareTo(step), what);
    }
    int stepScale = step.stripTrailingZeros().scale();
    for (LossAxis.Tick t : ticks) {
      assertTrue(new BigDecimal(t.label()).stripTrailingZeros().scale() <= stepScale, what + ": " + t.label());
    }
  }

  @Test
  void pictureOnBothScales() throws Exception {
    double[] validation = {NAN, 0.9, 0.2, 0.05};
    for (LossCurveScale scale : LossCurveScale.values()) {
      byte[] png = LossCurve.png("loss", new double[] {2.0, 0.5, 0.1, 0.04}, validation, scale);
      BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
      assertEquals(800, img.getWidth());
      assertEquals(500, img.getHeight());
    }
  }
}
