package io.sparklstm.train.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The state as the Spark driver handles it: copies, weighted means, fractional step counts. */
class OptimizerStateTest {
  static final int P = 37;

  private static float[] random(SplittableRandom r, int n, double scale) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
    }
    return x;
  }

  /** An amsgrad Adam state after a few real steps: every buffer has varied values. */
  private static OptimizerState trained(Optimizer optimizer, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] params = random(r, P, 1);
    OptimizerState s = optimizer.init(P);
    for (int k = 0; k < 3; k++) {
      optimizer.step(params, random(r, P, Math.pow(10, k - 1)), s);
    }
    return s;
  }

  @Test
  void averagingIdenticalStatesChangesNothing() {
    Optimizer adam = new Adam(0.01, 0.9, 0.999, 1e-8, 0, true, false);
    OptimizerState a = trained(adam, 1);
    OptimizerState b = a.copy();
    for (double[] w : new double[][] {{3, 5}, {1, 1}, {0.3, 0.7}, {1e-3, 12345}}) {
      OptimizerState mean = OptimizerState.weightedMean(List.of(a, b), w);
      assertArrayEquals(a.buffers(), mean.buffers(), "weights " + w[0] + ", " + w[1]);
      assertEquals(a.step(), mean.step());
      assertEquals(a.parameterCount(), mean.parameterCount());
      assertEquals(3, mean.bufferCount());
    }
    OptimizerState sgd = trained(new Sgd(0.1, 0.9, 0, true, 0), 2);
    assertArrayEquals(sgd.buffers(), OptimizerState.weightedMean(List.of(sgd, sgd.copy(), sgd), new double[] {2, 7, 1})
        .buffers());
  }

  @Test
  void weightedMeanOfDifferentStates() {
    OptimizerState a = new OptimizerState(4, 2, new float[] {1, 2, 3, 4});
    OptimizerState b = new OptimizerState(5, 2, new float[] {5, 6, 7, 8});
    OptimizerState mean = OptimizerState.weightedMean(List.of(a, b), new double[] {1, 3});
    assertArrayEquals(new float[] {4, 5, 6, 7}, mean.buffers());
    assertEquals(4.75, mean.step());
    // a worker without sequences in the round weighs nothing
    OptimizerState only = OptimizerState.weightedMean(List.of(a, b), new double[] {0, 2});
    assertArrayEquals(b.buffers(), only.buffers());
    assertEquals(5, only.step());
  }

  @Test
  void nonFiniteBuffers() {
    float inf = Float.POSITIVE_INFINITY;
    OptimizerState a = new OptimizerState(2, 2, new float[] {inf, 1});
    OptimizerState mean = OptimizerState.weightedMean(List.of(a, a.copy()), new double[] {0.3, 0.7});
    assertArrayEquals(new float[] {inf, 1}, mean.buffers());
    // a diverged worker with weight 0 does not spoil the mean
    OptimizerState nan = new OptimizerState(2, 2, new float[] {Float.NaN, Float.NaN});
    OptimizerState b = new OptimizerState(2, 2, new float[] {3, 4});
    assertArrayEquals(b.buffers(), OptimizerState.weightedMean(List.of(nan, b), new double[] {0, 5}).buffers());
  }

  @Test
  void fractionalStepDrivesAdamsBiasCorrection() {
    Adam adam = Adam.adam();
    float[] m = {0.5f};
    float[] v = {0.25f};
    OptimizerState s = new OptimizerState(4.5, 1, new float[] {m[0], v[0]});
    float[] p = {1f};
    float g = 0.3f;
    adam.step(p, new float[] {g}, s);
    assertEquals(5.5, s.step());
    // the same arithmetic written out: bias corrections from t = 5.5
    double t = 5.5;
    float m1 = Math.fma(g, (float) (1 - 0.9), m[0] * 0.9f);
    float v1 = Math.fma((float) (1 - 0.999) * g, g, v[0] * 0.999f);
    float denom = (float) Math.sqrt(v1) / (float) Math.sqrt(1 - Math.pow(0.999, t)) + 1e-8f;
    float expected = 1f + (float) -(1e-3 / (1 - Math.pow(0.9, t))) * m1 / denom;
    assertEquals(expected, p[0]);
    assertEquals(m1, s.buffers()[0]);
    assertEquals(v1, s.buffers()[1]);
  }

  @Test
  void sgdFirstStepIsStepZero() {
    Sgd sgd = new Sgd(0.1, 0.9, 0.5, false, 0);
    // step 0: the buffer becomes a copy of the gradient, whatever it held (PyTorch has none yet)
    OptimizerState fresh = new OptimizerState(0, 2, new float[] {100, 100});
    float[] p = {1, 1};
    sgd.step(p, new float[] {0.5f, -2f}, fresh);
    assertArrayEquals(new float[] {0.5f, -2f}, fresh.buffers());
    assertArrayEquals(new float[] {Math.fma(0.5f, -0.1f, 1f), Math.fma(-2f, -0.1f, 1f)}, p);
    assertEquals(1, fresh.step());
    // an averaged step count above 0 is not a first step: momentum and dampening apply
    OptimizerState averaged = new OptimizerState(0.5, 2, new float[] {1, 1});
    sgd.step(new float[] {0, 0}, new float[] {0.5f, -2f}, averaged);
    assertArrayEquals(new float[] {Math.fma(0.5f, 0.5f, 0.9f), Math.fma(-2f, 0.5f, 0.9f)}, averaged.buffers());
    assertEquals(1.5, averaged.step());
  }

  @Test
  void copyIsIndependent() {
    OptimizerState a = trained(Adam.adamW(), 3);
    OptimizerState c = a.copy();
    assertNotSame(a.buffers(), c.buffers());
    assertArrayEquals(a.buffers(), c.buffers());
    Adam.adamW().step(new float[P], new float[P], c);
    assertEquals(3, a.step());
    assertEquals(4, c.step());
  }

  @Test
  void layoutOfBuffers() {
    OptimizerState s = OptimizerState.zeros(5, 3);
    assertEquals(15, s.buffers().length);
    assertEquals(3, s.bufferCount());
    assertEquals(10, s.offset(2));
    assertEquals(0, s.step());
    assertEquals(0, OptimizerState.zeros(5, 0).bufferCount());
  }

  @Test
  void mismatchesAreErrors() {
    Adam adam = Adam.adam();
    OptimizerState s = adam.init(4);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> adam.step(new float[5], new float[5], s));
    assertTrue(e.getMessage().contains("4 parameters"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> adam.step(new float[4], new float[4], Sgd.of(1).init(4)));
    assertTrue(e.getMessage().contains("exp_avg"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new OptimizerState(0, 4, new float[6]));
    assertThrows(IllegalArgumentException.class, () -> new OptimizerState(-1, 4, new float[8]));
    assertThrows(IllegalArgumentException.class, () -> new OptimizerState(Double.NaN, 4, new float[8]));
    assertThrows(IllegalArgumentException.class,
        () -> OptimizerState.weightedMean(List.of(adam.init(4), adam.init(5)), new double[] {1, 1}));
    assertThrows(IllegalArgumentException.class,
        () -> OptimizerState.weightedMean(List.of(adam.init(4), adam.init(4)), new double[] {0, 0}));
    assertThrows(IllegalArgumentException.class,
        () -> OptimizerState.weightedMean(List.of(adam.init(4), adam.init(4)), new double[] {1, -1}));
    assertThrows(IllegalArgumentException.class,
        () -> OptimizerState.weightedMean(List.of(adam.init(4)), new double[] {1, 1}));
  }
}
