package io.sparklstm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The averaging arithmetic: exactness properties and the summation order. */
class WeightedMeanTest {
  static final float[] SPECIAL = {0f, -0f, 1f, -1f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE,
      -Float.MAX_VALUE, 0.1f, 1e-30f, 3.4e38f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};

  static float[] random(SplittableRandom r, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-6, 6)));
    }
    return x;
  }

  static void assertBits(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
          what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]);
    }
  }

  @Test
  void aSingleInputIsReturnedBitForBit() {
    float[] x = random(new SplittableRandom(1), 1000);
    float[] withSpecial = new float[x.length + SPECIAL.length];
    System.arraycopy(x, 0, withSpecial, 0, x.length);
    System.arraycopy(SPECIAL, 0, withSpecial, x.length, SPECIAL.length);
    for (double w : new double[] {1, 3, 0.25, 12345}) {
      float[] out = new float[withSpecial.length];
      WeightedMean.of(new float[][] {withSpecial}, new double[] {w}, 0, withSpecial.length, out, 0);
      assertBits(withSpecial, out, "weight " + w);
    }
    assertEquals(0.1, WeightedMean.of(new double[] {0.1}, new double[] {7}), 0.0);
  }

  @Test
  void equalInputsAverageToThemselves() {
    float[] x = random(new SplittableRandom(2), 500);
    for (int copies = 2; copies <= 5; copies++) {
      float[][] xs = new float[copies][];
      double[] w = new double[copies];
      for (int j = 0; j < copies; j++) {
        xs[j] = x.clone();
        w[j] = 1 + 3 * j;
      }
      float[] out = new float[x.length];
      WeightedMean.of(xs, w, 0, x.length, out, 0);
      assertBits(x, out, copies + " equal inputs");
    }
  }

  @Test
  void theFormulaAndTheSummationOrderAreTheGivenOrder() {
    SplittableRandom r = new SplittableRandom(3);
    float[][] xs = {random(r, 300), random(r, 300), random(r, 300), random(r, 300)};
    double[] w = {3, 1, 7, 2};
    float[] out = new float[300];
    WeightedMean.of(xs, w, 0, 300, out, 0);
    for (int i = 0; i < 300; i++) {
      double x0 = xs[0][i];
      double offset = 0;
      for (int j = 0; j < 4; j++) {
        offset += w[j] * (xs[j][i] - x0);
      }
      assertEquals((float) (x0 + offset / 13), out[i], 0f, "element " + i);
    }
    // another order is another reference point and another sum: the result may differ in the last bit
    float[][] swapped = {xs[2], xs[1], xs[0], xs[3]};
    float[] out2 = new float[300];
    WeightedMean.of(swapped, new double[] {7, 1, 3, 2}, 0, 300, out2, 0);
    int same = 0;
    for (int i = 0; i < 300; i++) {
      assertEquals(out[i], out2[i], Math.ulp(out[i]) * 2, "element " + i);
      same += out[i] == out2[i] ? 1 : 0;
    }
    assertTrue(same > 200, "almost every element is the same whatever the order");
  }

  @Test
  void aSliceIsTheSameAsTheWhole() {
    SplittableRandom r = new SplittableRandom(4);
    float[][] xs = {random(r, 100), random(r, 100), random(r, 100)};
    double[] w = {5, 2, 9};
    float[] whole = new float[100];
    WeightedMean.of(xs, w, 0, 100, whole, 0);
    float[] pieces = new float[105];
    WeightedMean.of(xs, w, 0, 37, pieces, 5);
    WeightedMean.of(xs, w, 37, 100, pieces, 42);
    assertBits(whole, java.util.Arrays.copyOfRange(pieces, 5, 105), "two slices");
  }

  @Test
  void inputsOfWeightZeroTakeNoPart() {
    SplittableRandom r = new SplittableRandom(5);
    float[] a = random(r, 200);
    float[] b = random(r, 200);
    float[] junk = new float[200];
    java.util.Arrays.fill(junk, Float.NaN);
    float[] expected = new float[200];
    WeightedMean.of(new float[][] {a, b}, new double[] {2, 3}, 0, 200, expected, 0);
    float[] out = new float[200];
    WeightedMean.of(new float[][] {a, junk, b}, new double[] {2, 0, 3}, 0, 200, out, 0);
    assertBits(expected, out, "a NaN input of weight 0 in the middle");
    float[] single = new float[200];
    WeightedMean.of(new float[][] {a, junk}, new double[] {4, 0}, 0, 200, single, 0);
    assertBits(a, single, "one input of weight > 0 and one of weight 0");
    float[] huge = new float[200];
    java.util.Arrays.fill(huge, 3e38f);
    float[] first = new float[200];
    WeightedMean.of(new float[][] {huge, a, b}, new double[] {0, 2, 3}, 0, 200, first, 0);
    assertBits(expected, first, "an input of weight 0 first");
    WeightedMean.of(new float[][] {junk, a, b}, new double[] {0, 2, 3}, 0, 200, first, 0);
    assertBits(expected, first, "a NaN input of weight 0 first");
    assertEquals(2.0, WeightedMean.of(new double[] {2, Double.NaN}, new double[] {1, 0}), 0.0);
    assertEquals(2.0, WeightedMean.of(new double[] {Double.NaN, 2}, new double[] {0, 1}), 0.0);
  }

  @Test
  void badWeightsAreRejected() {
    float[][] xs = {{1f}, {2f}};
    float[] out = new float[1];
    assertThrows(IllegalArgumentException.class, () -> WeightedMean.of(xs, new double[] {0, 0}, 0, 1, out, 0));
    assertThrows(IllegalArgumentException.class, () -> WeightedMean.of(xs, new double[] {1, -1}, 0, 1, out, 0));
    assertThrows(IllegalArgumentException.class, () -> WeightedMean.of(xs, new double[] {1, Double.NaN}, 0, 1, out, 0));
    assertThrows(IllegalArgumentException.class,
        () -> WeightedMean.of(xs, new double[] {1, Double.POSITIVE_INFINITY}, 0, 1, out, 0));
  }
}
